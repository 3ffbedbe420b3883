//! Cost of calling a hot `async fn` against a plain `async fn`, awaited in
//! a loop inside one task (a minimal executor polls it: no scheduler in
//! the figure).
//!
//! `cargo bench -p moult --bench hot_async` — criterion measures each case;
//! the bench then prints each median as a ratio to the plain `async fn`
//! call measured in the same run (targets, issue 17: version 0 ≤ 1.1×, a
//! library version ≤ 1.5×). The library-version case installs a version
//! owned by moult's stand-in for another copy of `std`, as `hot_call`
//! does: the call boxes the future and polls and drops it through that
//! copy's panic catch, the path a `dlopen`ed library's version takes.
//!
//! Two controls show what the targets sit on: `counted_async_fn` is the
//! plain `async fn` with a begin and an end counted on this thread's
//! counters and nothing else (the least any activation count costs: the
//! safe-redefine guarantee needs one), and `boxed_async_fn` is the plain
//! `async fn` boxed (the one allocation a library version may cost).

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::Barrier;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use moult::hot::BoxFuture;

mod common;
use common::{Row, estimate, print_table};

/// Polls `f` to completion on this thread; the futures here never wait.
fn run<T>(f: impl Future<Output = T>) -> T {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

#[inline(never)]
async fn plain_body(x: u64) -> u64 {
    x.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(7)
}

thread_local! {
    /// The floor case's counters: a const-initialised thread-local, the
    /// cheapest per-thread memory Rust has.
    static BEGUN: AtomicU64 = const { AtomicU64::new(0) };
    static ENDED: AtomicU64 = const { AtomicU64::new(0) };
}

/// Bumps `counter` the way moult's thread table does: a relaxed load and a
/// store (atomic, so the compiler cannot keep it in a register across
/// calls, as it must not for a counter another thread reads).
#[inline(always)]
fn bump(counter: &'static std::thread::LocalKey<AtomicU64>) {
    counter.with(|c| c.store(c.load(Ordering::Relaxed) + 1, Ordering::Relaxed));
}

/// Counts its own end, on drop (completion or cancellation).
struct Ends;

impl Drop for Ends {
    #[inline(always)]
    fn drop(&mut self) {
        bump(&ENDED);
    }
}

/// The floor of any activation count: `plain_body` with a begin counted
/// at its first poll and an end counted at its drop, on this thread's
/// counters, and nothing else (no slot, no gate, no version check).
#[inline(never)]
async fn counted_body(x: u64) -> u64 {
    bump(&BEGUN);
    let _end = Ends;
    plain_body(x).await
}

#[moult::hot]
#[inline(never)]
async fn hot_body(x: u64) -> u64 {
    x.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(7)
}

#[moult::hot]
async fn hot_lib_body(x: u64) -> u64 {
    x
}

#[moult::async_version]
async fn lib_body(x: u64) -> u64 {
    x.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(7)
}

fn timed<F: Future<Output = u64>>(iters: u64, call: impl Fn(u64) -> F) -> Duration {
    let t0 = Instant::now();
    let acc = run(async {
        let mut acc = 0u64;
        for i in 0..iters {
            acc = acc.wrapping_add(call(black_box(i)).await);
        }
        acc
    });
    black_box(acc);
    t0.elapsed()
}

/// [`timed`] on `threads` threads at once: the wall time, i.e. the time
/// per call on each thread × iters.
fn concurrent<F: Future<Output = u64>>(
    threads: usize,
    iters: u64,
    call: impl Fn(u64) -> F + Sync,
) -> Duration {
    let start = Barrier::new(threads + 1);
    let end = Barrier::new(threads + 1);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                start.wait();
                timed(iters, &call);
                end.wait();
            });
        }
        start.wait();
        let t0 = Instant::now();
        end.wait();
        t0.elapsed()
    })
}

