//! The model built from canned transcripts, as the views will see it.

use moult_protocol::{LifecycleStep, Outcome, ThreadState};

use super::*;
use crate::tui::fixtures::replay;

#[test]
fn an_empty_app_is_connected_with_nothing_to_show() {
    let s = replay("empty");
    assert_eq!(s.link, Link::Connected);
    assert_eq!(s.app_name(), "quiet-app");
    assert!(s.threads.is_empty() && s.functions.rows.is_empty());
    assert!(s.updates.focus().is_none());
    assert_eq!(s.uptime_ms, 5000);
}

#[test]
fn a_busy_app_has_rates_live_counts_a_lazy_gauge_and_dropped_events() {
    let s = replay("busy");
    let pick = &s.functions.rows[0];
    assert_eq!(pick.info.name, "step2_series::pick");
    let rates: Vec<u64> = pick.history.tail(10).collect();
    // Calls per thousand seconds, over the window of snapshots.
    assert_eq!(rates, [400_000, 300_000]);
    let integer = &s.classes.rows[0];
    assert_eq!(integer.live, 10_000);
    let c = integer.conversion.unwrap();
    assert_eq!((c.converted, c.total, c.lazy), (5000, 10_000, true));
    assert_eq!(s.dropped_events, 7);
    assert_eq!(s.journal.len(), 3);
    assert_eq!(
        s.threads[1].state,
        ThreadState::Parked("before_print".into())
    );
    assert_eq!(s.events.len(), 2);
}

#[test]
fn a_blocked_update_keeps_every_attempt_with_its_blockers() {
    let s = replay("blocked");
    let u = s.updates.current().expect("an update runs");
    assert_eq!((u.id, u.name.as_str()), (1, "blocked busy"));
    assert_eq!(u.step, LifecycleStep::Alterability);
    assert_eq!((u.attempts, u.max_tries), (3, Some(600)));
    assert_eq!(u.tries.len(), 3);
    let b = &u.last_blockers()[0];
    assert_eq!(
        (b.thread.as_str(), b.function.as_deref(), b.depth),
        ("busy-caller", Some("e2e_app::busy"), 1)
    );
    assert!(s.functions.rows[1].info.gated);
}

#[test]
fn a_rolled_back_update_says_why_and_what_was_undone() {
    let s = replay("rolled_back");
    let u = s.updates.focus().unwrap();
    assert!(u.is_done());
    assert!(matches!(&u.outcome, Some(Outcome::RolledBack(r)) if r.contains("overflow")));
    assert_eq!(u.rolled_back.len(), 2);
    assert_eq!(s.functions.rows[0].info.version, 0, "the snapshot after it");
    assert_eq!(s.classes.rows[0].conversion, None);
}

#[test]
fn a_detached_app_keeps_its_last_state() {
    let s = replay("detached");
    assert_eq!(s.link.word(), "detached");
    assert!(s.updates.current().is_some());
    let mut again = s.clone();
    let mut agent = s.agent.clone().unwrap();
    again.attached(agent.clone());
    assert_eq!(again.updates.rows.len(), 1, "same pid: same app");
    agent.pid += 1;
    again.attached(agent);
    assert_eq!(again.link, Link::Connected);
    assert!(again.updates.rows.is_empty(), "a new process starts clean");
}
