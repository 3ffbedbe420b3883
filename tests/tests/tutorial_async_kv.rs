//! The async kv exercise's check (`step5-async-kv`) rejects wrong answers
//! in the learner's terms, after applying them under redis-benchmark load:
//! - kv-server's own `incr` update (it adds INCR, not APPEND): the check
//!   says APPEND is still unknown and where unknown commands go;
//! - fixture `upd-append-forgets-expiry` (APPEND right, but the key loses
//!   its expiry): the check says the key lost its expiry.

use std::process::{Command, Output};

use moult_e2e::{build, private_runtime_dir, require_redis_tools, workspace_root};

/// `moult-console check step5-async-kv --update <crate>` from the
/// workspace root, with a private agent directory and state home.
fn check_with(update: &str) -> Output {
    require_redis_tools();
    let bin = build(&["moult-console"]);
    let runtime_dir = private_runtime_dir();
    let state_home = private_runtime_dir();
    let crate_dir = workspace_root().join(update);
    let out = Command::new(bin.join("moult-console"))
        .args(["check", "step5-async-kv", "--update"])
        .arg(&crate_dir)
        .current_dir(workspace_root())
        .env(moult_protocol::discovery::DIR_ENV, &runtime_dir)
        .env("XDG_STATE_HOME", &state_home)
        .output()
        .expect("run moult-console check");
    let _ = std::fs::remove_dir_all(&runtime_dir);
    let _ = std::fs::remove_dir_all(&state_home);
    out
}

/// The check failed after judging the applied update, and its verdict
/// says `reason`.
fn assert_fails_saying(out: &Output, reason: &str) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n--- stderr ---\n{stderr}"
    );
    assert!(
        stdout.starts_with("FAIL step5-async-kv: after the update: ") && stdout.contains(reason),
        "the verdict says {reason:?}:\n{stdout}\n--- stderr ---\n{stderr}"
    );
    assert!(
        stderr.contains("version 0 behaves as the statement says") && stderr.contains(": applied"),
        "the update was applied under load and judged:\n{stderr}"
    );
}

#[test]
fn an_update_that_adds_another_command_is_told_append_is_not_routed() {
    let out = check_with("demo-apps/kv-server/updates/incr");
    assert_fails_saying(&out, "APPEND still answers \"ERR unknown command 'APPEND'");
    assert_fails_saying(&out, "kv_server::commands::fallback");
}

#[test]
fn an_append_that_drops_the_expiry_is_told_the_key_lost_it() {
    let out = check_with("tests/fixtures/upd-append-forgets-expiry");
    assert_fails_saying(&out, "TTL session is -1: the key lost its expiry");
}
