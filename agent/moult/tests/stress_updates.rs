//! Stress: updates applied back to back — safe and immediate redefinitions,
//! eager and lazy conversions, thread reboots (parked or not, onto the same
//! or a new main) mixed — while 8 DSU threads call a hot function and
//! create, read and drop tracked instances.
//!
//! Asserted, with counters reachable from the test (never timings):
//! - every update is `Applied`, and nothing is left behind after each batch
//!   (no DSU thread parked, the hot function's gate open);
//! - no call lost or duplicated: the calls each worker counted equal the
//!   calls the function versions counted executing;
//! - no instance lost: the live counts per version equal the versions of the
//!   handles the workers hold, every handle converts to the latest version on
//!   access, and nothing is left once they are dropped;
//! - each thread was rebooted exactly as often as asked, onto the expected main.
//!
//! It also prints the RSS growth per update (from `/proc/self/statm`).
//!
//! `cargo test` runs 150 updates. The full run:
//! `MOULT_STRESS_UPDATES=1000 cargo test --release -p moult --test stress_updates -- --nocapture`

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use moult::class::{EagerConversion, LazyConversion, Tracked};
use moult::dsu::{DsuThread, Main, ThreadReboot};
use moult::protocol::{Outcome, ThreadState};
use moult::update::{ImmediateRedefine, SafeRedefine};
use moult::{Runtime, Update};

const WAIT: Duration = Duration::from_secs(60);
const WORKERS: usize = 8;
/// Updates submitted before their outcomes are awaited.
const BATCH: usize = 10;
/// Instances one worker holds at most.
const MAX_HELD: usize = 200;

/// Calls executed by each function body (body `K` is installed by every
/// redefinition to a version ≡ K mod 4).
static BODY_CALLS: [AtomicU64; 4] = [const { AtomicU64::new(0) }; 4];
/// Calls made by the test thread itself (to check the installed body).
static TEST_CALLS: AtomicU64 = AtomicU64::new(0);
/// Conversions the transformers performed.
static CONVERSIONS: AtomicU64 = AtomicU64::new(0);

fn body<const K: usize>(spin: u32) -> u32 {
    BODY_CALLS[K].fetch_add(1, Ordering::Relaxed);
    for _ in 0..spin {
        std::hint::spin_loop();
    }
    K as u32
}

const BODIES: [fn(u32) -> u32; 4] = [body::<0>, body::<1>, body::<2>, body::<3>];

#[moult::hot]
fn work(spin: u32) -> u32 {
    body::<0>(spin)
}

/// A tracked value: its id (worker index in the high bits) and how many
/// transformers it went through.
trait Item: std::any::Any + Send + Sync {
    fn id(&self) -> u64;
    fn hops(&self) -> u32;
}
struct V {
    id: u64,
    hops: u32,
}
impl Item for V {
    fn id(&self) -> u64 {
        self.id
    }
    fn hops(&self) -> u32 {
        self.hops
    }
}
fn make(id: u64) -> Box<dyn Item> {
    Box::new(V { id, hops: 0 })
}
fn next(old: &dyn Item) -> Box<dyn Item> {
    CONVERSIONS.fetch_add(1, Ordering::Relaxed);
    Box::new(V {
        id: old.id(),
        hops: old.hops() + 1,
    })
}

moult::class!(static ITEMS: dyn Item, u64 = "StressItems", make);

/// One worker's state, outside its thread so it survives reboots.
#[derive(Default)]
struct Worker {
    /// Calls to `work` this worker made (counted after each returned).
    calls: AtomicU64,
    /// Times its main started (1 + reboots).
    starts: AtomicU32,
    /// The instances it holds.
    held: Mutex<Vec<Tracked<dyn Item>>>,
    /// Instances created and dropped.
    created: AtomicU64,
    dropped: AtomicU64,
    /// Next id to create.
    next_id: AtomicU64,
}

/// The workers' main: an update point, a few calls, then one instance
/// operation; all state lives in `w`, so a reboot (an unwind from the update
/// point) loses nothing.
fn worker_main(index: usize, w: Arc<Worker>, stop: Arc<AtomicBool>) -> Main {
    Main::new(move || {
        let starts = w.starts.fetch_add(1, Ordering::SeqCst) + 1;
        let mut x = (index as u64 + 1) * 0x9E37_79B9 + u64::from(starts);
        while !stop.load(Ordering::Relaxed) {
            moult::update_point!("stress");
            for _ in 0..4 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                assert!(work((x % 32) as u32) < 4);
                w.calls.fetch_add(1, Ordering::Relaxed);
            }
            let mut held = w.held.lock().unwrap();
            match x % 5 {
                0 | 1 if held.len() < MAX_HELD => {
                    let id = ((index as u64) << 32) | w.next_id.fetch_add(1, Ordering::Relaxed);
                    held.push(ITEMS.create(id));
                    w.created.fetch_add(1, Ordering::Relaxed);
                }
                2 | 3 if !held.is_empty() => {
                    let d = &held[(x as usize / 5) % held.len()];
                    assert_eq!(d.read().id() >> 32, index as u64);
                }
                _ if !held.is_empty() => {
                    let k = (x as usize / 5) % held.len();
                    held.swap_remove(k);
                    w.dropped.fetch_add(1, Ordering::Relaxed);
                }
                _ => {}
            }
            drop(held);
            std::thread::yield_now();
        }
    })
}

