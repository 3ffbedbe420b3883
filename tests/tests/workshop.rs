//! The leader's view (`moult-console workshop`) in tmux, with two learners
//! behind a real OpenSSH server started by the test: each has their own
//! runtime directory and their own state home (where the tutorial keeps
//! progress), runs a different exercise's app, and has passed and hinted
//! differently; Bob's last check (a real `moult-console check` of his
//! untouched starter) failed. Their rows say so, and Bob's selected row
//! gives the reason in the footer; Enter attaches to a learner's app
//! read-only (an action key is refused with a message), q comes back.
//!
//! And on a learner's own machine: that failed check is in their progress,
//! as `moult-console tutorial progress` (and `--json`) shows it.

use std::path::Path;
use std::process::{Command, Output};

use std::time::Duration;

use moult_e2e::{
    Demo, Sshd, Tmux, build, console_bin_dir, line_of, private_runtime_dir, workspace_root,
};

/// Generous: a hang guard (ssh connects each poll), not a timing assertion.
const WAIT: Duration = Duration::from_secs(90);

/// Reveals hint `level` of `exercise` as the learner whose state home is
/// `state`, with `moult-console hint` (it records the hint in their progress).
fn hint(state: &Path, exercise: &str, level: &str) {
    let out = Command::new(console_bin_dir().join("moult-console"))
        .args(["hint", exercise, "--level", level])
        .env("XDG_STATE_HOME", state)
        .current_dir(workspace_root())
        .output()
        .expect("run moult-console hint");
    assert!(
        out.status.success(),
        "hint: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `moult-console <args>` as the learner whose state home is `state`
/// (their progress) and whose agents are in `runtime_dir`.
fn as_learner(state: &Path, runtime_dir: &Path, args: &[&str]) -> Output {
    Command::new(console_bin_dir().join("moult-console"))
        .args(args)
        .env("XDG_STATE_HOME", state)
        .env(moult_protocol::discovery::DIR_ENV, runtime_dir)
        .current_dir(workspace_root())
        .output()
        .expect("run moult-console")
}

/// Checks `exercise`'s untouched starter as the learner whose state home is
/// `state`: it must fail. Returns the first line of what the check said,
/// as the progress file keeps it.
fn fail_a_check(state: &Path, exercise: &str) -> String {
    let runtime_dir = private_runtime_dir();
    let out = as_learner(state, &runtime_dir, &["check", exercise]);
    let _ = std::fs::remove_dir_all(&runtime_dir);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the untouched starter fails:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let why = stdout
        .strip_prefix(&format!("FAIL {exercise}: "))
        .unwrap_or_else(|| panic!("a FAIL verdict: {stdout}"));
    why.lines()
        .next()
        .unwrap()
        .trim()
        .trim_end_matches(':')
        .to_string()
}

#[test]
fn an_untouched_starters_failed_check_is_in_the_learners_progress() {
    let state = private_runtime_dir();
    let runtime_dir = private_runtime_dir();
    let why = fail_a_check(&state, "step1-hello");
    assert!(!why.is_empty());

    let progress = |args: &[&str]| {
        let out = as_learner(&state, &runtime_dir, args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let text = progress(&["tutorial", "progress"]);
    assert!(
        text.contains("passed 0 of 13 exercises; on step1-hello"),
        "{text}"
    );
    let last = line_of(&text, "last check: ");
    assert!(last.starts_with("last check: FAIL step1-hello "), "{text}");
    assert!(
        last.ends_with(&format!(": {why}")),
        "the reason, first line: {text}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&progress(&["tutorial", "progress", "--json"])).unwrap();
    let record = &json["progress"]["exercises"]["step1-hello"];
    assert_eq!(record["last_check"]["result"], "fail", "{json}");
    assert_eq!(record["last_check"]["why"], why.as_str(), "{json}");
    assert!(record["last_check"]["at_ms"].is_u64(), "{json}");
    assert!(
        record["passed_ms"].is_null(),
        "a failure is no pass: {json}"
    );
    for dir in [&state, &runtime_dir] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn the_leader_sees_each_learners_exercise_progress_and_hints_and_attaches_read_only() {
    let apps = build(&["step1-hello", "step1-tictoc"]);
    // Alice passed step1-hello and now works on step1-tictoc (two hints).
    let alice_state = private_runtime_dir();
    std::fs::create_dir_all(alice_state.join("moult")).unwrap();
    std::fs::write(
        alice_state.join("moult/tutorial.json"),
        r#"{"exercises": {"step1-hello": {"started_ms": 1714564000000, "passed_ms": 1714564980000},
             "step1-tictoc": {"started_ms": 1714565000000}}}"#,
    )
    .unwrap();
    hint(&alice_state, "step1-tictoc", "1");
    hint(&alice_state, "step1-tictoc", "2");
    let alice_app = Demo::start(&apps.join("step1-tictoc"));
    // Bob is on step1-hello, one hint, nothing passed: he checked his
    // starter untouched, and it failed.
    let bob_state = private_runtime_dir();
    hint(&bob_state, "step1-hello", "1");
    let bob_why = fail_a_check(&bob_state, "step1-hello");
    let bob_app = Demo::start(&apps.join("step1-hello"));

    let sshd = Sshd::start(&console_bin_dir());
    let ssh_command = sshd.ssh_command_for_learners(&[
        (
            "alice-pc",
            alice_app.runtime_dir.as_path(),
            alice_state.as_path(),
        ),
        ("bob-pc", bob_app.runtime_dir.as_path(), bob_state.as_path()),
    ]);
    let learner = |alias: &str| format!("ssh://{}@{alias}:{}", sshd.user, sshd.port);
    let local = private_runtime_dir();
    let tui = Tmux::start(
        &console_bin_dir().join("moult-console"),
        &[
            "workshop",
            "--target",
            &learner("alice-pc"),
            "--target",
            &learner("bob-pc"),
        ],
        &workspace_root(),
        &[
            ("MOULT_SSH_COMMAND", ssh_command.as_str()),
            ("MOULT_RUNTIME_DIR", local.to_str().unwrap()),
        ],
        (150, 30),
    );

    let screen = tui.wait_for("both learners' rows", WAIT, |s| {
        s.contains("2 connected")
            && s.contains("step1-tictoc (working)")
            && s.contains("step1-hello (working)")
    });
    let alice = line_of(&screen, "@alice-pc");
    assert!(alice.contains("1/13"), "one passed: {screen}");
    assert!(alice.contains("PASS step1-hello"), "{screen}");
    assert!(alice.contains("2 (2)"), "two hints: {screen}");
    assert!(
        alice.contains(&format!("step1-tictoc pid {}", alice_app.pid())),
        "{screen}"
    );
    let bob = line_of(&screen, "@bob-pc");
    assert!(
        bob.contains("0/13") && bob.contains("FAIL step1-hello"),
        "{screen}"
    );
    assert!(bob.contains("1 (1)"), "one hint: {screen}");
    assert!(
        bob.contains(&format!("step1-hello pid {}", bob_app.pid())),
        "{screen}"
    );

    // Enter: Alice's exercise app, read-only.
    tui.keys(&["Enter"]);
    tui.wait_text(&format!("step1-tictoc pid {}", alice_app.pid()), WAIT);
    tui.wait_text("connected", WAIT);
    tui.keys(&["x"]);
    tui.wait_text("read-only: this is a learner's app", WAIT);
    tui.keys(&["q"]);
    tui.wait_text("Workshop", WAIT);
    assert!(tui.running(), "the leader's view is still running");

    // Bob's row selected: the footer says why his check failed (as much
    // of it as the terminal's width holds).
    tui.keys(&["j"]);
    let shown: String = bob_why.chars().take(40).collect();
    let reason = format!(": {shown}");
    let screen = tui.wait_for("Bob's reason in the footer", WAIT, |s| s.contains(&reason));
    let footer = line_of(&screen, &reason);
    assert!(
        footer.trim_start().starts_with(&sshd.user) && footer.contains("@bob-pc:"),
        "the footer names Bob: {screen}"
    );
    assert!(footer.contains(" FAIL step1-hello "), "{screen}");
    assert!(
        !line_of(&screen, "@alice-pc").contains(&reason),
        "only the footer says why: {screen}"
    );
    tui.keys(&["q"]);
    tui.wait_for("the leader's view to quit", WAIT, |_| !tui.running());
    for dir in [&alice_state, &bob_state, &local] {
        let _ = std::fs::remove_dir_all(dir);
    }
}
