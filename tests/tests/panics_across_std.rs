//! A panic in an update library's code is an ordinary panic for the app:
//! caught by the app's `catch_unwind`, an `Err` from a std thread's join,
//! the end of a DSU thread's main — never "Rust cannot catch foreign
//! exceptions" and an aborted process. And the other way round: an app
//! function panicking under a library's new version.

use std::path::PathBuf;
use std::sync::OnceLock;

use moult_e2e::{App, build};

/// Builds the app and the library once; returns the app binary.
fn app_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| build(&["e2e-app", "upd-panicky"]).join("e2e-app"))
        .clone()
}

/// The app with `compute` redefined by `upd-panicky`, its stderr in a file.
fn updated_app(tag: &str) -> (App, PathBuf) {
    let log = std::env::temp_dir().join(format!("moult-{tag}-{}.err", std::process::id()));
    let mut app = App::start_with_stderr(&app_binary(), std::fs::File::create(&log).unwrap());
    assert_eq!(app.ask("compute 1"), "compute 2");
    let outcomes = app.apply("upd-panicky");
    assert_eq!(
        outcomes,
        [r#"outcome {"outcome":"applied"}"#],
        "{:#?}",
        app.transcript
    );
    assert_eq!(app.ask("compute 1"), "compute 101", "v2 runs");
    (app, log)
}

fn stderr_of(log: &PathBuf) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let _ = std::fs::remove_file(log);
    text
}

#[test]
fn a_library_versions_panic_is_caught_by_the_apps_catch_unwind() {
    let (mut app, log) = updated_app("guarded");
    assert_eq!(app.ask("guarded 13"), "guarded panic compute v2 refuses 13");
    // The app lives and keeps calling v2.
    assert_eq!(app.ask("guarded 2"), "guarded ok 102");
    assert_eq!(app.ask("compute 3"), "compute 103");
    assert!(app.alive());
    let stderr = stderr_of(&log);
    assert!(
        stderr.contains("thread 'guard-worker' (")
            && stderr.contains("panicked at tests/fixtures/upd-panicky/src/lib.rs:")
            && stderr.contains("compute v2 refuses 13"),
        "the message and its location are printed once: {stderr}"
    );
    assert!(!stderr.contains("foreign exception"), "{stderr}");
}

#[test]
fn a_library_versions_panic_ends_a_std_thread_with_an_err_join() {
    let (mut app, log) = updated_app("joined");
    assert_eq!(app.ask("joined 13"), "joined panic compute v2 refuses 13");
    assert_eq!(app.ask("joined 4"), "joined ok 104");
    assert!(app.alive());
    let stderr = stderr_of(&log);
    assert!(!stderr.contains("foreign exception"), "{stderr}");
}

#[test]
fn a_library_versions_panic_ends_a_dsu_threads_main_and_nothing_else() {
    let (mut app, log) = updated_app("dsu");
    assert_eq!(app.ask("dsu-compute 13"), "dsu-compute prober-13");
    app.ask_until("threads", std::time::Duration::from_secs(20), |t| {
        t.contains(r#""name":"prober-13","state":{"state":"finished"}"#)
    });
    assert_eq!(
        app.ask("dsu-result"),
        "dsu-result None",
        "the main did not return"
    );
    // A second DSU thread runs v2 to the end.
    assert_eq!(app.ask("dsu-compute 5"), "dsu-compute prober-5");
    app.ask_until("dsu-result", std::time::Duration::from_secs(20), |r| {
        r == "dsu-result Some(105)"
    });
    assert!(app.alive());
    let stderr = stderr_of(&log);
    assert!(stderr.contains("compute v2 refuses 13"), "{stderr}");
    assert!(!stderr.contains("foreign exception"), "{stderr}");
}

#[test]
fn an_app_function_panicking_under_a_library_version_crosses_both_ways() {
    // app `guarded` → library v2 → app `explode` (panics in the app's std) →
    // caught by the app's std, raised again in the library's, unwinds v2,
    // caught by the library's std, raised again in the app's.
    let (mut app, log) = updated_app("explode");
    assert_eq!(app.ask("guarded 7"), "guarded panic the app explodes at 7");
    assert_eq!(app.ask("joined 7"), "joined panic the app explodes at 7");
    // v2 catches the app's panic with the library's own catch_unwind.
    assert_eq!(app.ask("guarded 9"), "guarded ok 999");
    assert_eq!(app.ask("compute 8"), "compute 108");
    assert!(app.alive());
    let stderr = stderr_of(&log);
    assert!(
        stderr.contains("panicked at tests/fixtures/e2e-app/src/lib.rs:"),
        "the app's own hook printed its panic: {stderr}"
    );
    assert!(!stderr.contains("foreign exception"), "{stderr}");
}
