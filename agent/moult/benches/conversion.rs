//! Converting the live instances of a tracked class, and the cost of
//! reading a tracked instance.
//!
//! `cargo bench -p moult --bench conversion` — the class holds a 3-field
//! struct (`dyn Shape`, versions `PointV1` / `PointV2` alternating); updates
//! run through a [`PolledManager`] polled on the bench thread:
//!
//! - `eager/apply/{n}/w{1,2}`: `UpdateContext::convert_eager` inside `apply`,
//!   n live instances (10 000, 100 000, 1 000 000; 10 000 000 with
//!   `MOULT_BENCH_10M=1`) converted on 1 or 2 threads
//!   (`ClassRef::set_conversion_workers`; no app thread runs meanwhile: the
//!   app's threads are as held as they can be);
//! - `eager/lifecycle/1000000/w{1,2}`: `submit(EagerConversion)` + `poll()`
//!   until the outcome: apply, commit (the old values go to a helper thread,
//!   which the bench lets finish, untimed, before the next sample), resume;
//! - `baseline/rebox/{n}`: a plain loop replacing each of n
//!   `Box<dyn Shape>` by the transformer's new box (old one dropped),
//!   measured before that size's conversions (its boxes then lie side by
//!   side, as in a fresh heap: the loop's best case);
//! - `baseline/rebox_kept/1000000` and `baseline/rebox_kept_2t/1000000`:
//!   controls, the same loop keeping the old values as a conversion must
//!   until its update commits, on one thread and split over two (see
//!   `kept_rebox`; the summary prints each one's speed-up beside the pass's);
//!   `baseline/rebox_kept_handoff{,_2t}/1000000`: the same, the old values
//!   dropped by another thread, as a conversion's are;
//! - `lazy/apply/1000000` and `lazy/apply/10000`: `UpdateContext::convert_lazy`
//!   inside `apply` (O(1): the two sizes should match);
//! - `lazy/lifecycle/1000000`: `submit(LazyConversion)` + `poll()`;
//! - `read/tracked` vs `read/rwlock`: `Tracked::read` of an instance with no
//!   conversion pending vs `RwLock<Box<dyn Shape>>::read`, each reading a field.
//!
//! One-shot cases run once per sample (criterion warns it cannot complete the
//! samples in 1 ns: expected). Each lazy run adds one pending step to its
//! class (instances are never accessed), ~60 in a whole run. Targets: eager
//! on one thread ≤ 2× the rebox loop, on two < 1×, lifecycle ≤ 2.5×; lazy
//! apply ≤ 1 ms and O(1). Under `cargo test` each case runs
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
moult::class!(static EAGER_10K: dyn Shape, u64 = "Eager10k" as PointV1, new_v1);
moult::class!(static EAGER_100K: dyn Shape, u64 = "Eager100k" as PointV1, new_v1);
moult::class!(static EAGER_10M: dyn Shape, u64 = "Eager10M" as PointV1, new_v1);

/// Threads an eager conversion runs on, per row.
const WORKERS: [usize; 2] = [1, 2];

/// Populations of the eager scaling table: 10 000 to 1 000 000, and
/// 10 000 000 with `MOULT_BENCH_10M=1` (a minute more, ~2 GB); 100 and
/// 1 000 under `cargo test`.
fn eager_sizes() -> Vec<usize> {
    if !common::is_bench() {
        return vec![100, 1_000];
    }
    let mut sizes = vec![10_000, 100_000, 1_000_000];
    if std::env::var_os("MOULT_BENCH_10M").is_some() {
        sizes.push(10_000_000);
    }
    sizes
}

/// One class per population (instances stay alive across its rows).
fn eager_class(n: usize) -> &'static moult::class::Class<dyn Shape, u64> {
    match n {
        0..=10_000 => &EAGER_10K,
        10_001..=100_000 => &EAGER_100K,
        100_001..=1_000_000 => &EAGER,
        _ => &EAGER_10M,
    }
}

