//! The held window (issue 16): an update waiting for alterability wakes on
//! the event it waits for — a thread parking at its point, the last old
//! activation of a gated function returning — instead of at its next poll.
//!
//! Every update here polls every 10 s (`sleep_time`) with 2 tries, and must
//! finish within 5 s: only a wake-up on the event can do that. No test
//! asserts a tight time. One process per test file; each test uses its own
//! names.
//!
//! Not under Miri: they measure wall-clock wake-ups against a 10 s poll,
//! and under Miri callers fence themselves (no `membarrier`), where the
//! wake-up on a return is best-effort (the poll stays the bound). The
//! notifier itself runs under Miri in `progress.rs`'s unit tests (`--lib`).
#![cfg(not(miri))]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use moult::dsu::{AtUpdatePoints, DsuThread};
use moult::protocol::{EventKind, Outcome, ThreadState};
use moult::update::{ImmediateRedefine, SafeRedefine};
use moult::{ThreadFilter, UpdateContext, UpdateId};

/// The poll interval of every update here: far above `DONE`.
const POLL: Duration = Duration::from_secs(10);
/// How long an update may take, event to outcome: far below `POLL`.
const DONE: Duration = Duration::from_secs(5);
/// For waits that are not what a test measures.
const WAIT: Duration = Duration::from_secs(30);

