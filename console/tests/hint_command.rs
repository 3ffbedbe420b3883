//! `moult-console hint`, the real binary on the checkout's own hints: the
//! next unrevealed hint each time, the count kept in the learner's progress
//! (a private state home), `--level` for one in particular, and the errors
//! that say what exists.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `moult-console hint <args>` from the checkout with `state` as the
/// state home.
fn hint(state: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moult-console"))
        .arg("hint")
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap())
        .env_remove("MOULT_TUTORIAL_ROOT")
        .env("XDG_STATE_HOME", state)
        .output()
        .expect("run moult-console hint")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn used(state: &Path, id: &str) -> u64 {
    let text = std::fs::read_to_string(state.join("moult/tutorial.json")).unwrap();
    let progress: serde_json::Value = serde_json::from_str(&text).unwrap();
    progress["exercises"][id]["hints_used"]
        .as_u64()
        .unwrap_or(0)
}

#[test]
fn each_call_reveals_the_next_hint_and_progress_counts_them() {
    let state = tempfile::tempdir().unwrap();
    let first = stdout(&hint(state.path(), &["step1-hello"]));
    assert!(
        first.starts_with("Hint 1 of 3 for 1.1 Hello world (step1-hello):"),
        "{first}"
    );
    assert!(first.contains("SafeRedefine"), "{first}");
    assert!(
        first.contains("More detail: moult-console hint step1-hello (hint 2 of 3)."),
        "{first}"
    );
    assert_eq!(used(state.path(), "step1-hello"), 1);

    let second = stdout(&hint(state.path(), &["step1-hello"]));
    assert!(second.starts_with("Hint 2 of 3"), "{second}");
    let third = stdout(&hint(state.path(), &["step1-hello"]));
    assert!(third.starts_with("Hint 3 of 3"), "{third}");
    assert!(third.contains("hello_v2 as fn()"), "{third}");
    assert!(
        third.contains(
            "That was the last hint; the solution is in demo-apps/step1-hello/solution/."
        ),
        "{third}"
    );
    assert_eq!(used(state.path(), "step1-hello"), 3);
    // Past the last one: the last one again, the count stays.
    let again = stdout(&hint(state.path(), &["step1-hello"]));
    assert!(again.starts_with("Hint 3 of 3"), "{again}");

    // A level asked for: shown, and reading an earlier one uses no more.
    let one = stdout(&hint(state.path(), &["step1-hello", "--level", "1"]));
    assert!(one.starts_with("Hint 1 of 3"), "{one}");
    assert_eq!(used(state.path(), "step1-hello"), 3);
    let other = stdout(&hint(state.path(), &["step5-revert", "--level", "2"]));
    assert!(other.starts_with("Hint 2 of 3 for 5.1"), "{other}");
    assert_eq!(used(state.path(), "step5-revert"), 2);
    let kv = stdout(&hint(state.path(), &["step5-async-kv", "--level", "3"]));
    assert!(
        kv.starts_with("Hint 3 of 3 for 5.2 A command for a live async server"),
        "{kv}"
    );
    assert!(kv.contains("#[moult::async_version]"), "{kv}");
    assert_eq!(used(state.path(), "step5-async-kv"), 3);
}

#[test]
fn a_level_or_exercise_that_does_not_exist_is_named() {
    let state = tempfile::tempdir().unwrap();
    let out = hint(state.path(), &["step1-hello", "--level", "9"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("step1-hello has hints 1 to 3; there is no hint 9"),
        "{err}"
    );
    let out = hint(state.path(), &["step9-nothing"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the exercises are: step1-hello"), "{err}");
    assert!(!state.path().join("moult/tutorial.json").exists());
}