/// Waits until the helper threads of the last update (the `moult-drop`
/// thread dropping old values after commit) are gone, so that the next
/// sample does not share the cores with them; not timed.
fn settle() {
    let threads = || std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count());
    let t0 = Instant::now();
    while threads() > BASE_THREADS.load(std::sync::atomic::Ordering::Relaxed)
        && t0.elapsed() < Duration::from_secs(10)
    {
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Threads of the process with nothing in flight (set once, at start).
static BASE_THREADS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
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
    let threads = std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count());
    BASE_THREADS.store(threads, std::sync::atomic::Ordering::Relaxed);
    let (big, small) = (scaled(1_000_000, 1_000), scaled(10_000, 100));

    let mut g = c.benchmark_group("conversion");
    one_shot(&mut g, 10);
    for n in eager_sizes() {
        // The baseline first, before this size's instances and conversions:
        // the boxes then come from a heap no conversion of this size has
        // fragmented (after them, its 1 000 000 boxes landed in the holes
        // the old values left and the loop ran up to 30 % slower).
        let mut boxes: Vec<Box<dyn Shape>> = (0..n as u64).map(new_v1).collect();
        g.bench_function(format!("baseline/rebox/{n}"), |b| {
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
        if n == big {
            kept_rebox(&mut g, n);
        }
        let class = eager_class(n);
        let handle = class.handle().expect("registered");
        let live = instances(class, n);
        for w in WORKERS {
            handle.set_conversion_workers(w);
            g.bench_function(format!("eager/apply/{n}/w{w}"), |b| {
                b.iter_custom(|iters| {
                    (0..iters)
                        .map(|_| {
                            let t = timed(&polled, class, false);
                            settle();
                            t
                        })
                        .sum()
                })
            });
            if n == big {
                g.bench_function(format!("eager/lifecycle/{n}/w{w}"), |b| {
                    b.iter_custom(|iters| {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            let t0 = Instant::now();
                            run(
                                &polled,
                                Box::new(EagerConversion::new(class, new_v2, transform)),
                            );
                            total += t0.elapsed();
                            settle();
                        }
                        total
                    })
                });
            }
        }
        assert!(live.iter().all(|t| t.version() == class.version()));
        drop(live);
    }

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
    // Nothing converted yet; the first access converts (through every
    // step). Only if a lazy case ran: a filter may have left them all out.
    if LAZY_BIG.version() > 0 {
        assert!(lazy_big[0].version() < LAZY_BIG.version());
        assert_eq!(lazy_big[0].read().b(), u64::from(LAZY_BIG.version()));
    }
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

/// The controls `baseline/rebox_kept/{n}` and `baseline/rebox_kept_2t/{n}`:
/// the rebox loop, but keeping every old value (dropped after the timed
/// loop), as a conversion must until its update commits, on one thread and
/// split in two halves over two (the second started in the sample, as the
/// pass's helper is). In the plain loop each new box takes the memory the
/// previous old one just gave back, still in the cache; here, as in a
/// conversion, every new box is memory not touched yet. The 2-thread one
/// says what spreading such a loop over the cores gives on the machine.
///
/// The `_handoff` pair differs in one thing: the old values are dropped by
/// another thread (untimed, finished before the next sample), as a
/// conversion's commit hands them to its drop thread. Their memory then
/// comes back to the allocator from that thread, and the next sample's
/// boxes are allocated in the heap it leaves: the pass's own case.
fn kept_rebox(g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>, n: usize) {
    let mut boxes: Vec<Box<dyn Shape>> = (0..n as u64).map(new_v1).collect();
    let cases = [
        ("rebox_kept", 1, false),
        ("rebox_kept_2t", 2, false),
        ("rebox_kept_handoff", 1, true),
        ("rebox_kept_handoff_2t", 2, true),
    ];
    for (name, threads, handoff) in cases {
        g.bench_function(format!("baseline/{name}/{n}"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let t0 = Instant::now();
                    let kept = if threads == 1 {
                        vec![rebox_keeping(&mut boxes)]
                    } else {
                        let (first, second) = boxes.split_at_mut(n / 2);
                        std::thread::scope(|scope| {
                            let other = scope.spawn(|| rebox_keeping(second));
                            vec![rebox_keeping(first), other.join().expect("no panic")]
                        })
                    };
                    total += t0.elapsed();
                    if handoff {
                        let dropper = std::thread::spawn(move || drop(black_box(kept)));
                        dropper.join().expect("no panic");
                    } else {
                        drop(black_box(kept));
                    }
                }
                total
            })
        });
    }
}

