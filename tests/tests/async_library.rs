//! An update library's async new version, loaded with `dlopen` into a
//! tokio app: it runs on the app's workers, uses its own copy of tokio
//! (timer, spawned task, TCP socket) through moult's bridge, and a panic in
//! it fails only the task that called it.

use moult_e2e::{App, build};

#[test]
fn an_async_library_version_sleeps_spawns_and_uses_sockets_and_its_panic_fails_one_task() {
    let dir = build(&["async-app", "upd-async"]);
    let mut app = App::start(&dir.join("async-app"));
    assert_eq!(app.ask("lookup a"), "lookup k:a");
    let outcomes = app.apply("upd-async");
    assert_eq!(
        outcomes,
        [r#"outcome {"outcome":"applied"}"#],
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
    assert!(app.alive());
}
