//! An app built with moult's `tracing` feature logs what update libraries
//! built *without* it do (issue 20): a library's copy of moult emits its
//! events on the app's event bus, whose observer is the app's copy's, so
//! they reach the app's subscriber — a library's own copy of `tracing` has
//! none. The app (`observed-app`: e2e-app's driver with a `fmt` subscriber
//! on stderr) and the libraries are built by two cargo invocations, so the
//! feature is not unified into the libraries' moult.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use moult_e2e::{App, build};

/// Builds the app, then (separately) the libraries; returns the app binary.
fn app_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let app = build(&["observed-app"]).join("observed-app");
            build(&["upd-redefine", "upd-panic-apply"]);
            app
        })
        .clone()
}

/// Waits until the app's log has a line with every one of `parts`; returns it.
fn logged(log: &PathBuf, parts: &[&str]) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(line) = text.lines().find(|l| parts.iter().all(|p| l.contains(p))) {
            return line.to_string();
        }
        assert!(
            Instant::now() < deadline,
            "no log line with {parts:?}; the app logged:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_librarys_events_reach_the_apps_subscriber() {
    let log = std::env::temp_dir().join(format!("moult-observed-{}.err", std::process::id()));
    let mut app = App::start_with_stderr(&app_binary(), std::fs::File::create(&log).unwrap());

    let outcomes = app.apply("upd-redefine");
    assert_eq!(
        outcomes, [r#"outcome {"outcome":"applied"}"#; 2],
        "{:#?}",
        app.transcript
    );
    // Emitted by the library's copy of moult (its SafeRedefine's `apply`).
    logged(
        &log,
        &["INFO moult:", "function redefined", "e2e_app::greeting"],
    );
    logged(&log, &["INFO moult:", "update applied", "greeting v2"]);

    let outcomes = app.apply("upd-panic-apply");
    assert!(
        outcomes[0].contains("rolled_back"),
        "{outcomes:?} {:#?}",
        app.transcript
    );
    let done = logged(&log, &["WARN moult:", "update rolled_back", "explodes"]);
    assert!(done.contains("update bug: index out of range"), "{done}");
    logged(&log, &["WARN moult:", "undone by a rollback", "explodes"]);
    assert!(app.alive());
    let _ = std::fs::remove_file(&log);
}
