//! The leader's view (`moult-console workshop`) in tmux, with two learners
//! behind a real OpenSSH server started by the test: each has their own
//! runtime directory and their own state home (where the tutorial keeps
//! progress), runs a different exercise's app, and has passed and hinted
//! differently. Their rows say so; Enter attaches to a learner's app
//! read-only (an action key is refused with a message), q comes back.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use moult_e2e::{Demo, Sshd, Tmux, build, private_runtime_dir, workspace_root};

/// Generous: a hang guard (ssh connects each poll), not a timing assertion.
const WAIT: Duration = Duration::from_secs(90);

fn bin_dir() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| build(&["moult-console"])).clone()
}

fn line_of<'a>(screen: &'a str, what: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(what))
        .unwrap_or_else(|| panic!("no {what} on the screen:\n{screen}"))
}

/// Reveals hint `level` of `exercise` as the learner whose state home is
/// `state`, with `moult-console hint` (it records the hint in their progress).
fn hint(state: &Path, exercise: &str, level: &str) {
    let out = Command::new(bin_dir().join("moult-console"))
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
    // Bob is on step1-hello, one hint, nothing passed.
    let bob_state = private_runtime_dir();
    hint(&bob_state, "step1-hello", "1");
    let bob_app = Demo::start(&apps.join("step1-hello"));

    let sshd = Sshd::start(&bin_dir());
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
        &bin_dir().join("moult-console"),
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
        bob.contains("0/13") && bob.contains("no check yet"),
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
    tui.keys(&["q"]);
    tui.wait_for("the leader's view to quit", WAIT, |_| !tui.running());
    for dir in [&alice_state, &bob_state, &local] {
        let _ = std::fs::remove_dir_all(dir);
    }
}