/// Resident set size, bytes.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    // SAFETY: no preconditions.
    pages
        * unsafe {
            sysconf(30 /* _SC_PAGESIZE */)
        } as u64
}

unsafe extern "C" {
    fn sysconf(name: i32) -> i64;
}

/// What the test expects of each worker thread.
#[derive(Default, Clone, Copy)]
struct Expected {
    reboots: u32,
    main_version: u32,
}

/// Builds update `n` and records what it should do.
fn update(
    n: usize,
    names: &[String],
    workers: &[Arc<Worker>],
    stop: &Arc<AtomicBool>,
    expected: &mut [Expected],
    redefinitions: &mut u32,
) -> Box<dyn Update> {
    let work = moult::hot_fn!(work).unwrap();
    match n % 4 {
        0 => {
            *redefinitions += 1;
            let new = BODIES[*redefinitions as usize % 4];
            if n.is_multiple_of(8) {
                Box::new(
                    SafeRedefine::new(work, new)
                        .named(format!("redefine {n}"))
                        .tries(5000, Duration::from_millis(1)),
                )
            } else {
                Box::new(
                    ImmediateRedefine::new(work, new)
                        .named(format!("immediate redefine {n}"))
                        .tries(5000, Duration::from_millis(1)),
                )
            }
        }
        1 => Box::new(EagerConversion::new(&ITEMS, make, next).named(format!("eager {n}"))),
        2 => Box::new(LazyConversion::new(&ITEMS, make, next).named(format!("lazy {n}"))),
        _ => {
            let t = (n / 4) % WORKERS;
            expected[t].reboots += 1;
            let mut r = ThreadReboot::new(names[t].clone())
                .named(format!("reboot {n}"))
                .tries(5000, Duration::from_millis(1));
            if n.is_multiple_of(3) {
                expected[t].main_version += 1;
                r = r.onto(worker_main(t, workers[t].clone(), stop.clone()));
            }
            if n.is_multiple_of(2) {
                r = r.without_park();
            }
            Box::new(r)
        }
    }
}

/// Nothing left behind: no DSU worker parked, the gate of `work` open.
fn assert_nothing_held(rt: &Runtime, threads: &[DsuThread], after: usize) {
    for t in threads {
        assert!(
            t.wait_for(WAIT, |i| i.state == ThreadState::Running),
            "{} not running after update {after}: {:?}",
            t.name(),
            t.info()
        );
    }
    let f = rt
        .functions()
        .into_iter()
        .find(|f| f.name == "stress_updates::work")
        .unwrap();
    assert!(!f.gated, "gate of `work` left closed after update {after}");
}