/// Replaces each of `boxes` by its transform; returns the old ones.
fn rebox_keeping(boxes: &mut [Box<dyn Shape>]) -> Vec<Box<dyn Shape>> {
    let mut kept: Vec<Box<dyn Shape>> = Vec::with_capacity(boxes.len());
    for v in boxes.iter_mut() {
        kept.push(std::mem::replace(v, transform(&**v)));
    }
    kept
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
    let targets: [(&str, f64, &str); 4] = [
        ("apply/1000000/w1", 2.0, "≤ 2× rebox (one core)"),
        ("apply/1000000/w2", 1.0, "< 1× rebox (2 threads)"),
        ("lifecycle/1000000/w1", 2.5, "≤ 2.5× rebox"),
        ("lifecycle/1000000/w2", 2.5, "≤ 2.5× rebox"),
    ];
    for (case, limit, said) in targets {
        push(format!("eager/{case}"), &|row, m| match rebox {
            Some(base) => {
                let r = m / base;
                let met = if limit == 1.0 { r < 1.0 } else { r <= limit };
                row.ratio(r, "rebox loop").target(said, met)
            }
            None => row,
        });
    }
    push(format!("baseline/rebox/{big}"), &|row, _| row);
    push(
        format!("baseline/rebox_kept/{big}"),
        &|row, m| match rebox {
            Some(base) => row.ratio(m / base, "rebox loop (control: old values kept)"),
            None => row,
        },
    );
    for (name, what) in [
        ("rebox_kept_2t", "rebox loop (control: kept, 2 threads)"),
        (
            "rebox_kept_handoff",
            "rebox loop (control: kept, dropped elsewhere)",
        ),
        (
            "rebox_kept_handoff_2t",
            "rebox loop (control: kept, dropped elsewhere, 2 threads)",
        ),
    ] {
        push(format!("baseline/{name}/{big}"), &|row, m| match rebox {
            Some(base) => row.ratio(m / base, what),
            None => row,
        });
    }
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
    if let (true, Some(m)) = (common::is_bench(), med(&format!("eager/apply/{big}/w1"))) {
        println!("eager conversion: {} per instance", human(m / big as f64));
    }
    // The eager call against each control loop with as many threads.
    for (w, control, what) in [
        (2, "rebox_kept", "rebox loop keeping old values"),
        (
            1,
            "rebox_kept_handoff",
            "the same loop, old values dropped elsewhere",
        ),
        (
            2,
            "rebox_kept_handoff_2t",
            "the same loop, old values dropped elsewhere",
        ),
    ] {
        if let (true, Some(eager), Some(c)) = (
            common::is_bench(),
            med(&format!("eager/apply/{big}/w{w}")),
            med(&format!("baseline/{control}/{big}")),
        ) {
            println!(
                "eager conversion on {w} thread(s) / {what}: {:.2}×",
                eager / c
            );
        }
    }
    let speed_up = |one: &str, two: &str| Some(med(one)? / med(two)?);
    if let (true, Some(eager), Some(kept)) = (
        common::is_bench(),
        speed_up(
            &format!("eager/apply/{big}/w1"),
            &format!("eager/apply/{big}/w2"),
        ),
        speed_up(
            &format!("baseline/rebox_kept/{big}"),
            &format!("baseline/rebox_kept_2t/{big}"),
        ),
    ) {
        println!(
            "speed-up on 2 threads: eager conversion {eager:.2}×, rebox loop keeping old values \
             {kept:.2}× (what the machine gives such a loop)"
        );
    }
    scaling(&med);
}

/// The eager scaling table: each population on 1 and 2 threads, and the
/// same-size rebox loop.
fn scaling(med: &dyn Fn(&str) -> Option<f64>) {
    if !common::is_bench() {
        return;
    }
    println!("\neager conversion scaling (medians; ratio to the same-size rebox loop)");
    println!(
        "| instances | 1 thread | 2 threads | rebox loop | 1 thread / rebox | 2 threads / rebox | speed-up 2 vs 1 |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for n in [10_000usize, 100_000, 1_000_000, 10_000_000] {
        let (Some(w1), Some(w2), Some(rb)) = (
            med(&format!("eager/apply/{n}/w1")),
            med(&format!("eager/apply/{n}/w2")),
            med(&format!("baseline/rebox/{n}")),
        ) else {
            continue;
        };
        println!(
            "| {n} | {} | {} | {} | {:.2}× | {:.2}× | {:.2}× |",
            human(w1),
            human(w2),
            human(rb),
            w1 / rb,
            w2 / rb,
            w1 / w2
        );
    }
}
