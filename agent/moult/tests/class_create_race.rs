//! Creations racing eager conversions: a `create` that loaded the old
//! constructor of record and registers after the conversion enumerated its
//! shard must not stay in the old version. After each conversion (creators
//! paused between two creations), every live instance is in the new version
//! and the per-version counts say exactly that.

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use moult::class::{EagerConversion, Tracked};
use moult::protocol::Outcome;

const WATCHDOG: Duration = Duration::from_secs(30);
/// Eager conversions (and so constructors of record after version 0).
#[cfg(not(miri))]
const ROUNDS: usize = 24;
#[cfg(miri)]
const ROUNDS: usize = 2;
#[cfg(not(miri))]
const CREATORS: usize = 3;
#[cfg(miri)]
const CREATORS: usize = 2;

/// `generation` counts the conversions a value went through, or is the
/// version of the constructor that built it: it must equal its version.
trait Item: Any + Send + Sync {
    fn id(&self) -> u64;
    fn generation(&self) -> u32;
}
struct V {
    id: u64,
    generation: u32,
}
impl Item for V {
    fn id(&self) -> u64 {
        self.id
    }
    fn generation(&self) -> u32 {
        self.generation
    }
}

/// Constructor of record of version `G`: slow enough (it yields) that
/// conversions often begin while one runs.
fn generation<const G: u32>(id: u64) -> Box<dyn Item> {
    for _ in 0..3 {
        thread::yield_now();
    }
    Box::new(V { id, generation: G })
}

fn next(old: &dyn Item) -> Box<dyn Item> {
    Box::new(V {
        id: old.id(),
        generation: old.generation() + 1,
    })
}

const CTORS: [fn(u64) -> Box<dyn Item>; 24] = [
    generation::<1>,
    generation::<2>,
    generation::<3>,
    generation::<4>,
    generation::<5>,
    generation::<6>,
    generation::<7>,
    generation::<8>,
    generation::<9>,
    generation::<10>,
    generation::<11>,
    generation::<12>,
    generation::<13>,
    generation::<14>,
    generation::<15>,
    generation::<16>,
    generation::<17>,
    generation::<18>,
    generation::<19>,
    generation::<20>,
    generation::<21>,
    generation::<22>,
    generation::<23>,
    generation::<24>,
];

moult::class!(static RACED: dyn Item, u64 = "Raced", generation::<0>);

/// Lets the checker stop every creator between two creations.
struct Pause {
    asked: AtomicBool,
    paused: AtomicUsize,
    stop: AtomicBool,
}

fn creator(seed: u64, pause: Arc<Pause>) -> Vec<Tracked<dyn Item>> {
    let mut mine: Vec<Tracked<dyn Item>> = Vec::new();
    let mut x = seed;
    let mut id = seed << 32;
    while !pause.stop.load(Ordering::SeqCst) {
        if pause.asked.load(Ordering::SeqCst) {
            pause.paused.fetch_add(1, Ordering::SeqCst);
            while pause.asked.load(Ordering::SeqCst) {
                thread::yield_now();
            }
            pause.paused.fetch_sub(1, Ordering::SeqCst);
        }
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if mine.len() < 64 || !x.is_multiple_of(3) {
            id += 1;
            mine.push(RACED.create(id));
        }
        if mine.len() > 48 && x.is_multiple_of(2) {
            mine.swap_remove((x as usize / 4) % mine.len());
        }
    }
    mine
}

fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + WATCHDOG;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::yield_now();
    }
}

#[test]
fn no_creation_racing_an_eager_conversion_is_left_in_the_old_version() {
    let class = RACED.handle().unwrap();
    let pause = Arc::new(Pause {
        asked: AtomicBool::new(false),
        paused: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
    });
    let creators: Vec<_> = (1..=CREATORS as u64)
        .map(|seed| {
            let pause = pause.clone();
            thread::spawn(move || creator(seed, pause))
        })
        .collect();
    wait_until("creations", || class.live() > 16);
    let rt = moult::runtime();
    for (round, ctor) in CTORS.iter().take(ROUNDS).enumerate() {
        let version = round as u32 + 1;
        let id = rt.submit(Box::new(EagerConversion::new(
            &RACED,
            *ctor,
            |old: &dyn Item| next(old),
        )));
        assert_eq!(
            rt.wait(id, WATCHDOG),
            Some(Outcome::Applied),
            "round {version}"
        );
        assert_eq!(class.version(), version);

        pause.asked.store(true, Ordering::SeqCst);
        wait_until("the creators to pause", || {
            pause.paused.load(Ordering::SeqCst) == CREATORS
        });
        let all = class.instances();
        for d in &all {
            assert_eq!(
                d.version(),
                version,
                "round {version}: an instance was missed"
            );
            assert_eq!(d.read().generation(), version);
        }
        let info = class.info();
        for v in &info.versions {
            let expected = if v.version == version {
                all.len() as u64
            } else {
                0
            };
            assert_eq!(
                v.live, expected,
                "round {version}: live count of version {}",
                v.version
            );
        }
        drop(all);
        pause.asked.store(false, Ordering::SeqCst);
    }
    pause.stop.store(true, Ordering::SeqCst);
    let live: Vec<_> = creators
        .into_iter()
        .flat_map(|c| c.join().expect("creator"))
        .collect();
    assert_eq!(class.live(), live.len() as u64);
    drop(live);
    assert_eq!(class.live(), 0, "no instance leaked");
}
