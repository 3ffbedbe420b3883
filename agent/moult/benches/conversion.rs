//! Converting the live instances of a tracked class, and the cost of
//! reading a tracked instance.
//!
//! `cargo bench -p moult --bench conversion` — the class holds a 3-field
//! struct (`dyn Shape`, versions `PointV1` / `PointV2` alternating); updates
//! run through a [`PolledManager`] polled on the bench thread:
//!
//! - `eager/apply/1000000`: `UpdateContext::convert_eager` inside `apply`,
//!   1 000 000 live instances (no app thread runs meanwhile: the app's threads
//!   are as held as they can be);
//! - `eager/lifecycle/1000000`: `submit(EagerConversion)` + `poll()` until the
//!   outcome, which includes dropping the 1 000 000 old values at commit;
//! - `baseline/rebox/1000000`: a plain loop replacing each of 1 000 000
//!   `Box<dyn Shape>` by the transformer's new box (old one dropped);
//! - `lazy/apply/1000000` and `lazy/apply/10000`: `UpdateContext::convert_lazy`
//!   inside `apply` (O(1): the two sizes should match);
//! - `lazy/lifecycle/1000000`: `submit(LazyConversion)` + `poll()`;
//! - `read/tracked` vs `read/rwlock`: `Tracked::read` of an instance with no
//!   conversion pending vs `RwLock<Box<dyn Shape>>::read`, each reading a field.
//!
//! One-shot cases run once per sample (criterion warns it cannot complete the
//! samples in 1 ns: expected). Each lazy run adds one pending step to its
//! class (instances are never accessed), ~60 in a whole run. Targets: eager
//! ≤ 100 ms, lazy apply ≤ 1 ms and O(1). Under `cargo test` each case runs
//! once, with 1 000 and 100 instances instead.

use std::any::Any;
use std::hint::black_box;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use moult::class::{EagerConversion, LazyConversion, Tracked};
use moult::update::PolledManager;
use moult::{Update, UpdateContext, UpdateError};

mod common;
use common::{Row, estimate, human, one_shot, print_table, scaled};

/// The class's API: three fields.
trait Shape: Any + Send + Sync {
    fn a(&self) -> u64;
    fn b(&self) -> u64;
    fn c(&self) -> u64;
}

/// Version 0: a 3-field struct.
struct PointV1 {
    a: u64,
    b: u64,
    c: u64,
}

/// The versions conversions alternate to (same fields, another type).
struct PointV2 {
    a: u64,
    b: u64,
    c: u64,
}

macro_rules! shape {
    ($t:ty) => {
        impl Shape for $t {
            fn a(&self) -> u64 {
                self.a
            }
            fn b(&self) -> u64 {
                self.b
            }
            fn c(&self) -> u64 {
                self.c
            }
        }
    };
}
shape!(PointV1);
shape!(PointV2);

fn new_v1(i: u64) -> Box<dyn Shape> {
    Box::new(PointV1 {
        a: i,
        b: i * 2,
        c: i * 3,
    })
}

fn new_v2(i: u64) -> Box<dyn Shape> {
    Box::new(PointV2 {
        a: i,
        b: i * 2,
        c: i * 3,
    })
}

/// The transformer: a `PointV1` becomes a `PointV2` and back.
fn transform(old: &dyn Shape) -> Box<dyn Shape> {
    let (a, b, c) = (old.a(), old.b() + 1, old.c());
    if (old as &dyn Any).is::<PointV1>() {
        Box::new(PointV2 { a, b, c })
    } else {
        Box::new(PointV1 { a, b, c })
    }
}

moult::class!(static EAGER: dyn Shape, u64 = "Eager" as PointV1, new_v1);
moult::class!(static LAZY_BIG: dyn Shape, u64 = "LazyBig" as PointV1, new_v1);
moult::class!(static LAZY_SMALL: dyn Shape, u64 = "LazySmall" as PointV1, new_v1);
moult::class!(static READS: dyn Shape, u64 = "Reads" as PointV1, new_v1);

/// Duration of the last timed conversion call (the polled manager runs the
/// update on the bench thread).
static LAST: Mutex<Duration> = Mutex::new(Duration::ZERO);

/// A conversion whose `apply` times the `UpdateContext` call alone.
struct TimedConversion {
    class: &'static moult::class::Class<dyn Shape, u64>,
    lazy: bool,
}

impl Update for TimedConversion {
    fn name(&self) -> &str {
        "timed conversion"
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        let t0 = Instant::now();
        if self.lazy {
            ctx.convert_lazy(self.class, new_v2, transform)?;
        } else {
            ctx.convert_eager(self.class, new_v2, transform)?;
        }
        *LAST.lock().unwrap_or_else(|e| e.into_inner()) = t0.elapsed();
        Ok(())
    }
}

/// Runs `update` to its end on this thread.
fn run(polled: &PolledManager, update: Box<dyn Update>) {
    let rt = moult::runtime();
    let id = rt.submit(update);
    polled.poll();
    assert_eq!(
        rt.wait(id, Duration::ZERO),
        Some(moult::protocol::Outcome::Applied)
    );
}

/// Runs a [`TimedConversion`]; returns the time of the conversion call.
fn timed(
    polled: &PolledManager,
    class: &'static moult::class::Class<dyn Shape, u64>,
    lazy: bool,
) -> Duration {
    run(polled, Box::new(TimedConversion { class, lazy }));
    *LAST.lock().unwrap_or_else(|e| e.into_inner())
}

