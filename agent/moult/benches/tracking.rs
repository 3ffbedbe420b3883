//! What tracking an instance costs: memory beyond the value, and the time
//! of `create` + drop against `Arc::new` + drop.
//!
//! `cargo bench -p moult --bench tracking`:
//!
//! - bytes: a counting `#[global_allocator]` (counting only while a flag is
//!   set, so timed cases pay one relaxed load per allocation) measures the
//!   bytes still allocated after `create` of N instances of a 3-field struct
//!   class (`Box<dyn Shape>` of a 24-byte `PointV1`), divided by N, minus the
//!   value's 24 bytes: the instance's slot in its class's chunks (amortised
//!   over the chunk, header included). Measured twice: on a fresh class (chunks
//!   are allocated) and again after dropping them (slots reused). Baselines:
//!   `Arc<dyn Shape>` (`Arc::new` of the value) and `Arc<Box<dyn Shape>>`;
//! - time: `create(i)` + drop vs `Arc::new(value)` + drop (and vs
//!   `Arc::new(Box::new(value))` + drop, the same two allocations); and
//!   `create` + drop on two threads at once, on one class, per op and thread,
//!   next to `Arc::new` + drop on two threads (the machine's own scaling).
//!
//! Targets: ≤ 32 B per instance beyond the value; create+drop ≤ 2× Arc::new+drop;
//! on two threads ≤ 1.1× one thread's time per op.
//! Under `cargo test` each case runs once and N shrinks to 1 000.

use std::alloc::{GlobalAlloc, Layout, System};
use std::any::Any;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};

mod common;
use common::{Row, estimate, print_table, scaled};

/// The system allocator, counting live bytes and allocations while
/// [`COUNTING`] is set.
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE_BYTES: AtomicI64 = AtomicI64::new(0);
static ALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards to `System`; the counters have no effect on allocation.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE_BYTES.fetch_add(layout.size() as i64, Ordering::Relaxed);
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE_BYTES.fetch_sub(layout.size() as i64, Ordering::Relaxed);
        }
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE_BYTES.fetch_add(new_size as i64 - layout.size() as i64, Ordering::Relaxed);
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// The class's API: three fields.
trait Shape: Any + Send + Sync {
    fn b(&self) -> u64;
}

/// The value: a 3-field struct (24 bytes).
struct PointV1 {
    a: u64,
    b: u64,
    c: u64,
}

impl Shape for PointV1 {
    fn b(&self) -> u64 {
        self.a ^ self.b ^ self.c
    }
}

fn point(i: u64) -> PointV1 {
    PointV1 {
        a: i,
        b: i * 2,
        c: i * 3,
    }
}

fn new_v1(i: u64) -> Box<dyn Shape> {
    Box::new(point(i))
}

moult::class!(static SIZES: dyn Shape, u64 = "Sizes" as PointV1, new_v1);
moult::class!(static TIMES: dyn Shape, u64 = "Times" as PointV1, new_v1);

/// Live bytes and allocations per item after `make` builds `n` items (kept
/// alive in the returned vector, whose own buffer is allocated before counting).
fn per_item<T>(n: usize, mut make: impl FnMut(u64) -> T) -> (f64, f64, Vec<T>) {
    let mut out = Vec::with_capacity(n);
    let (b0, a0) = (
        LIVE_BYTES.load(Ordering::SeqCst),
        ALLOCS.load(Ordering::SeqCst),
    );
    COUNTING.store(true, Ordering::SeqCst);
    for i in 0..n as u64 {
        out.push(make(i));
    }
    COUNTING.store(false, Ordering::SeqCst);
    let (b1, a1) = (
        LIVE_BYTES.load(Ordering::SeqCst),
        ALLOCS.load(Ordering::SeqCst),
    );
    (
        (b1 - b0) as f64 / n as f64,
        (a1 - a0) as f64 / n as f64,
        out,
    )
}

/// Bytes per instance beyond the value, and allocations per instance.
struct Sizes {
    case: &'static str,
    beyond: f64,
    allocs: f64,
}

fn sizes(n: usize) -> Vec<Sizes> {
    let value = std::mem::size_of::<PointV1>() as f64;
    moult::init();
    let _ = SIZES.create(0); // registers the class outside the count
    let mut rows = Vec::new();
    let (bytes, allocs, fresh) = per_item(n, |i| SIZES.create(i));
    rows.push(Sizes {
        case: "Tracked (fresh class: chunks allocated)",
        beyond: bytes - value,
        allocs,
    });
    let k = 6u64;
    assert_eq!(
        fresh[6].read().b(),
        k ^ (2 * k) ^ (3 * k),
        "instances hold their values"
    );
    drop(fresh);
    let (bytes, allocs, reused) = per_item(n, |i| SIZES.create(i));
    rows.push(Sizes {
        case: "Tracked (slots reused)",
        beyond: bytes - value,
        allocs,
    });
    drop(reused);
    let (bytes, allocs, arcs) = per_item(n, |i| Arc::new(point(i)) as Arc<dyn Shape>);
    rows.push(Sizes {
        case: "baseline Arc<dyn Shape>",
        beyond: bytes - value,
        allocs,
    });
    drop(arcs);
    let (bytes, allocs, arcs) = per_item(n, |i| Arc::new(new_v1(i)));
    rows.push(Sizes {
        case: "baseline Arc<Box<dyn Shape>>",
        beyond: bytes - value,
        allocs,
    });
    drop(arcs);
    rows
}