fn bench(c: &mut Criterion) {
    moult::init();
    let lib: fn(u64) -> BoxFuture<'static, u64> = lib_body;
    moult::hot_fn!(hot_lib_body)
        .expect("registered")
        .install_as_library_version(lib);
    assert_eq!(
        run(hot_lib_body(3)),
        run(plain_body(3)),
        "the library version runs"
    );
    assert_eq!(run(hot_body(3)), run(plain_body(3)));
    let mut g = c.benchmark_group("hot_async");
    g.bench_function("plain_async_fn", |b| {
        b.iter_custom(|n| timed(n, plain_body))
    });
    g.bench_function("boxed_async_fn", |b| {
        b.iter_custom(|n| timed(n, |x| Box::pin(plain_body(x))))
    });
    g.bench_function("counted_async_fn", |b| {
        b.iter_custom(|n| timed(n, counted_body))
    });
    g.bench_function("hot_v0", |b| b.iter_custom(|n| timed(n, hot_body)));
    g.bench_function("hot_library_version", |b| {
        b.iter_custom(|n| timed(n, hot_lib_body))
    });
    g.bench_function("plain_async_fn/2_threads", |b| {
        b.iter_custom(|n| concurrent(2, n, plain_body))
    });
    g.bench_function("hot_v0/2_threads", |b| {
        b.iter_custom(|n| concurrent(2, n, hot_body))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = bench
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}

fn summary() {
    let med = |id: &str| estimate("hot_async", id).map(|(m, _)| m);
    let Some(plain) = med("plain_async_fn") else {
        return;
    };
    let mut rows = vec![Row::timed("hot_async", "plain_async_fn").expect("measured")];
    if let Some(r) = Row::timed("hot_async", "boxed_async_fn") {
        let v = med("boxed_async_fn").unwrap_or(f64::NAN) / plain;
        rows.push(r.ratio(v, "plain async fn"));
    }
    // The floors the targets sit on: counting an activation at all, and the
    // one allocation a library version's boxed future may cost.
    if let Some(r) = Row::timed("hot_async", "counted_async_fn") {
        let v = med("counted_async_fn").unwrap_or(f64::NAN) / plain;
        rows.push(r.ratio(v, "plain async fn (floor: a begin and an end counted)"));
    }
    for (id, target) in [("hot_v0", 1.1), ("hot_library_version", 1.5)] {
        if let Some(r) = Row::timed("hot_async", id) {
            let v = med(id).unwrap_or(f64::NAN) / plain;
            rows.push(
                r.ratio(v, "plain async fn")
                    .target(format!("≤ {target}× plain async fn"), v <= target),
            );
        }
    }
    if let (Some(hot), Some(floor)) = (med("hot_v0"), med("counted_async_fn")) {
        rows.push(Row {
            case: "hot_v0 beyond the counting floor".into(),
            median: String::new(),
            spread: String::new(),
            ratio: format!("{:.2}× counted_async_fn", hot / floor),
            target: String::new(),
            met: None,
        });
    }
    // Two threads calling one function: an activation is counted on each
    // thread's own counters, so they should not slow each other down.
    let two = |case: &str, a: &str, b: &str, target: Option<f64>| {
        let (ma, mb) = (med(a)?, med(b)?);
        let r = ma / mb;
        Some(Row {
            case: case.into(),
            median: String::new(),
            spread: String::new(),
            ratio: format!("{r:.2}× ({a} / {b})"),
            target: target.map_or("(machine: ≈1 if 2 free cores)".into(), |t| {
                format!("≤ {t}×")
            }),
            met: Some(target.is_none_or(|t| r <= t)),
        })
    };
    rows.extend(
        [
            two(
                "hot v0: 2 threads vs 1, per call",
                "hot_v0/2_threads",
                "hot_v0",
                Some(1.1),
            ),
            two(
                "control: plain async fn, 2 threads vs 1",
                "plain_async_fn/2_threads",
                "plain_async_fn",
                None,
            ),
        ]
        .into_iter()
        .flatten(),
    );
    print_table("hot async fn calls (one task, awaited in a loop)", &rows);
}
