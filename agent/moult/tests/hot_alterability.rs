//! Alterability of hot functions: quiescence that never comes, thread
//! filters, immediate redefinition with wait-over, operator abort.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use moult::ThreadFilter;
use moult::protocol::{EventKind, Outcome};
use moult::update::{ImmediateRedefine, SafeRedefine};

const WAIT: Duration = Duration::from_secs(20);

/// Waits until `thread` has an activation of hot function `function` running.
fn wait_active(function: &str, thread: &str) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let info = moult::runtime()
            .functions()
            .into_iter()
            .find(|f| f.name == function)
            .unwrap();
        if info
            .threads
            .iter()
            .any(|t| t.thread == thread && t.active > 0)
        {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{thread} never entered {function}"
        );
        std::thread::yield_now();
    }
}

#[moult::hot]
fn busy(release: &AtomicBool) -> u32 {
    while !release.load(Ordering::Acquire) {
        std::thread::sleep(Duration::from_millis(1));
    }
    0
}

fn busy_v2(_: &AtomicBool) -> u32 {
    2
}

#[test]
fn an_always_active_function_postpones_then_aborts_and_releases_every_caller() {
    let rt = moult::init();
    let release: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let holder = std::thread::Builder::new()
        .name("holder".into())
        .spawn(move || busy(release))
        .unwrap();
    wait_active("hot_alterability::busy", "holder");
    let cursor = rt.events().cursor();
    let func = moult::hot_fn!(busy).unwrap();
    let update = SafeRedefine::new(func, busy_v2 as fn(&AtomicBool) -> u32)
        .tries(3, Duration::from_millis(5));
    let id = rt.submit(Box::new(update));
    let outcome = rt.wait(id, WAIT).expect("finishes");
    let Outcome::Aborted(reason) = outcome else {
        panic!("expected abort, got {outcome:?}")
    };
    assert!(reason.contains("postponed 4 times"), "{reason}");
    assert!(
        reason.contains("holder in hot_alterability::busy (depth 1)"),
        "names the blocker: {reason}"
    );
    // An alterability event named the blocking thread and function.
    let events = rt.events().since(cursor).events;
    assert!(events.iter().any(|e| matches!(&e.kind, EventKind::Alterability { blockers, .. }
        if blockers.iter().any(|b| b.thread == "holder" && b.function.as_deref() == Some("hot_alterability::busy") && b.depth == 1))));
    // The gate is open again: another thread's call is not held, and still runs version 0.
    let info = rt
        .functions()
        .into_iter()
        .find(|f| f.name == "hot_alterability::busy")
        .unwrap();
    assert!(!info.gated, "gate left closed");
    let done = AtomicBool::new(true);
    assert_eq!(busy(&done), 0);
    release.store(true, Ordering::Release);
    holder.join().unwrap();
    assert_eq!(func.version(), 0);
}

#[test]
fn a_thread_filter_ignores_activations_on_other_threads() {
    let rt = moult::init();
    let release: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let entered = Arc::new(Barrier::new(2));
    let e = entered.clone();
    let other = std::thread::Builder::new()
        .name("other".into())
        .spawn(move || {
            e.wait();
            filtered(release)
        })
        .unwrap();
    entered.wait();
    wait_active("hot_alterability::filtered", "other");
    let func = moult::hot_fn!(filtered).unwrap();
    let update = SafeRedefine::new(func, busy_v2 as fn(&AtomicBool) -> u32)
        .on_threads(ThreadFilter::Named(vec!["somebody-else".into()]));
    let id = rt.submit(Box::new(update));
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
    release.store(true, Ordering::Release);
    assert_eq!(
        other.join().unwrap(),
        0,
        "the running activation finished in its old version"
    );
    assert_eq!(filtered(release), 2);
}

#[moult::hot]
fn filtered(release: &AtomicBool) -> u32 {
    busy(release)
}

// ---- immediate redefine and wait-over ---------------------------------------

#[moult::hot]
fn long_call(release: &AtomicBool) -> u32 {
    while !release.load(Ordering::Acquire) {
        std::thread::sleep(Duration::from_millis(1));
    }
    1
}

fn long_call_v2(_: &AtomicBool) -> u32 {
    2
}

#[test]
fn immediate_redefine_swaps_at_once_and_is_over_when_old_calls_return() {
    let rt = moult::init();
    let release: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let old = std::thread::Builder::new()
        .name("old-caller".into())
        .spawn(move || long_call(release))
        .unwrap();
    wait_active("hot_alterability::long_call", "old-caller");
    let func = moult::hot_fn!(long_call).unwrap();
    let id = rt.submit(Box::new(
        ImmediateRedefine::new(func, long_call_v2 as fn(&AtomicBool) -> u32)
            .tries(2000, Duration::from_millis(2)),
    ));
    // New calls get v2 at once, while the old activation still runs.
    let fresh = AtomicBool::new(true);
    let deadline = std::time::Instant::now() + WAIT;
    while long_call(&fresh) != 2 {
        assert!(std::time::Instant::now() < deadline, "swap never happened");
        std::thread::yield_now();
    }
    assert_eq!(
        rt.wait(id, Duration::from_millis(50)),
        None,
        "not over while the old call runs"
    );
    release.store(true, Ordering::Release);
    assert_eq!(old.join().unwrap(), 1);
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
}

#[test]
fn an_operator_can_abort_an_update_waiting_for_alterability() {
    let rt = moult::init();
    let release: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let holder = std::thread::Builder::new()
        .name("stuck".into())
        .spawn(move || stuck(release))
        .unwrap();
    wait_active("hot_alterability::stuck", "stuck");
    let func = moult::hot_fn!(stuck).unwrap();
    let id = rt.submit(Box::new(
        SafeRedefine::new(func, busy_v2 as fn(&AtomicBool) -> u32)
            .tries(100_000, Duration::from_millis(5)),
    ));
    while !rt.updates().iter().any(|u| u.id == id && u.attempts > 0) {
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(rt.abort(id));
    assert_eq!(
        rt.wait(id, WAIT),
        Some(Outcome::Aborted("aborted by operator".into()))
    );
    assert!(
        !rt.functions()
            .iter()
            .find(|f| f.name == "hot_alterability::stuck")
            .unwrap()
            .gated
    );
    release.store(true, Ordering::Release);
    assert_eq!(holder.join().unwrap(), 0);
}

#[moult::hot]
fn stuck(release: &AtomicBool) -> u32 {
    busy(release)
}