fn bench(c: &mut Criterion) {
    moult::init();
    let mut g = c.benchmark_group("tracking");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let mut i = 0u64;
    g.bench_function("create+drop", |b| {
        b.iter(|| {
            i += 1;
            drop(black_box(TIMES.create(black_box(i))));
        })
    });
    // Two threads creating and dropping instances of the same class at
    // once; the time is the wall time of both divided by each one's count:
    // per op and thread, to compare with `create+drop` on one thread.
    g.bench_function("create+drop/2threads", |b| {
        b.iter_custom(|iters| {
            let t0 = Instant::now();
            std::thread::scope(|s| {
                for t in 0..2u64 {
                    s.spawn(move || {
                        for k in 0..iters {
                            drop(black_box(TIMES.create(black_box(k * 2 + t))));
                        }
                    });
                }
            });
            t0.elapsed()
        })
    });
    // The same with `Arc::new`: what two threads get from this machine
    // (two shared cores) when they share nothing but the allocator.
    g.bench_function("baseline/arc_new+drop/2threads", |b| {
        b.iter_custom(|iters| {
            let t0 = Instant::now();
            std::thread::scope(|s| {
                for t in 0..2u64 {
                    s.spawn(move || {
                        for k in 0..iters {
                            drop(black_box(
                                Arc::new(point(black_box(k * 2 + t))) as Arc<dyn Shape>
                            ));
                        }
                    });
                }
            });
            t0.elapsed()
        })
    });
    g.bench_function("baseline/arc_new+drop", |b| {
        b.iter(|| {
            i += 1;
            drop(black_box(Arc::new(point(black_box(i))) as Arc<dyn Shape>));
        })
    });
    g.bench_function("baseline/arc_box_new+drop", |b| {
        b.iter(|| {
            i += 1;
            drop(black_box(Arc::new(new_v1(black_box(i)))));
        })
    });
    g.finish();
}

criterion_group!(benches, bench);

fn main() {
    let n = scaled(100_000, 1_000);
    let sizes = sizes(n);
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary(n, &sizes);
}

/// Prints the table (sizes, and time medians of this run).
fn summary(n: usize, sizes: &[Sizes]) {
    let mut rows: Vec<Row> = sizes
        .iter()
        .map(|s| {
            let row = Row {
                case: format!("bytes beyond the value: {}", s.case),
                median: format!("{:.1} B", s.beyond),
                spread: format!("{:.2} allocs/instance", s.allocs),
                ratio: String::new(),
                target: String::new(),
                met: None,
            };
            if s.case.starts_with("Tracked") {
                row.target("≤ 32 B", s.beyond <= 32.0)
            } else {
                row
            }
        })
        .collect();
    let med = |id: &str| estimate("tracking", id).map(|(m, _)| m);
    if let (Some(row), Some(m), Some(arc), Some(arc_box)) = (
        Row::timed("tracking", "create+drop"),
        med("create+drop"),
        med("baseline/arc_new+drop"),
        med("baseline/arc_box_new+drop"),
    ) {
        rows.push(
            row.ratio(m / arc, "Arc::new+drop")
                .target("≤ 2× Arc::new+drop", m / arc <= 2.0),
        );
        rows.push(Row {
            case: "create+drop vs Arc::new(Box)+drop".into(),
            median: String::new(),
            spread: String::new(),
            ratio: format!("{:.2}× Arc<Box<dyn Shape>>", m / arc_box),
            target: String::new(),
            met: None,
        });
    }
    if let (Some(row), Some(m2), Some(m1)) = (
        Row::timed("tracking", "create+drop/2threads"),
        med("create+drop/2threads"),
        med("create+drop"),
    ) {
        rows.push(
            row.ratio(m2 / m1, "create+drop on 1 thread")
                .target("≤ 1.1× (per op)", m2 / m1 <= 1.1),
        );
    }
    if let (Some(row), Some(m2), Some(m1)) = (
        Row::timed("tracking", "baseline/arc_new+drop/2threads"),
        med("baseline/arc_new+drop/2threads"),
        med("baseline/arc_new+drop"),
    ) {
        rows.push(row.ratio(m2 / m1, "Arc::new+drop on 1 thread (control)"));
    }
    for id in ["baseline/arc_new+drop", "baseline/arc_box_new+drop"] {
        if let Some(row) = Row::timed("tracking", id) {
            rows.push(row);
        }
    }
    print_table(
        &format!("tracking: 3-field struct class, sizes over {n} instances"),
        &rows,
    );
}
