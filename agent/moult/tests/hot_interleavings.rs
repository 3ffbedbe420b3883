//! Interleavings of hot calls with swaps and with a closed entry gate, sized
//! for Miri (two callers, a few dozen calls; Miri preempts threads at random
//! and checks every access against its weak-memory model) and run natively
//! with more calls.
//!
//! Run under Miri: `cargo +nightly miri test -p moult --test hot_interleavings`
//! (tests/tools/miri-tsan.sh).

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use moult::protocol::Outcome;
use moult::update::{ImmediateRedefine, SafeRedefine};
use moult::{ThreadFilter, Update, UpdateContext, UpdateError};

const WAIT: Duration = Duration::from_secs(600);
const CALLERS: usize = 2;
/// Calls per caller in the swap test.
const CALLS: u32 = if cfg!(miri) { 40 } else { 20_000 };

/// The tests share the process's manager and thread tables: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

// ---- swaps under preemption ---------------------------------------------------

/// Calls that ran a version's body, all versions together.
static SWAP_BODIES: AtomicU32 = AtomicU32::new(0);

fn swap_version<const K: u32>(x: u32) -> u32 {
    SWAP_BODIES.fetch_add(1, Ordering::Relaxed);
    x * 10 + K
}

#[moult::hot]
fn swapped(x: u32) -> u32 {
    swap_version::<0>(x)
}

/// The callers' joined results: (calls made, answers that were no version's).
fn join_callers(callers: Vec<std::thread::JoinHandle<(u32, u32)>>) -> (u32, u32) {
    callers
        .into_iter()
        .map(|c| c.join().unwrap())
        .fold((0, 0), |(a, b), (c, d)| (a + c, b + d))
}

/// Calls of `name` counted by the per-thread tables of threads named `prefix*`.
fn counted(name: &str, prefix: &str) -> u64 {
    moult::runtime()
        .functions()
        .into_iter()
        .find(|f| f.name == name)
        .unwrap()
        .threads
        .iter()
        .filter(|t| t.thread.starts_with(prefix))
        .map(|t| t.calls)
        .sum()
}

#[test]
fn callers_racing_swaps_always_run_a_whole_version_and_every_call_counts() {
    let _serial = serial();
    let rt = moult::init();
    let f = moult::hot_fn!(swapped).unwrap();
    let start = Arc::new(Barrier::new(CALLERS + 1));
    // Callers stay alive until their counters were read (tables leave with their thread).
    let finish = Arc::new(Barrier::new(CALLERS + 1));
    let callers: Vec<_> = (0..CALLERS)
        .map(|i| {
            let (start, finish) = (start.clone(), finish.clone());
            std::thread::Builder::new()
                .name(format!("swap-caller-{i}"))
                .spawn(move || {
                    start.wait();
                    let (mut last, mut wrong) = (0, 0);
                    for n in 0..CALLS {
                        let got = swapped(n);
                        let version = got.wrapping_sub(n * 10);
                        // A whole version ran (the slot never held anything
                        // else), and one thread never sees versions go back.
                        if version > 3 || version < last {
                            wrong += 1;
                        }
                        last = version;
                    }
                    finish.wait();
                    finish.wait();
                    (CALLS, wrong)
                })
                .unwrap()
        })
        .collect();
    start.wait();
    let updates: [Box<dyn Update>; 3] = [
        Box::new(ImmediateRedefine::new(f, swap_version::<1> as fn(u32) -> u32).named("swap v1")),
        Box::new(SafeRedefine::new(f, swap_version::<2> as fn(u32) -> u32).named("swap v2")),
        Box::new(ImmediateRedefine::new(f, swap_version::<3> as fn(u32) -> u32).named("swap v3")),
    ];
    for update in updates {
        let id = rt.submit(update);
        assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
    }
    finish.wait();
    let counted = counted("hot_interleavings::swapped", "swap-caller-");
    finish.wait();
    let (calls, wrong) = join_callers(callers);
    assert_eq!(
        wrong, 0,
        "a caller ran something that was no whole version, or went back"
    );
    assert_eq!(calls, CALLERS as u32 * CALLS);
    assert_eq!(
        SWAP_BODIES.load(Ordering::SeqCst),
        calls,
        "calls lost or duplicated"
    );
    assert_eq!(
        counted,
        u64::from(calls),
        "per-thread counters match the callers"
    );
    assert_eq!(swapped(1), 13);
}

// ---- a gate closed and opened while callers wait ------------------------------

/// Calls that ran a body of `held`, all versions together.
static GATE_BODIES: AtomicU32 = AtomicU32::new(0);
/// Set once the update's apply has installed version 1 (gate still closed).
static INSTALLED: AtomicBool = AtomicBool::new(false);
/// Bodies of version 0 that ran while version 1 was installed.
static STALE: AtomicU32 = AtomicU32::new(0);
/// Caller `i` is inside a call of `held` (set before calling, cleared after).
static IN_CALL: [AtomicBool; CALLERS] = [const { AtomicBool::new(false) }; CALLERS];

