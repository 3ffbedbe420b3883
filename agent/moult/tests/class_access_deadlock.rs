//! Latent lock deadlocks around conversions end in bounded time: a thread
//! that reads an instance it already reads (a lazy conversion pending, or an
//! eager conversion waiting for the instance), and two lazy transformers
//! that each read the instance the other converts. Every scenario runs under
//! a watchdog, so a deadlock fails the test instead of hanging it.

use std::any::Any;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier, OnceLock};
use std::thread;
use std::time::Duration;

use moult::class::{EagerConversion, LazyConversion, Tracked};
use moult::protocol::{EventKind, Outcome};

const WATCHDOG: Duration = Duration::from_secs(30);

trait Item: Any + Send + Sync {
    fn id(&self) -> u64;
    fn seen(&self) -> Option<u64> {
        None
    }
}
struct V1(u64);
impl Item for V1 {
    fn id(&self) -> u64 {
        self.0
    }
}
struct V2 {
    id: u64,
    seen: Option<u64>,
}
impl Item for V2 {
    fn id(&self) -> u64 {
        self.id
    }
    fn seen(&self) -> Option<u64> {
        self.seen
    }
}
fn v1(id: u64) -> Box<dyn Item> {
    Box::new(V1(id))
}
fn v2(id: u64) -> Box<dyn Item> {
    Box::new(V2 { id, seen: None })
}
fn is_v1(d: &dyn Item) -> bool {
    (d as &dyn Any).is::<V1>()
}

/// Runs `f` on its own thread; fails the test if it does not end in time.
fn watchdog<R: Send + 'static>(what: &str, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(WATCHDOG)
        .unwrap_or_else(|_| panic!("{what}: deadlocked (no end within {WATCHDOG:?})"))
}

fn run(update: impl moult::Update) -> Outcome {
    let rt = moult::runtime();
    let id = rt.submit(Box::new(update));
    rt.wait(id, WATCHDOG).expect("update finished")
}

moult::class!(static RECURSIVE: dyn Item, u64 = "Recursive", v1);

#[test]
fn reading_again_an_instance_read_before_a_lazy_conversion_does_not_deadlock() {
    RECURSIVE
        .handle()
        .unwrap()
        .set_access_wait(Duration::from_millis(200));
    let d = RECURSIVE.create(7);
    let d2 = d.clone();
    let outcome = watchdog("a recursive read", move || {
        let first = d2.read();
        let outcome = run(LazyConversion::new(&RECURSIVE, v2, |old: &dyn Item| {
            Box::new(V2 {
                id: old.id(),
                seen: None,
            }) as Box<dyn Item>
        }));
        // Pending now; converting needs the write lock this thread blocks.
        let again = d2.read();
        assert!(is_v1(&*again), "read as it is, unconverted");
        assert_eq!(again.id(), first.id());
        outcome
    });
    assert_eq!(outcome, Outcome::Applied);
    assert_eq!(d.version(), 0);
    assert!(!is_v1(&*d.read()), "the next access converts");
    assert_eq!(d.version(), 1);
}

moult::class!(static WAITED: dyn Item, u64 = "Waited", v1);

#[test]
fn reading_again_an_instance_an_eager_conversion_waits_for_does_not_deadlock() {
    let d = WAITED.create(1);
    let done = Arc::new(AtomicBool::new(false));
    let (reader, holding) = {
        let (d, done) = (d.clone(), done.clone());
        let (tx, rx) = mpsc::channel();
        let reader = thread::spawn(move || {
            let first = d.read();
            tx.send(()).unwrap();
            // Read again and again while the conversion waits for `first`.
            while !done.load(Ordering::SeqCst) {
                assert_eq!(d.read().id(), first.id());
                thread::yield_now();
            }
        });
        (reader, rx)
    };
    holding.recv().unwrap();
    let outcome = watchdog("an eager conversion waiting for a re-reader", move || {
        run(
            EagerConversion::new(&WAITED, v2, |old: &dyn Item| v2(old.id()))
                .tries(3, Duration::from_millis(100)),
        )
    });
    done.store(true, Ordering::SeqCst);
    reader.join().unwrap();
    let Outcome::RolledBack(message) = outcome else {
        panic!("the reader never lets go: expected a rollback, got {outcome:?}");
    };
    assert!(
        message.contains("class_access_deadlock::Waited"),
        "{message}"
    );
    assert_eq!(d.version(), 0);
    assert!(is_v1(&*d.read()));
}

moult::class!(static PAIR: dyn Item, u64 = "Pair", v1);

/// The two instances of the pair, each transformer reading the other.
static PEERS: OnceLock<[Tracked<dyn Item>; 2]> = OnceLock::new();
/// Both transformers hold their instance's write lock before reading.
static BOTH_IN: OnceLock<Barrier> = OnceLock::new();
static ENTERED: [AtomicBool; 2] = [AtomicBool::new(false), AtomicBool::new(false)];

fn read_the_other(old: &dyn Item) -> Box<dyn Item> {
    let me = old.id() as usize;
    if !ENTERED[me].swap(true, Ordering::SeqCst) {
        BOTH_IN.get().unwrap().wait();
    }
    let other = PEERS.get().unwrap()[1 - me].read().id();
    Box::new(V2 {
        id: old.id(),
        seen: Some(other),
    })
}

#[test]
fn two_lazy_transformers_reading_each_others_instance_do_not_deadlock() {
    let class = PAIR.handle().unwrap();
    class.set_access_wait(Duration::from_millis(200));
    BOTH_IN.set(Barrier::new(2)).unwrap();
    let _ = PEERS.set([PAIR.create(0), PAIR.create(1)]);
    let cursor = moult::runtime().events().cursor();
    assert_eq!(
        run(LazyConversion::new(&PAIR, v2, read_the_other)),
        Outcome::Applied
    );
    let ids = watchdog("two transformers in a lock-order cycle", || {
        let threads: Vec<_> = (0..2)
            .map(|i| thread::spawn(move || PEERS.get().unwrap()[i].read().id()))
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("the access returned"))
            .collect::<Vec<_>>()
    });
    assert_eq!(ids, vec![0, 1]);
    // At least one transformer gave up (its conversion stopped, with an
    // error event), and the app reads both instances.
    let said = moult::runtime()
        .events()
        .since(cursor)
        .events
        .into_iter()
        .any(|e| match e.kind {
            EventKind::Log { level, message } => {
                level == "error" && message.contains("class_access_deadlock::Pair")
            }
            _ => false,
        });
    assert!(said, "an error event reports the stopped conversion");
    let [a, b] = PEERS.get().unwrap();
    assert_eq!(a.read().id(), 0);
    assert_eq!(b.read().id(), 1);
    assert!(a.version() + b.version() < 2, "not both converted");
    for d in [a, b] {
        if d.version() == 1 {
            assert_eq!(
                d.read().seen(),
                Some(1 - d.read().id()),
                "it read the other"
            );
        }
    }
}