fn instances(
    class: &'static moult::class::Class<dyn Shape, u64>,
    n: usize,
) -> Vec<Tracked<dyn Shape>> {
    (0..n as u64).map(|i| class.create(i)).collect()
}

fn bench(c: &mut Criterion) {
    moult::init();
    let polled = PolledManager::install();
    let (big, small) = (scaled(1_000_000, 1_000), scaled(10_000, 100));

    let mut g = c.benchmark_group("conversion");
    one_shot(&mut g, 10);
    let eager = instances(&EAGER, big);
    g.bench_function(format!("eager/apply/{big}"), |b| {
        b.iter_custom(|iters| (0..iters).map(|_| timed(&polled, &EAGER, false)).sum())
    });
    g.bench_function(format!("eager/lifecycle/{big}"), |b| {
        b.iter_custom(|iters| {
            let t0 = Instant::now();
            for _ in 0..iters {
                run(
                    &polled,
                    Box::new(EagerConversion::new(&EAGER, new_v2, transform)),
                );
            }
            t0.elapsed()
        })
    });
    assert!(eager.iter().all(|t| t.version() == EAGER.version()));
    drop(eager);
    let mut boxes: Vec<Box<dyn Shape>> = (0..big as u64).map(new_v1).collect();
    g.bench_function(format!("baseline/rebox/{big}"), |b| {
        b.iter_custom(|iters| {
            let t0 = Instant::now();
            for _ in 0..iters {
                for v in boxes.iter_mut() {
                    *v = transform(&**v);
                }
            }
            black_box(&boxes);
            t0.elapsed()
        })
    });
    drop(boxes);

    one_shot(&mut g, 30);
    let lazy_big = instances(&LAZY_BIG, big);
    let lazy_small = instances(&LAZY_SMALL, small);
    g.bench_function(format!("lazy/apply/{big}"), |b| {
        b.iter_custom(|iters| (0..iters).map(|_| timed(&polled, &LAZY_BIG, true)).sum())
    });
    g.bench_function(format!("lazy/apply/{small}"), |b| {
        b.iter_custom(|iters| (0..iters).map(|_| timed(&polled, &LAZY_SMALL, true)).sum())
    });
    g.bench_function(format!("lazy/lifecycle/{big}"), |b| {
        b.iter_custom(|iters| {
            let t0 = Instant::now();
            for _ in 0..iters {
                run(
                    &polled,
                    Box::new(LazyConversion::new(&LAZY_BIG, new_v2, transform)),
                );
            }
            t0.elapsed()
        })
    });
    // Nothing converted yet; the first access converts (through every step).
    assert!(lazy_big[0].version() < LAZY_BIG.version());
    assert_eq!(lazy_big[0].read().b(), u64::from(LAZY_BIG.version()));
    drop((lazy_big, lazy_small));
    g.finish();

    let mut g = c.benchmark_group("conversion");
    g.warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    let tracked = READS.create(7);
    let plain: RwLock<Box<dyn Shape>> = RwLock::new(new_v1(7));
    g.bench_function("read/tracked", |b| {
        b.iter(|| black_box(&tracked).read().b())
    });
    g.bench_function("read/rwlock", |b| {
        b.iter(|| {
            black_box(&plain)
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .b()
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

/// Prints the table (medians of this run).
fn summary() {
    let med = |id: &str| estimate("conversion", id).map(|(m, _)| m);
    let (big, small) = (1_000_000, 10_000);
    let mut rows = Vec::new();
    let mut push = |id: String, f: &dyn Fn(Row, f64) -> Row| {
        if let (Some(row), Some(m)) = (Row::timed("conversion", &id), med(&id)) {
            rows.push(f(row, m));
        }
    };
    let rebox = med(&format!("baseline/rebox/{big}"));
    for id in [
        format!("eager/apply/{big}"),
        format!("eager/lifecycle/{big}"),
    ] {
        push(id, &|row, m| {
            let row = match rebox {
                Some(base) => row.ratio(m / base, "rebox loop"),
                None => row,
            };
            row.target("≤ 100 ms", m <= 100e6)
        });
    }
    push(format!("baseline/rebox/{big}"), &|row, _| row);
    let small_apply = med(&format!("lazy/apply/{small}"));
    push(format!("lazy/apply/{big}"), &|row, m| {
        let row = match small_apply {
            Some(s) => row.ratio(m / s, &format!("lazy/apply/{small} (O(1) ⇔ ≈1)")),
            None => row,
        };
        row.target("≤ 1 ms", m <= 1e6)
    });
    push(format!("lazy/apply/{small}"), &|row, m| {
        row.target("≤ 1 ms", m <= 1e6)
    });
    push(format!("lazy/lifecycle/{big}"), &|row, _| row);
    let rw = med("read/rwlock");
    push("read/tracked".into(), &|row, m| match rw {
        Some(base) => row.ratio(m / base, "RwLock read"),
        None => row,
    });
    push("read/rwlock".into(), &|row, _| row);
    print_table("conversion: 3-field struct class", &rows);
    if let (true, Some(m)) = (common::is_bench(), med(&format!("eager/apply/{big}"))) {
        println!("eager conversion: {} per instance", human(m / big as f64));
    }
}
