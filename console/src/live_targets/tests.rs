//! The live table's reducers: what each report does to a row.

use serde_json::json;

use super::fixtures::{agent, member, snapshot};
use super::summary::Summary;
use super::*;

fn table() -> TargetTable {
    TargetTable::new(vec![
        member("ssh://ops@web1/api"),
        member("ssh://ops@web2:2222/api"),
    ])
}

fn report(index: usize, news: News) -> Report {
    Report { index, news }
}

#[test]
fn rows_start_connecting_and_follow_their_reports() {
    let mut t = table();
    assert!(t.rows.iter().all(|r| r.link == LinkState::Connecting));
    assert_eq!(t.rows[1].member.host(), "ops@web2:2222");
    t.apply(&report(0, News::Connected(Box::new(agent("api", 7)))));
    t.apply(&report(1, News::Unreachable("ssh: connect refused".into())));
    assert_eq!(t.rows[0].link, LinkState::Connected);
    assert_eq!(t.rows[0].agent.as_ref().unwrap().pid, 7);
    assert_eq!(
        t.rows[1].link,
        LinkState::Unreachable("ssh: connect refused".into())
    );
    assert_eq!(t.counts(), (1, 1));
    // A report about no row changes nothing.
    let before = t.clone();
    t.apply(&report(9, News::Connected(Box::new(agent("x", 1)))));
    assert_eq!(t, before);
}

#[test]
fn an_unreachable_target_keeps_what_was_known_and_a_new_process_forgets_it() {
    let mut t = table();
    t.apply(&report(
        0,
        News::Snapshot(Box::new(snapshot("api", 7, 1, false, json!([])))),
    ));
    t.apply(&report(0, News::Unreachable("connection lost".into())));
    assert!(t.rows[0].summary.is_some(), "kept, drawn stale");
    t.apply(&report(0, News::Connected(Box::new(agent("api", 7)))));
    assert!(t.rows[0].summary.is_some(), "same process");
    t.apply(&report(0, News::Connected(Box::new(agent("api", 8)))));
    assert_eq!(t.rows[0].summary, None, "another process");
    t.apply(&report(0, News::Output("{}".into())));
    assert_eq!(t.rows[0].link, LinkState::Connected);
}

#[test]
fn a_summary_has_short_versions_the_running_or_newest_update_and_health() {
    let updates = json!([
        {"id": 1, "name": "v2", "step": "done", "attempts": 1, "outcome": {"outcome": "applied"}},
        {"id": 2, "name": "v3", "step": "done", "attempts": 1,
         "outcome": {"outcome": "rolled_back", "reason": "apply panicked"}}
    ]);
    let s = Summary::of(&snapshot("step1-hello", 7, 1, true, updates));
    assert_eq!(s.versions_text(), "hello v1, tock v0");
    let update = s.update.unwrap();
    assert_eq!(update.name, "#2 v3");
    assert_eq!(update.state, "rolled back: apply panicked");
    assert!(update.bad);
    assert_eq!((s.panics, s.calls), (2, 500), "current versions only");

    let running = json!([
        {"id": 1, "name": "v2", "step": "done", "attempts": 1, "outcome": {"outcome": "applied"}, "reverted_by": 3},
        {"id": 4, "name": "v4", "step": "alterability", "attempts": 2}
    ]);
    let s = Summary::of(&snapshot("a", 1, 0, false, running.clone()));
    let u = s.update.unwrap();
    assert_eq!(
        (u.name.as_str(), u.state.as_str(), u.bad),
        ("#4 v4", "alterability", false)
    );
    let reverted = json!([running[0]]);
    let u = Summary::of(&snapshot("a", 1, 0, false, reverted))
        .update
        .unwrap();
    assert_eq!((u.state.as_str(), u.bad), ("reverted by #3", true));
    assert_eq!(
        Summary::of(&snapshot("a", 1, 0, false, json!([]))).update,
        None
    );
}

#[test]
fn the_pool_reports_an_unreachable_local_target_and_stops_when_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let route = crate::remote::Route::Local {
        dir: dir.path().to_path_buf(),
        target: crate::target::Target::App("nothing-here".into()),
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let pool = Pool::start(
        vec![Member {
            name: "nothing-here".into(),
            route,
        }],
        Probes {
            snapshots: true,
            command: None,
            workers: 4,
            every: std::time::Duration::from_millis(10),
        },
        tx,
    );
    let got = rx.recv().unwrap();
    assert_eq!(got.index, 0);
    match got.news {
        News::Unreachable(why) => assert!(why.contains("nothing-here"), "{why}"),
        other => panic!("{other:?}"),
    }
    drop(pool);
    drop(rx);
}