#[test]
#[cfg_attr(miri, ignore = "Miri: reads /proc (isolation) and is too slow")]
fn updates_back_to_back_lose_no_call_no_instance_and_leave_nothing_held() {
    let updates: usize = std::env::var("MOULT_STRESS_UPDATES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150);
    let rt = moult::init();
    let stop = Arc::new(AtomicBool::new(false));
    let names: Vec<String> = (0..WORKERS).map(|i| format!("stress-{i}")).collect();
    let workers: Vec<Arc<Worker>> = (0..WORKERS).map(|_| Arc::default()).collect();
    let threads: Vec<DsuThread> = (0..WORKERS)
        .map(|i| {
            let main = worker_main(i, workers[i].clone(), stop.clone());
            moult::dsu::spawn_main(&names[i], main).unwrap()
        })
        .collect();
    let mut expected = [Expected::default(); WORKERS];
    let mut redefinitions = 0u32;
    let started = Instant::now();
    // RSS once a tenth of the updates ran (allocator pools and the
    // registries' first growth are past), and at the end.
    let warmup = (updates / 10).max(BATCH) / BATCH * BATCH;
    let mut rss_warm = rss();
    let mut n = 0;
    while n < updates {
        let ids: Vec<_> = (n..(n + BATCH).min(updates))
            .map(|k| {
                let u = update(
                    k,
                    &names,
                    &workers,
                    &stop,
                    &mut expected,
                    &mut redefinitions,
                );
                (k, rt.submit(u))
            })
            .collect();
        for (k, id) in ids {
            let outcome = rt
                .wait(id, WAIT)
                .unwrap_or_else(|| panic!("update {k} hung"));
            assert_eq!(outcome, Outcome::Applied, "update {k}");
        }
        n += BATCH;
        assert_nothing_held(rt, &threads, n.min(updates) - 1);
        // The installed body runs.
        assert_eq!(work(0), redefinitions % 4);
        TEST_CALLS.fetch_add(1, Ordering::Relaxed);
        if n == warmup {
            rss_warm = rss();
        }
    }
    let rss_end = rss();
    let elapsed = started.elapsed();
    // Each worker still makes progress.
    for (w, t) in workers.iter().zip(&threads) {
        let base = w.calls.load(Ordering::SeqCst);
        let deadline = Instant::now() + WAIT;
        while w.calls.load(Ordering::SeqCst) < base + 100 {
            assert!(Instant::now() < deadline, "{} stopped calling", t.name());
            std::thread::yield_now();
        }
    }
    stop.store(true, Ordering::SeqCst);
    for t in &threads {
        assert!(t.join(WAIT), "{} did not finish", t.name());
    }

    // Every update applied (the manager keeps the last 1 000 finished ones).
    let infos = rt.updates();
    assert_eq!(
        infos.len(),
        updates.min(1000),
        "updates known to the manager"
    );
    assert!(
        infos.iter().all(|u| u.outcome == Some(Outcome::Applied)),
        "{:?}",
        infos.iter().find(|u| u.outcome != Some(Outcome::Applied))
    );

    // Calls: none lost, none duplicated.
    let made: u64 = workers.iter().map(|w| w.calls.load(Ordering::SeqCst)).sum();
    let executed: u64 = BODY_CALLS.iter().map(|c| c.load(Ordering::SeqCst)).sum();
    assert_eq!(
        executed,
        made + TEST_CALLS.load(Ordering::SeqCst),
        "calls lost or duplicated"
    );
    let f = moult::hot_fn!(work).unwrap();
    assert_eq!(f.version(), redefinitions);

    // Reboots: as many as asked, onto the expected main.
    for ((t, w), e) in threads.iter().zip(&workers).zip(&expected) {
        let info = t.info();
        assert_eq!(info.reboots, e.reboots, "{}", t.name());
        assert_eq!(info.main_version, e.main_version, "{}", t.name());
        assert_eq!(
            w.starts.load(Ordering::SeqCst),
            e.reboots + 1,
            "{}",
            t.name()
        );
        assert_eq!(info.state, ThreadState::Finished);
    }

    // Instances: none lost; the counts per version are the handles' versions.
    let held: Vec<Tracked<dyn Item>> = workers
        .iter()
        .flat_map(|w| {
            let v = std::mem::take(&mut *w.held.lock().unwrap());
            let (c, d) = (
                w.created.load(Ordering::SeqCst),
                w.dropped.load(Ordering::SeqCst),
            );
            assert_eq!(c - d, v.len() as u64, "created - dropped = held");
            v
        })
        .collect();
    assert_eq!(ITEMS.live(), held.len() as u64, "live = held");
    let mut by_version = std::collections::BTreeMap::<u32, u64>::new();
    for d in &held {
        *by_version.entry(d.version()).or_default() += 1;
    }
    let class = |rt: &Runtime| {
        rt.classes()
            .into_iter()
            .find(|c| c.name == ITEMS.name())
            .unwrap()
    };
    let counted: std::collections::BTreeMap<u32, u64> = class(rt)
        .versions
        .iter()
        .filter(|v| v.live > 0)
        .map(|v| (v.version, v.live))
        .collect();
    assert_eq!(counted, by_version, "live counts per version");
    // Every instance reaches the latest version on access, with its id.
    let latest = ITEMS.version();
    let conversions = (updates / 4 + usize::from(updates % 4 > 1)) as u32
        + (updates / 4 + usize::from(updates % 4 > 2)) as u32;
    assert_eq!(latest, conversions);
    let mut ids = std::collections::HashSet::new();
    for d in &held {
        let g = d.read();
        assert!(ids.insert(g.id()), "one instance, one id");
        assert!(g.hops() <= latest);
        drop(g);
        assert_eq!(d.version(), latest);
    }
    let c = class(rt);
    assert_eq!(c.pending_lazy, 0);
    assert_eq!(
        c.versions
            .iter()
            .map(|v| (v.version, v.live))
            .filter(|v| v.1 > 0)
            .collect::<Vec<_>>(),
        if held.is_empty() {
            vec![]
        } else {
            vec![(latest, held.len() as u64)]
        }
    );
    let kept = held.len();
    drop(held);
    assert_eq!(ITEMS.live(), 0, "no instance leaked");

    let per_update = (rss_end as f64 - rss_warm as f64) / (updates - warmup).max(1) as f64;
    eprintln!(
        "stress_updates: {updates} updates ({redefinitions} redefinitions, {latest} conversions, \
         {} reboots) in {:.1?}; {made} worker calls, {executed} executed, 0 lost; \
         {} instances created, {kept} held at the end, {} transformer runs; \
         RSS {} KiB after {warmup} updates, {} KiB after {updates}: {per_update:.0} bytes/update",
        expected.iter().map(|e| e.reboots).sum::<u32>(),
        elapsed,
        workers
            .iter()
            .map(|w| w.created.load(Ordering::SeqCst))
            .sum::<u64>(),
        CONVERSIONS.load(Ordering::SeqCst),
        rss_warm / 1024,
        rss_end / 1024,
    );
}
