//! Update libraries work in apps with another global allocator: they
//! allocate and free through the app's (`library/host_alloc.rs`), so no
//! block ever crosses between two allocators.
//!
//! Two apps run every kind of update: `e2e-app-strict`, whose allocator
//! aborts the process on any block it did not hand out (what mimalloc or
//! jemalloc would do sooner or later, made immediate), and
//! `e2e-app-mimalloc`, with mimalloc itself.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use moult_e2e::{App, build};

const FIXTURES: &[&str] = &[
    "e2e-app",
    "upd-redefine",
    "upd-convert",
    "upd-convert-lazy",
    "upd-reboot",
    "upd-panic-apply",
    "upd-panicky",
];

/// Builds the apps and libraries once; returns the binaries' directory.
fn bin_dir() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| build(FIXTURES)).clone()
}

const APPLIED: &str = r#"outcome {"outcome":"applied"}"#;

/// Redefinition (its new version calls back into the app), both kinds of
/// conversion, a reboot onto a library main, a panicking apply rolled back
/// and a panicking new version: the app lives through all of them.
fn every_kind_of_update(binary: &str) {
    // The lazy conversion, in an app of its own (both conversions start
    // from version 0).
    let mut app = App::start(&bin_dir().join(binary));
    assert_eq!(app.apply("upd-convert-lazy"), [APPLIED]);
    assert_eq!(
        app.ask("shapes"),
        "shapes green square 1, green square 2, green square 3, green square 4, green square 5"
    );
    assert!(app.alive());
    drop(app);

    let log = std::env::temp_dir().join(format!("moult-{binary}-{}.err", std::process::id()));
    let mut app = App::start_with_stderr(
        &bin_dir().join(binary),
        std::fs::File::create(&log).unwrap(),
    );
    let stderr = || std::fs::read_to_string(&log).unwrap_or_default();

    assert_eq!(app.apply("upd-redefine"), [APPLIED; 2], "{}", stderr());
    assert_eq!(app.ask("greet"), "greet hello moult (42)");

    assert_eq!(app.apply("upd-convert"), [APPLIED], "{}", stderr());
    assert_eq!(
        app.ask("shapes"),
        "shapes red square 1, red square 2, red square 3, red square 4, red square 5"
    );
    assert_eq!(app.ask("new-shape 9"), "new-shape blue square 9");

    assert_eq!(app.apply("upd-reboot"), [APPLIED], "{}", stderr());
    app.ask_until("worker", Duration::from_secs(20), |s| {
        s.starts_with("worker worker v2 start 1 image ")
    });

    let rolled_back = app.apply("upd-panic-apply");
    assert!(
        rolled_back[0].contains(r#""outcome":"rolled_back""#),
        "{rolled_back:?}"
    );
    assert_eq!(app.ask("compute 1"), "compute 2");

    assert_eq!(app.apply("upd-panicky"), [APPLIED], "{}", stderr());
    assert_eq!(app.ask("guarded 13"), "guarded panic compute v2 refuses 13");
    assert_eq!(app.ask("compute 1"), "compute 101");

    // Values of library types the app drops, libraries' strings in events.
    assert_eq!(app.ask("spam 200"), "spam 200");
    assert!(app.alive(), "{}", stderr());
    let text = stderr();
    let _ = std::fs::remove_file(&log);
    assert!(!text.contains("strict-alloc:"), "{text}");
}

#[test]
fn every_kind_of_update_works_under_an_allocator_that_refuses_foreign_blocks() {
    every_kind_of_update("e2e-app-strict");
}

#[test]
fn every_kind_of_update_works_under_mimalloc() {
    every_kind_of_update("e2e-app-mimalloc");
}
