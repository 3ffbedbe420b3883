//! The real `moult-console` binary against the real agent of a running test
//! app: status, apply (applied and rolled back), log, and a watch that ends
//! when the app does.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use moult_e2e::{App, build, library_path};
use moult_protocol::{JournalAction, JournalEntry, Snapshot, discovery};

/// Builds the console, the app and its updates; returns the profile directory.
fn built() -> PathBuf {
    build(&[
        "moult-console",
        "e2e-app",
        "upd-redefine",
        "upd-panic-apply",
        "upd-stuck",
    ])
}

fn console(bin: &Path, app: &App, args: &[&str]) -> Output {
    Command::new(bin.join("moult-console"))
        .args(args)
        .env(discovery::DIR_ENV, &app.runtime_dir)
        .stdin(Stdio::null())
        .output()
        .expect("run moult-console")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_console_drives_a_running_app_through_its_agent() {
    let bin = built();
    let mut app = App::start(&bin.join("e2e-app"));
    let pid = app.pid().to_string();

    let status = console(&bin, &app, &["status", &pid, "--json"]);
    assert!(status.status.success(), "{}", text(&status.stderr));
    let snapshot: Snapshot = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(snapshot.agent.app, "e2e-app");
    let greeting = snapshot
        .functions
        .iter()
        .find(|f| f.name == "e2e_app::greeting")
        .expect("greeting is registered");
    assert_eq!(greeting.version, 0);

    let mut watch = Command::new(bin.join("moult-console"))
        .args(["watch", &pid, "--json"])
        .env(discovery::DIR_ENV, &app.runtime_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    let applied = console(
        &bin,
        &app,
        &[
            "apply",
            "e2e-app",
            library_path("upd-redefine").to_str().unwrap(),
        ],
    );
    let out = text(&applied.stdout);
    assert_eq!(
        applied.status.code(),
        Some(0),
        "{out}{}",
        text(&applied.stderr)
    );
    assert!(
        out.contains("function e2e_app::greeting is now v1\n"),
        "{out}"
    );
    assert!(out.contains("greeting v2 #1: applied\n"), "{out}");
    assert_eq!(app.ask("greet"), "greet hello moult (42)");

    let rolled_back = console(
        &bin,
        &app,
        &[
            "apply",
            &pid,
            library_path("upd-panic-apply").to_str().unwrap(),
        ],
    );
    let err = text(&rolled_back.stderr);
    assert_eq!(rolled_back.status.code(), Some(1), "{err}");
    assert!(err.contains("rolled back: apply failed: panicked"), "{err}");

    let log = console(&bin, &app, &["log", &pid, "--json"]);
    assert!(log.status.success(), "{}", text(&log.stderr));
    let actions: Vec<JournalAction> = text(&log.stdout)
        .lines()
        .map(|l| serde_json::from_str::<JournalEntry>(l).unwrap().action)
        .collect();
    assert!(actions.contains(&JournalAction::Applied), "{actions:?}");
    assert!(actions.contains(&JournalAction::RolledBack), "{actions:?}");

    // The app goes away: the watch ends by itself, successfully.
    drop(app);
    let start = Instant::now();
    let status = loop {
        if let Some(status) = watch.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = watch.kill();
            panic!("watch did not end with the app");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = watch.wait_with_output().unwrap();
    assert!(status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).ends_with("agent closed the connection\n"),
        "{}",
        text(&output.stderr)
    );
    let watched = text(&output.stdout);
    assert!(
        watched.contains(r#""outcome":{"outcome":"applied"}"#),
        "{watched}"
    );
}

/// "Why doesn't my update apply?": the function stays active, the CLI shows
/// who blocks it on each attempt, gives up at --timeout and aborts it, and
/// afterwards no caller is held at the function's gate.
#[test]
fn an_update_that_never_reaches_alterability_shows_its_blocker_times_out_and_is_aborted() {
    let bin = built();
    let mut app = App::start(&bin.join("e2e-app"));
    let pid = app.pid().to_string();
    assert_eq!(app.ask("busy on"), "busy on");
    let blocked = library_path("upd-stuck");
    let run = console(
        &bin,
        &app,
        &["apply", &pid, blocked.to_str().unwrap(), "--timeout", "1"],
    );
    let (out, err) = (text(&run.stdout), text(&run.stderr));
    assert_eq!(run.status.code(), Some(3), "{out}{err}");
    assert!(
        out.contains("blocked by thread busy-caller in e2e_app::busy (depth 1)"),
        "{out}"
    );
    assert!(err.contains("still not applied after 1 s"), "{err}");
    assert!(err.contains("aborted"), "{err}");

    let status = console(&bin, &app, &["status", &pid, "--json"]);
    let snapshot: Snapshot = serde_json::from_slice(&status.stdout).unwrap();
    let busy = snapshot
        .functions
        .iter()
        .find(|f| f.name == "e2e_app::busy")
        .unwrap();
    assert_eq!((busy.version, busy.gated), (0, false), "{busy:?}");
    let update = snapshot
        .updates
        .iter()
        .find(|u| u.name == "stuck busy")
        .unwrap();
    assert!(
        matches!(update.outcome, Some(moult_protocol::Outcome::Aborted(_))),
        "{update:?}"
    );
    // The app goes on: the busy caller returns, other functions still answer.
    assert_eq!(app.ask("busy off"), "busy off");
    assert_eq!(app.ask("greet"), "greet hello world");
}
