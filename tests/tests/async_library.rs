//! An update library's async new version, loaded with `dlopen` into a
//! tokio app: it runs on the app's workers, uses its own copy of tokio
//! (timer, spawned task, TCP socket) through moult's bridge, and a panic in
//! it fails only the task that called it. A task group's new main from the
//! same library sleeps on the library's tokio as well.

use moult_e2e::{App, build};

#[test]
fn an_async_library_version_sleeps_spawns_and_uses_sockets_and_its_panic_fails_one_task() {
    let dir = build(&["async-app", "upd-async"]);
    let mut app = App::start(&dir.join("async-app"));
    assert_eq!(app.ask("lookup a"), "lookup k:a");
    assert_eq!(app.ask("beat"), "beat v1");
    let outcomes = app.apply("upd-async");
    assert_eq!(
        outcomes, [r#"outcome {"outcome":"applied"}"#; 2],
        "{:#?}",
        app.transcript
    );
    assert_eq!(app.ask("lookup abc"), "lookup v2:k:ABC");
    assert_eq!(
        app.ask("lookup boom"),
        "lookup panic lookup v2 refuses boom"
    );
    assert_eq!(
        app.ask("lookup z"),
        "lookup v2:k:Z",
        "the app lives and v2 keeps serving"
    );
    // The rebooted tasks run the library's main, whose first act is a
    // sleep on the library's tokio ("no reactor running" without the bridge).
    app.ask_until("beat", std::time::Duration::from_secs(20), |b| {
        b == "beat v2"
    });
    assert!(app.alive());
}