#[moult::hot]
fn held(x: u32) -> u32 {
    GATE_BODIES.fetch_add(1, Ordering::SeqCst);
    if INSTALLED.load(Ordering::SeqCst) {
        STALE.fetch_add(1, Ordering::SeqCst);
    }
    x
}

fn held_v1(x: u32) -> u32 {
    GATE_BODIES.fetch_add(1, Ordering::SeqCst);
    x + 1
}

/// Closes the gate, waits (in apply) until every caller is held at it,
/// checks nobody ran meanwhile, then redefines.
struct HoldCallers {
    /// Bodies run while callers were held at the closed gate.
    ran_while_closed: Arc<AtomicU32>,
}

impl Update for HoldCallers {
    fn name(&self) -> &str {
        "hold callers at the gate"
    }
    fn sleep_time(&self) -> Duration {
        Duration::from_millis(1)
    }
    fn max_tries(&self) -> u32 {
        10_000
    }
    fn check_alterability(&mut self, ctx: &mut UpdateContext) -> moult::Alterability {
        let f = moult::hot_fn!(held).unwrap();
        ctx.close_gate(f).unwrap();
        moult::Alterability::from_blockers(ctx.quiescence(f, &ThreadFilter::All))
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        let bodies = GATE_BODIES.load(Ordering::SeqCst);
        // The gate is closed and no activation runs: a caller inside a call
        // now is held at the gate (or about to be). Wait until both are.
        while IN_CALL.iter().any(|c| !c.load(Ordering::SeqCst)) {
            std::thread::yield_now();
        }
        for _ in 0..3 {
            std::thread::yield_now();
        }
        self.ran_while_closed.store(
            GATE_BODIES.load(Ordering::SeqCst) - bodies,
            Ordering::SeqCst,
        );
        ctx.redefine(moult::hot_fn!(held)?, held_v1 as fn(u32) -> u32);
        INSTALLED.store(true, Ordering::SeqCst);
        Ok(())
    }
}

#[test]
fn callers_held_at_a_closed_gate_resume_on_the_new_version_only() {
    let _serial = serial();
    let rt = moult::init();
    let stop = Arc::new(AtomicBool::new(false));
    let finish = Arc::new(Barrier::new(CALLERS + 1));
    let callers: Vec<_> = (0..CALLERS)
        .map(|i| {
            let (stop, finish) = (stop.clone(), finish.clone());
            std::thread::Builder::new()
                .name(format!("gate-caller-{i}"))
                .spawn(move || {
                    let (mut calls, mut wrong, mut new_seen) = (0, 0, false);
                    while !stop.load(Ordering::SeqCst) {
                        IN_CALL[i].store(true, Ordering::SeqCst);
                        let installed = INSTALLED.load(Ordering::SeqCst);
                        let got = held(7);
                        IN_CALL[i].store(false, Ordering::SeqCst);
                        // Version 1 answers 8; after it was installed, or
                        // once seen, version 0 (7) must never answer again.
                        if got != 8 && (installed || new_seen) {
                            wrong += 1;
                        }
                        new_seen |= got == 8;
                        calls += 1;
                    }
                    finish.wait();
                    finish.wait();
                    (calls, wrong)
                })
                .unwrap()
        })
        .collect();
    let ran_while_closed = Arc::new(AtomicU32::new(u32::MAX));
    let id = rt.submit(Box::new(HoldCallers {
        ran_while_closed: ran_while_closed.clone(),
    }));
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
    // Let the released callers make a few calls on the new version.
    let after = GATE_BODIES.load(Ordering::SeqCst);
    while GATE_BODIES.load(Ordering::SeqCst) < after + 2 * CALLERS as u32 {
        std::thread::yield_now();
    }
    stop.store(true, Ordering::SeqCst);
    finish.wait();
    let counted = counted("hot_interleavings::held", "gate-caller-");
    finish.wait();
    let (calls, wrong) = join_callers(callers);
    assert_eq!(
        ran_while_closed.load(Ordering::SeqCst),
        0,
        "a body ran while the gate was closed"
    );
    assert_eq!(wrong, 0, "a caller ran the old version after the new one");
    assert_eq!(
        STALE.load(Ordering::SeqCst),
        0,
        "version 0 ran after the swap"
    );
    assert_eq!(
        GATE_BODIES.load(Ordering::SeqCst),
        calls,
        "calls lost or duplicated"
    );
    assert_eq!(
        counted,
        u64::from(calls),
        "per-thread counters match the callers"
    );
}
