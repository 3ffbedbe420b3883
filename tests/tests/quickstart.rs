//! The README's quickstart command: the quickstart example runs to completion and
//! reports its four updates applied.

use std::process::Command;

#[test]
fn quickstart_applies_four_updates_and_says_so() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["run", "-q", "-p", "moult", "--example", "quickstart"])
        .current_dir(moult_e2e::workspace_root());
    if !cfg!(debug_assertions) {
        cmd.arg("--release");
    }
    let out = cmd.output().expect("run cargo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "quickstart failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.lines().last(),
        Some("quickstart: 4 updates applied, 0 failed"),
        "{stdout}"
    );
    for step in [
        "hi, worker 0 here (v2)",
        "65.3°F, 69.8°F, 97.9°F",
        "pending after apply: 10000",
        "[ticker] rebooted onto main v2",
    ] {
        assert!(stdout.contains(step), "missing {step:?} in:\n{stdout}");
    }
}