/// Serialises the tests (one update at a time per process anyway; this
/// keeps one test's update from queueing behind another's 10 s poll).
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Waits until update `id` made its first alterability attempt (and found
/// the app blocked: what each test arranges).
fn first_attempt_made(id: UpdateId) {
    let rt = moult::runtime();
    wait_until("the first alterability attempt", || {
        rt.updates().iter().any(|u| u.id == id && u.attempts > 0)
    });
}

/// The alterability attempts update `id` reported since `cursor`: (attempt, ready).
fn attempts(cursor: u64, id: UpdateId) -> Vec<(u32, bool)> {
    moult::runtime()
        .events()
        .since(cursor)
        .events
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::Alterability {
                id: i,
                attempt,
                blockers,
                ..
            } if i == id => Some((attempt, blockers.is_empty())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_thread_parking_at_its_point_gets_the_update_before_the_next_poll() {
    let _serial = serial();
    let rt = moult::runtime();
    // The thread passes its point only when `go` says so.
    let go = Arc::new(AtomicBool::new(false));
    let passes = Arc::new(AtomicU64::new(0));
    let (go2, passes2) = (go.clone(), passes.clone());
    let t = moult::dsu::spawn("held-park", move || {
        loop {
            moult::update_point!("held-point");
            passes2.fetch_add(1, Ordering::SeqCst);
            while !go2.swap(false, Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    })
    .unwrap();
    wait_until("the thread's first pass", || {
        passes.load(Ordering::SeqCst) == 1
    });

    let cursor = rt.events().cursor();
    let applied_at = Arc::new(Mutex::new(None));
    let applied2 = applied_at.clone();
    let update = AtUpdatePoints::new("held park", move |_ctx: &mut UpdateContext| {
        *applied2.lock().unwrap() = Some(Instant::now());
        Ok(())
    })
    .on_threads(ThreadFilter::Named(vec!["held-park".into()]))
    .at_point("held-point")
    .tries(2, POLL);
    let id = rt.submit(Box::new(update));
    first_attempt_made(id);
    let parked_from = Instant::now();
    go.store(true, Ordering::SeqCst); // on to its point, where it parks
    assert_eq!(rt.wait(id, DONE), Some(Outcome::Applied));
    let applied = applied_at.lock().unwrap().expect("apply ran");
    assert!(applied - parked_from < DONE, "{:?}", applied - parked_from);
    assert_eq!(
        attempts(cursor, id),
        vec![(1, false), (2, true)],
        "the wake-up on the park is the second attempt"
    );
    wait_until("the thread running again", || {
        t.state() == ThreadState::Running && passes.load(Ordering::SeqCst) >= 1
    });
}

/// Returns once `release` is set; counts itself in `running` meanwhile.
#[moult::hot]
fn held_call(release: &AtomicBool, running: &AtomicU64) -> u32 {
    running.fetch_add(1, Ordering::SeqCst);
    while !release.load(Ordering::Acquire) {
        std::thread::sleep(Duration::from_millis(1));
    }
    running.fetch_sub(1, Ordering::SeqCst);
    1
}

fn held_call_v2(_release: &AtomicBool, _running: &AtomicU64) -> u32 {
    2
}

type HeldCall = fn(&AtomicBool, &AtomicU64) -> u32;

#[test]
fn the_last_old_call_returning_gets_a_safe_redefine_applied_before_the_next_poll() {
    let _serial = serial();
    let rt = moult::runtime();
    let release: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let running: &'static AtomicU64 = Box::leak(Box::new(AtomicU64::new(0)));
    let old = std::thread::spawn(move || held_call(release, running));
    wait_until("the old call running", || {
        running.load(Ordering::SeqCst) == 1
    });

    let cursor = rt.events().cursor();
    let func = moult::hot_fn!(held_call).unwrap();
    let id = rt.submit(Box::new(
        SafeRedefine::new(func, held_call_v2 as HeldCall).tries(2, POLL),
    ));
    first_attempt_made(id);
    release.store(true, Ordering::Release); // the last old activation returns
    assert_eq!(old.join().unwrap(), 1, "the old call ran the old version");
    assert_eq!(rt.wait(id, DONE), Some(Outcome::Applied));
    assert_eq!(attempts(cursor, id), vec![(1, false), (2, true)]);
    assert_eq!(held_call(release, running), 2);
}

/// Like [`held_call`], redefined immediately (old activations keep running).
#[moult::hot]
fn held_over(release: &AtomicBool, running: &AtomicU64) -> u32 {
    running.fetch_add(1, Ordering::SeqCst);
    while !release.load(Ordering::Acquire) {
        std::thread::sleep(Duration::from_millis(1));
    }
    running.fetch_sub(1, Ordering::SeqCst);
    1
}

#[test]
fn the_last_old_call_returning_ends_an_immediate_redefines_wait_over() {
    let _serial = serial();
    let rt = moult::runtime();
    let release: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let running: &'static AtomicU64 = Box::leak(Box::new(AtomicU64::new(0)));
    let old = std::thread::spawn(move || held_over(release, running));
    wait_until("the old call running", || {
        running.load(Ordering::SeqCst) == 1
    });

    let func = moult::hot_fn!(held_over).unwrap();
    let id = rt.submit(Box::new(
        ImmediateRedefine::new(func, held_call_v2 as HeldCall).tries(2, POLL),
    ));
    // Swapped at once: new calls run version 2 while the old one runs.
    let fresh = AtomicBool::new(true);
    wait_until("the swap", || held_over(&fresh, running) == 2);
    wait_until("the wait-over step", || {
        rt.updates()
            .iter()
            .any(|u| u.id == id && u.step == moult::protocol::LifecycleStep::Over)
    });
    release.store(true, Ordering::Release);
    assert_eq!(old.join().unwrap(), 1);
    assert_eq!(rt.wait(id, DONE), Some(Outcome::Applied));
}

/// Version of `left` / `right`: both change in one update, at points.
#[moult::hot]
fn left() -> u64 {
    0
}

#[moult::hot]
fn right() -> u64 {
    0
}

/// Called by plain threads while safe redefines swap it.
#[moult::hot]
fn stamp(x: u64) -> (u64, u64) {
    (x, x)
}

/// Versions for the stress: `k` in both halves (a caller that saw half an
/// update would see two different numbers).
macro_rules! versions {
    ($($n:literal),*) => {
        [$({
            fn v(_x: u64) -> (u64, u64) {
                ($n, $n)
            }
            v as fn(u64) -> (u64, u64)
        }),*]
    };
}

macro_rules! constants {
    ($($n:literal),*) => {
        [$({
            fn v() -> u64 {
                $n
            }
            v as fn() -> u64
        }),*]
    };
}

#[test]
fn many_threads_and_updates_lose_no_wake_up_and_see_no_half_update() {
    let _serial = serial();
    let rt = moult::runtime();
    let stop = Arc::new(AtomicBool::new(false));
    let torn = Arc::new(AtomicU64::new(0));
    // DSU threads: `left` and `right` must agree between two points.
    let dsu: Vec<DsuThread> = (0..4)
        .map(|i| {
            let (stop, torn) = (stop.clone(), torn.clone());
            moult::dsu::spawn(&format!("held-stress-{i}"), move || {
                while !stop.load(Ordering::Relaxed) {
                    moult::update_point!("stress-point");
                    let l = left();
                    std::hint::spin_loop();
                    if right() != l {
                        torn.fetch_add(1, Ordering::SeqCst);
                    }
                    std::thread::sleep(Duration::from_micros(50));
                }
            })
            .unwrap()
        })
        .collect();
    // Plain threads calling `stamp` through every safe redefine.
    let callers: Vec<_> = (0..4)
        .map(|_| {
            let (stop, torn) = (stop.clone(), torn.clone());
            std::thread::spawn(move || {
                let mut calls = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let (a, b) = stamp(calls);
                    if a != b {
                        torn.fetch_add(1, Ordering::SeqCst);
                    }
                    calls += 1;
                }
                calls
            })
        })
        .collect();

    let lefts = constants!(1, 2, 3, 4);
    let rights = constants!(1, 2, 3, 4);
    let stamps = versions!(1, 2, 3, 4);
    let names: Vec<String> = (0..4).map(|i| format!("held-stress-{i}")).collect();
    let (left_fn, right_fn, stamp_fn) = (
        moult::hot_fn!(left).unwrap(),
        moult::hot_fn!(right).unwrap(),
        moult::hot_fn!(stamp).unwrap(),
    );
    let rounds = if cfg!(debug_assertions) { 150 } else { 400 };
    let started = Instant::now();
    for n in 0..rounds {
        let k = n % 4;
        let (l, r) = (lefts[k], rights[k]);
        let at_points = AtUpdatePoints::new(format!("held stress points {n}"), move |ctx| {
            ctx.redefine(left_fn, l);
            ctx.redefine(right_fn, r);
            Ok(())
        })
        .on_threads(ThreadFilter::Named(names.clone()))
        .at_point("stress-point")
        .tries(2, POLL);
        let id = rt.submit(Box::new(at_points));
        let outcome = rt.wait(id, DONE);
        assert_eq!(outcome, Some(Outcome::Applied), "round {n}: parks");

        let id = rt.submit(Box::new(
            SafeRedefine::new(stamp_fn, stamps[k])
                .named(format!("held stress stamp {n}"))
                .tries(2, POLL),
        ));
        assert_eq!(rt.wait(id, DONE), Some(Outcome::Applied), "round {n}: gate");
    }
    let elapsed = started.elapsed();

    stop.store(true, Ordering::SeqCst);
    for t in &dsu {
        assert!(t.join(WAIT), "a DSU thread was left parked");
    }
    let calls: u64 = callers.into_iter().map(|c| c.join().unwrap()).sum();
    assert!(calls > 0);
    assert_eq!(
        torn.load(Ordering::SeqCst),
        0,
        "a caller saw half an update"
    );
    assert!(
        rt.functions()
            .iter()
            .filter(|f| ["left", "right", "stamp"]
                .iter()
                .any(|n| f.name.ends_with(n)))
            .all(|f| !f.gated),
        "a gate was left closed"
    );
    eprintln!("{} updates in {elapsed:?}", 2 * rounds);
}
