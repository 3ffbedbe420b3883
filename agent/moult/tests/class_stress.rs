//! Several threads create, read and drop instances while eager and lazy
//! conversions run: no instance is lost, every instance is in exactly one
//! version, and the live counts per version are the real ones.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use moult::class::{EagerConversion, LazyConversion, Tracked};
use moult::protocol::Outcome;

/// `generation` counts the conversions a value went through (or the version
/// of the constructor that built it): it must always equal its version.
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

/// Constructor of record of version `G`.
fn generation<const G: u32>(id: u64) -> Box<dyn Item> {
    Box::new(V { id, generation: G })
}

fn next(old: &dyn Item) -> Box<dyn Item> {
    Box::new(V {
        id: old.id(),
        generation: old.generation() + 1,
    })
}

moult::class!(static ITEMS: dyn Item, u64 = "Items", generation::<0>);

fn worker(seed: u64, stop: Arc<AtomicBool>) -> Vec<Tracked<dyn Item>> {
    let mut mine: Vec<Tracked<dyn Item>> = Vec::new();
    let mut x = seed;
    let mut next_id = seed << 32;
    while !stop.load(Ordering::Relaxed) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        match x % 4 {
            0 | 1 if mine.len() < 300 => {
                next_id += 1;
                mine.push(ITEMS.create(next_id));
            }
            2 if !mine.is_empty() => {
                let d = &mine[(x as usize / 4) % mine.len()];
                let g = d.read();
                assert!(g.id() >> 32 == seed);
            }
            _ if !mine.is_empty() => {
                mine.swap_remove((x as usize / 4) % mine.len());
            }
            _ => {}
        }
    }
    mine
}

fn run(update: Box<dyn moult::Update>) {
    let rt = moult::runtime();
    let id = rt.submit(update);
    assert_eq!(rt.wait(id, Duration::from_secs(20)), Some(Outcome::Applied));
}

#[test]
#[cfg_attr(miri, ignore = "Miri: too slow for its 20 s update budget")]
fn conversions_under_concurrent_create_read_drop_keep_exact_counts() {
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (1..=3)
        .map(|seed| {
            let stop = stop.clone();
            thread::spawn(move || worker(seed, stop))
        })
        .collect();
    // Three rounds of: eager, lazy, trigger the pending ones, lazy again.
    let ctors: [fn(u64) -> Box<dyn Item>; 9] = [
        generation::<1>,
        generation::<2>,
        generation::<3>,
        generation::<4>,
        generation::<5>,
        generation::<6>,
        generation::<7>,
        generation::<8>,
        generation::<9>,
    ];
    for round in ctors.chunks(3) {
        thread::sleep(Duration::from_millis(30));
        run(Box::new(EagerConversion::new(
            &ITEMS,
            round[0],
            |o: &dyn Item| next(o),
        )));
        thread::sleep(Duration::from_millis(30));
        run(Box::new(LazyConversion::new(
            &ITEMS,
            round[1],
            |o: &dyn Item| next(o),
        )));
        thread::sleep(Duration::from_millis(30));
        moult::runtime().convert_pending(ITEMS.name()).unwrap();
        run(Box::new(LazyConversion::new(
            &ITEMS,
            round[2],
            |o: &dyn Item| next(o),
        )));
    }
    thread::sleep(Duration::from_millis(30));
    stop.store(true, Ordering::Relaxed);
    let live: Vec<Tracked<dyn Item>> = workers
        .into_iter()
        .flat_map(|w| w.join().expect("worker"))
        .collect();

    // Every live instance is registered once, in exactly one version.
    let info = |name: &str| {
        moult::runtime()
            .classes()
            .into_iter()
            .find(|c| c.name == name)
            .unwrap()
    };
    let mut by_version: BTreeMap<u32, u64> = BTreeMap::new();
    for d in &live {
        *by_version.entry(d.version()).or_default() += 1;
    }
    let i = info(ITEMS.name());
    let counted: BTreeMap<u32, u64> = i
        .versions
        .iter()
        .filter(|v| v.live > 0)
        .map(|v| (v.version, v.live))
        .collect();
    assert_eq!(counted, by_version);
    assert_eq!(ITEMS.live(), live.len() as u64);
    assert!(
        live.len() > 100,
        "the workers made instances: {}",
        live.len()
    );

    // Each value went through exactly the conversions its version says
    // (seen as it is, without converting, by a heap walk).
    let mut ids = std::collections::HashSet::new();
    let visited = moult::runtime().visit_instances(&mut |_, version, value: &dyn Any| {
        let v = value.downcast_ref::<V>().expect("a V");
        assert_eq!(v.generation, version);
        assert!(ids.insert(v.id), "one instance, one id");
    });
    assert_eq!(visited, live.len() as u64);
    // Converting what is pending keeps every value in step with its version
    // (instances whose constructor ran while an eager conversion began are
    // converted before `create` returns: see class_create_race).
    moult::runtime().convert_pending(ITEMS.name()).unwrap();
    let mut last = 0;
    for d in &live {
        assert_eq!(d.read().generation(), d.version());
        last += u64::from(d.version() == 9);
    }
    eprintln!("{last} of {} in the last version", live.len());
    let i = info(ITEMS.name());
    assert_eq!(i.pending_lazy, 0);
    assert_eq!(
        i.versions.iter().map(|v| v.live).sum::<u64>(),
        live.len() as u64
    );
    drop(live);
    assert_eq!(ITEMS.live(), 0, "no instance leaked");
}
