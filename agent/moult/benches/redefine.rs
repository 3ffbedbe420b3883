//! Time to swap a quiescent hot function.
//!
//! `cargo bench -p moult --bench redefine` — every case redefines the same
//! quiescent hot function (alternating two new versions) through a
//! [`PolledManager`] polled on the bench thread, so no thread hop is timed:
//!
//! - `swap`: `UpdateContext::redefine` alone, inside `apply`, with the entry
//!   gate closed (what `SafeRedefine::apply` does): the narrowest public
//!   measure of the swap;
//! - `held_window`: from `pause_hook` (alterability reached: gate closed,
//!   function quiescent) to `resume_hook` (gate reopened on the new version):
//!   how long new callers are held by a safe redefine once quiescent — the
//!   apply and resume steps, their events, and the release of the gate;
//! - `safe_redefine_lifecycle`: `submit(SafeRedefine)` + `poll()` until the
//!   outcome: the whole lifecycle (requirements, gate, heavy fence and
//!   quiescence check, apply, resume, events, manager bookkeeping);
//! - `baseline/atomic_store+mutex`: an `AtomicPtr` store plus a `Mutex`
//!   lock/unlock, the floor of any swap that publishes a pointer under a lock.
//!
//! Target: swap once quiescent ≤ 10 µs. The table at the end gives each
//! median as a ratio to the baseline. Under `cargo test` each case runs once.

use std::hint::black_box;
use std::sync::Mutex;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use moult::update::{PolledManager, SafeRedefine};
use moult::{Alterability, Func, ThreadFilter, Update, UpdateContext, UpdateError};

mod common;
use common::{Row, estimate, print_table};

/// The function every case redefines.
#[moult::hot]
#[inline(never)]
fn target(x: u64) -> u64 {
    x + 1
}

fn version_a(x: u64) -> u64 {
    x + 2
}

fn version_b(x: u64) -> u64 {
    x + 3
}

type Target = fn(u64) -> u64;

/// Timings one [`TimedRedefine`] records (the manager runs it on the
/// polling thread, so a plain static slot is enough).
#[derive(Default, Clone, Copy)]
struct Timings {
    paused_at: Option<Instant>,
    swap: Duration,
    window: Duration,
}

static TIMINGS: Mutex<Timings> = Mutex::new(Timings {
    paused_at: None,
    swap: Duration::ZERO,
    window: Duration::ZERO,
});

fn timings() -> std::sync::MutexGuard<'static, Timings> {
    TIMINGS.lock().unwrap_or_else(|e| e.into_inner())
}

/// `SafeRedefine`'s alterability check and apply, with clocks around the
/// swap and around the held window (see the file docs).
struct TimedRedefine {
    func: Func<Target>,
    new: Target,
}

impl Update for TimedRedefine {
    fn name(&self) -> &str {
        "timed redefine"
    }
    fn check_alterability(&mut self, ctx: &mut UpdateContext) -> Alterability {
        ctx.close_gate(self.func)
            .expect("no other update holds the gate");
        Alterability::from_blockers(ctx.quiescence(self.func, &ThreadFilter::All))
    }
    fn pause_hook(&mut self, _ctx: &mut UpdateContext) {
        timings().paused_at = Some(Instant::now());
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        let t0 = Instant::now();
        ctx.redefine(self.func, self.new);
        let swap = t0.elapsed();
        timings().swap = swap;
        Ok(())
    }
    fn resume_hook(&mut self, _ctx: &mut UpdateContext) {
        let now = Instant::now();
        let mut t = timings();
        t.window = now - t.paused_at.take().expect("pause_hook ran");
    }
}

/// The version the `n`-th redefine installs (alternating, so each one changes).
fn version(n: u64) -> Target {
    if n.is_multiple_of(2) {
        version_a
    } else {
        version_b
    }
}

/// Runs one timed redefine to its end on this thread; returns its timings.
fn timed_redefine(polled: &PolledManager, func: Func<Target>, n: u64) -> Timings {
    let rt = moult::runtime();
    let new = version(n);
    let id = rt.submit(Box::new(TimedRedefine { func, new }));
    polled.poll();
    assert_eq!(
        rt.wait(id, Duration::ZERO),
        Some(moult::protocol::Outcome::Applied)
    );
    *timings()
}

fn bench(c: &mut Criterion) {
    moult::init();
    let func = moult::hot_fn!(target).expect("registered");
    let polled = PolledManager::install();
    let rt = moult::runtime();
    let mut n = 0u64;
    let mut g = c.benchmark_group("redefine");
    g.warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(30);

    g.bench_function("swap", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    n += 1;
                    timed_redefine(&polled, func, n).swap
                })
                .sum()
        })
    });
    g.bench_function("held_window", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    n += 1;
                    timed_redefine(&polled, func, n).window
                })
                .sum()
        })
    });
    g.bench_function("safe_redefine_lifecycle", |b| {
        b.iter_custom(|iters| {
            let t0 = Instant::now();
            for _ in 0..iters {
                n += 1;
                rt.submit(Box::new(SafeRedefine::new(func, version(n))));
                polled.poll();
            }
            t0.elapsed()
        })
    });
    // The last redefine installed version(n): the new version runs.
    assert_eq!(target(10), version(n)(10), "the last redefine took effect");

    let slot = AtomicPtr::new(std::ptr::null_mut::<()>());
    let lock = Mutex::new(0u64);
    let (pa, pb) = (version_a as *mut (), version_b as *mut ());
    g.bench_function("baseline/atomic_store+mutex", |b| {
        let mut k = 0u64;
        b.iter(|| {
            k += 1;
            let mut guard = lock.lock().unwrap_or_else(|e| e.into_inner());
            *guard += 1;
            slot.store(
                black_box(if k.is_multiple_of(2) { pa } else { pb }),
                Ordering::Release,
            );
            drop(guard);
        })
    });
    g.finish();
    drop(polled);
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}

/// Prints the table of ratios to the baseline (medians of this run).
fn summary() {
    let Some((base, _)) = estimate("redefine", "baseline/atomic_store+mutex") else {
        return;
    };
    let mut rows = Vec::new();
    for id in [
        "swap",
        "held_window",
        "safe_redefine_lifecycle",
        "baseline/atomic_store+mutex",
    ] {
        let (Some(row), Some((m, _))) = (Row::timed("redefine", id), estimate("redefine", id))
        else {
            continue;
        };
        let row = row.ratio(m / base, "baseline");
        rows.push(match id {
            "swap" | "held_window" => row.target("≤ 10 µs once quiescent", m <= 10_000.0),
            _ => row,
        });
    }
    print_table("redefine: one quiescent hot function", &rows);
}
