//! The whole tutorial, exercise by exercise, as a workshop leader checks it:
//! `moult-console check <id> --solution` builds the exercise's app on its
//! own, starts it, watches version 0, applies the solution crate through the
//! agent's socket and runs the exercise's check, which must pass. The same
//! command with the untouched `starter` crate must build it and must not
//! pass: a learner who has done nothing is told so.
//!
//! One test per exercise, so a failure names it; each drives the real
//! console binary, real cargo builds, real app processes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use moult_e2e::{build, private_runtime_dir, workspace_root};

/// Builds the console on its own; returns the bin dir.
fn bin_dir() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| build(&["moult-console"])).clone()
}

/// Runs `moult-console check <args>` from the workspace root with a
/// private agent directory and a private state home (the learner's
/// progress is not the user's).
fn check(args: &[&str]) -> Output {
    let state_home = private_runtime_dir();
    let out = check_in(args, &state_home);
    let _ = std::fs::remove_dir_all(&state_home);
    out
}

/// [`check`] with the learner's progress kept in `state_home`.
fn check_in(args: &[&str], state_home: &Path) -> Output {
    let runtime_dir = private_runtime_dir();
    let out = Command::new(bin_dir().join("moult-console"))
        .arg("check")
        .args(args)
        .current_dir(workspace_root())
        .env(moult_protocol::discovery::DIR_ENV, &runtime_dir)
        .env("XDG_STATE_HOME", state_home)
        .output()
        .expect("run moult-console check");
    let _ = std::fs::remove_dir_all(&runtime_dir);
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The solution passes; the untouched starter builds and fails.
fn exercise(id: &str) {
    // The learner's progress goes to a private state home, not the user's.
    let state_home = private_runtime_dir();
    let solved = check_in(&[id, "--solution"], &state_home);
    let (out, err) = (text(&solved.stdout), text(&solved.stderr));
    assert_eq!(
        solved.status.code(),
        Some(0),
        "the solution of {id} must pass:\n{out}\n--- stderr ---\n{err}"
    );
    assert!(out.starts_with(&format!("PASS {id}: ")), "{out}");
    assert!(
        err.contains("version 0 behaves as the statement says"),
        "the check watched version 0 first:\n{err}"
    );

    // The pass is in the learner's progress, as a pass of the console's `u`
    // is (defect 12: it was not recorded).
    let progress = std::fs::read_to_string(state_home.join("moult/tutorial.json"))
        .expect("the pass was recorded in the progress file");
    let progress: serde_json::Value = serde_json::from_str(&progress).unwrap();
    assert!(
        progress["exercises"][id]["passed_ms"].is_u64(),
        "{id} recorded as passed: {progress}"
    );

    let untouched = check_in(&[id], &state_home);
    let _ = std::fs::remove_dir_all(&state_home);
    let (out, err) = (text(&untouched.stdout), text(&untouched.stderr));
    assert_eq!(
        untouched.status.code(),
        Some(1),
        "the untouched starter of {id} must not pass:\n{out}\n--- stderr ---\n{err}"
    );
    assert!(
        out.starts_with(&format!("FAIL {id}: ")),
        "the starter built, was applied and failed the check (not a build error):\n{out}\n{err}"
    );
}

#[test]
fn step1_hello() {
    exercise("step1-hello");
}

#[test]
fn step1_tictoc() {
    exercise("step1-tictoc");
}

#[test]
fn step1_data() {
    exercise("step1-data");
}

#[test]
fn step2_fibonacci() {
    exercise("step2-fibonacci");
}

#[test]
fn step2_series() {
    exercise("step2-series");
}

#[test]
fn step3_custom_hello() {
    exercise("step3-custom-hello");
}

#[test]
fn step3_custom_data() {
    exercise("step3-custom-data");
}

#[test]
fn step3_clock() {
    exercise("step3-clock");
}

#[test]
fn step3_reboot() {
    exercise("step3-reboot");
}

#[test]
fn step4_simultaneous() {
    exercise("step4-simultaneous");
}

#[test]
fn step4_webserver() {
    exercise("step4-webserver");
}

#[test]
fn step5_revert() {
    exercise("step5-revert");
}

#[test]
fn step5_async_kv() {
    // Its check loads the server with redis-benchmark and tries APPEND with
    // redis-cli: without redis-tools it cannot pass, and says so.
    moult_e2e::require_redis_tools();
    exercise("step5-async-kv");
}

#[test]
fn an_unknown_exercise_lists_the_exercises() {
    let out = check(&["step9-nothing"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("no exercise \"step9-nothing\"; the exercises are: step1-hello, step1-tictoc"),
        "{err}"
    );
}

#[test]
fn a_wrong_update_is_refused_with_the_reason() {
    // The step1-tictoc solution applied to step1-hello: its entry looks up
    // hot functions the app does not have; the check says why it failed.
    let tictoc = workspace_root().join("demo-apps/step1-tictoc/solution");
    let out = check(&["step1-hello", "--update", tictoc.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(stdout.starts_with("FAIL step1-hello: "), "{stdout}");
    assert!(
        stdout.contains("step1_tictoc::tic"),
        "the reason names the missing function: {stdout}"
    );
}

#[test]
fn a_check_also_passes_at_a_slower_pace() {
    // The tutorial's apps run every 2 s for learners; the check waits in
    // periods, so it judges them at a slow pace too.
    let out = check(&["step1-hello", "--solution", "--period-ms", "500"]);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(stdout.starts_with("PASS step1-hello: "), "{stdout}");
}
