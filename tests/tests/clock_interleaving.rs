//! The clock exercise's check catches the wrong answer it exists for: an
//! update that redefines `tic` and `tac` together once both are quiescent,
//! ignoring the clock's update point (fixture `upd-clock-naive`). Over the
//! check's 10 rounds it lands inside a turn, and the trace shows the old
//! `tic` followed by `tac v2` (it escapes every round with odds (1/4)^10).

use std::process::Command;

use moult_e2e::{build, private_runtime_dir, workspace_root};

#[test]
fn an_update_ignoring_the_update_point_fails_the_clock_check() {
    let bin = build(&["moult-console"]);
    let runtime_dir = private_runtime_dir();
    let naive = workspace_root().join("tests/fixtures/upd-clock-naive");
    let out = Command::new(bin.join("moult-console"))
        .args(["check", "step3-clock", "--update"])
        .arg(&naive)
        .current_dir(workspace_root())
        .env(moult_protocol::discovery::DIR_ENV, &runtime_dir)
        .output()
        .expect("run moult-console check");
    let _ = std::fs::remove_dir_all(&runtime_dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n--- stderr ---\n{stderr}"
    );
    assert!(
        stdout.starts_with("FAIL step3-clock: ")
            && stdout.contains("the old \"tic\" then the new \"tac v2\""),
        "the check names the forbidden interleaving:\n{stdout}\n--- stderr ---\n{stderr}"
    );
    assert!(
        stderr.contains("version 0 behaves as the statement says"),
        "the update was applied and judged:\n{stderr}"
    );
}
