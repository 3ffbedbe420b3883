//! Instances the app drops while an eager conversion holds on to them (the
//! conversion counts none of them: it pins their class instead): nothing is
//! freed under the conversion, a rollback puts old values back into them,
//! and every value is dropped exactly once, with exact counts at the end.

use std::any::Any;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use moult::class::{EagerConversion, Tracked};
use moult::protocol::Outcome;

trait Val: Any + Send + Sync {
    fn id(&self) -> u64;
}

/// Values made (constructors and transformers) and dropped, for this file.
static MADE: AtomicUsize = AtomicUsize::new(0);
static DROPPED: AtomicUsize = AtomicUsize::new(0);

struct V(u64);
impl V {
    fn boxed(id: u64) -> Box<dyn Val> {
        MADE.fetch_add(1, Ordering::SeqCst);
        Box::new(V(id))
    }
}
impl Val for V {
    fn id(&self) -> u64 {
        self.0
    }
}
impl Drop for V {
    fn drop(&mut self) {
        DROPPED.fetch_add(1, Ordering::SeqCst);
    }
}

/// The handles the app holds; the transformer empties it (each test has
/// its own).
type Handles = Mutex<Vec<Tracked<dyn Val>>>;

fn run(update: EagerConversion<dyn Val, u64>) -> Outcome {
    let rt = moult::runtime();
    let id = rt.submit(Box::new(update));
    rt.wait(id, Duration::from_secs(20))
        .expect("update finished")
}

fn n() -> u64 {
    if cfg!(miri) { 24 } else { 20_000 }
}

/// The transformer: at the instance of id `drop_at`, drops every handle the
/// app holds (the one of the instance being converted included); panics at
/// the instance of id `panic_at`, once the handles are dropped.
///
/// The panic waits for the drop: the pass runs on two threads, and the
/// part holding `panic_at` may be reached before the one holding `drop_at`
/// (the second thread late to start); a panic first stops the pass before
/// the drop, and the handles, still held, keep every instance alive.
fn transformer(
    handles: &'static Handles,
    drop_at: u64,
    panic_at: Option<u64>,
) -> impl Fn(&dyn Val) -> Box<dyn Val> + Send + Sync + 'static {
    let dropped = AtomicBool::new(false);
    move |old: &dyn Val| {
        if old.id() == drop_at {
            drop(std::mem::take(&mut *handles.lock().unwrap()));
            dropped.store(true, Ordering::SeqCst);
        }
        if Some(old.id()) == panic_at {
            let t0 = std::time::Instant::now();
            while !dropped.load(Ordering::SeqCst) {
                assert!(
                    t0.elapsed() < Duration::from_secs(20),
                    "no drop at {drop_at}"
                );
                std::thread::sleep(Duration::from_millis(1));
            }
            panic!("boom at {}", old.id());
        }
        V::boxed(old.id())
    }
}

static APPLIED_HANDLES: Handles = Mutex::new(Vec::new());
moult::class!(static APPLIED: dyn Val, u64 = "DropsApplied", V::boxed);

static ROLLED_HANDLES: Handles = Mutex::new(Vec::new());
moult::class!(static ROLLED: dyn Val, u64 = "DropsRolled", V::boxed);

/// Both cases in one test: the counters are the file's.
#[test]
fn instances_dropped_during_a_conversion_are_freed_once_after_it() {
    let n = n();
    for (class, handles) in [(&APPLIED, &APPLIED_HANDLES), (&ROLLED, &ROLLED_HANDLES)] {
        class.handle().unwrap().set_conversion_workers(2);
        *handles.lock().unwrap() = (0..n).map(|i| class.create(i)).collect();
    }
    assert_eq!(MADE.load(Ordering::SeqCst), 2 * n as usize);

    // Dropped a third of the way through, converted to the end: applied.
    let outcome = run(EagerConversion::new(
        &APPLIED,
        V::boxed,
        transformer(&APPLIED_HANDLES, n / 3, None),
    ));
    assert_eq!(outcome, Outcome::Applied);
    let applied = APPLIED.handle().unwrap();
    assert_eq!(applied.live(), 0, "every dropped instance freed by the end");
    assert!(APPLIED_HANDLES.lock().unwrap().is_empty());

    // Dropped a third of the way through, failed at two thirds: every
    // instance converted (each an orphan by then) gets its old value back,
    // then is freed.
    let outcome = run(EagerConversion::new(
        &ROLLED,
        V::boxed,
        transformer(&ROLLED_HANDLES, n / 3, Some(n * 2 / 3)),
    ));
    let Outcome::RolledBack(message) = outcome else {
        panic!("expected a rollback, got {outcome:?}");
    };
    assert!(
        message.contains(&format!("boom at {}", n * 2 / 3)),
        "{message}"
    );
    let rolled = ROLLED.handle().unwrap();
    assert_eq!(rolled.live(), 0, "every dropped instance freed by the end");
    assert_eq!(ROLLED.version(), 0, "constructor of record restored");

    // Old values go to a helper thread after a commit: wait for it.
    let t0 = std::time::Instant::now();
    while DROPPED.load(Ordering::SeqCst) < MADE.load(Ordering::SeqCst)
        && t0.elapsed() < Duration::from_secs(20)
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(
        DROPPED.load(Ordering::SeqCst),
        MADE.load(Ordering::SeqCst),
        "every value made was dropped, once"
    );
    // The classes work on: their slots were given back.
    let again = APPLIED.create(1);
    assert_eq!(applied.live(), 1);
    drop(again);
    assert_eq!(applied.live(), 0);
}

/// A value outside the counts of the other test (tests run in parallel).
struct W(u64);
impl Val for W {
    fn id(&self) -> u64 {
        self.0
    }
}
fn w(id: u64) -> Box<dyn Val> {
    Box::new(W(id))
}

static LATE: AtomicUsize = AtomicUsize::new(0);
moult::class!(static LATER: dyn Val, u64 = "DropsLater", w);

/// The last handle of a converted instance, dropped after the update by a
/// thread that never locked it and learnt of the update through a relaxed
/// flag only: its free reads the value the conversion wrote, which the
/// pin's release orders before it. With the pin's last unpin and the
/// drop's check relaxed, ThreadSanitizer reported a data race here every
/// time (Miri did not: its `SeqCst` fences, which the updater runs after
/// the pass, order more than ThreadSanitizer sees).
#[test]
fn a_drop_after_the_update_sees_the_value_the_conversion_wrote() {
    let handle = LATER.create(7);
    let dropper = std::thread::spawn(move || {
        while LATE.load(Ordering::Relaxed) == 0 {
            std::hint::spin_loop();
        }
        drop(handle);
    });
    let outcome = run(EagerConversion::new(&LATER, w, |old: &dyn Val| {
        w(old.id() + 1)
    }));
    assert_eq!(outcome, Outcome::Applied);
    LATE.store(1, Ordering::Relaxed);
    dropper.join().unwrap();
    assert_eq!(LATER.handle().unwrap().live(), 0);
}
