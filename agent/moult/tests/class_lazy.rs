//! Lazy conversion: O(1) apply, conversion on access, trigger-now, failures,
//! rollback, chained conversions.

use std::any::Any;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use moult::protocol::{ClassInfo, EventKind, Outcome};
use moult::{Update, UpdateContext, UpdateError};

trait IntApi: Any + Send + Sync {
    fn get(&self) -> i64;
}

struct Integer {
    v: i64,
}
impl IntApi for Integer {
    fn get(&self) -> i64 {
        self.v
    }
}

struct Doubled {
    v: i64,
}
impl IntApi for Doubled {
    fn get(&self) -> i64 {
        self.v
    }
}

fn integer(v: i64) -> Box<dyn IntApi> {
    Box::new(Integer { v })
}
fn doubled(v: i64) -> Box<dyn IntApi> {
    Box::new(Doubled { v })
}

fn info(name: &str) -> ClassInfo {
    moult::runtime()
        .classes()
        .into_iter()
        .find(|c| c.name == name)
        .expect("class registered")
}

fn run(update: impl Update) -> Outcome {
    let rt = moult::runtime();
    let id = rt.submit(Box::new(update));
    rt.wait(id, Duration::from_secs(10))
        .expect("update finished")
}

moult::class!(static INTS: dyn IntApi, i64 = "Ints", integer);
static INTS_CALLS: AtomicUsize = AtomicUsize::new(0);

#[test]
fn lazy_conversion_converts_each_instance_once_on_access() {
    let all: Vec<_> = (0..100).map(|i| INTS.create(i)).collect();
    let outcome = run(moult::class::LazyConversion::new(
        &INTS,
        doubled,
        |old: &dyn IntApi| {
            INTS_CALLS.fetch_add(1, Ordering::SeqCst);
            doubled(old.get() * 2)
        },
    ));
    assert_eq!(outcome, Outcome::Applied);
    assert_eq!(
        INTS_CALLS.load(Ordering::SeqCst),
        0,
        "apply touched no instance"
    );
    assert!(all.iter().all(|d| d.version() == 0));
    assert_eq!(INTS.version(), 1);
    assert_eq!(info(INTS.name()).pending_lazy, 100);

    assert_eq!(all[0].read().get(), 0);
    assert_eq!(all[3].read().get(), 6);
    assert_eq!(all[3].read().get(), 6, "converted once, not twice");
    assert_eq!(INTS_CALLS.load(Ordering::SeqCst), 2);
    assert_eq!(all[3].version(), 1);
    assert_eq!(info(INTS.name()).pending_lazy, 98);
    all[4].write(); // a write access converts too
    assert_eq!(INTS_CALLS.load(Ordering::SeqCst), 3);
    assert_eq!(info(INTS.name()).pending_lazy, 97);

    let fresh = INTS.create(5);
    assert_eq!(fresh.version(), 1);
    assert_eq!(
        fresh.read().get(),
        5,
        "new instances are built in the new version"
    );
    assert_eq!(INTS_CALLS.load(Ordering::SeqCst), 3);

    // The console's "trigger conversion".
    assert_eq!(moult::runtime().convert_pending(INTS.name()), Ok(97));
    assert_eq!(INTS_CALLS.load(Ordering::SeqCst), 100);
    let i = info(INTS.name());
    assert_eq!(i.pending_lazy, 0);
    assert_eq!(i.versions[0].live, 0);
    assert_eq!(i.versions[1].live, 101);
    for (i, d) in all.iter().enumerate() {
        assert_eq!(d.read().get(), 2 * i as i64);
        assert_eq!(d.version(), 1);
    }
    assert_eq!(
        INTS_CALLS.load(Ordering::SeqCst),
        100,
        "each instance converted exactly once"
    );
    assert!(
        moult::runtime()
            .convert_pending("class_lazy::Nope")
            .is_err()
    );
}

moult::class!(static FRAGILE: dyn IntApi, i64 = "Fragile", integer);
static FRAGILE_CALLS: AtomicUsize = AtomicUsize::new(0);

#[test]
fn a_lazy_transformer_panic_stops_the_conversion_and_the_app_goes_on() {
    let all: Vec<_> = (0..10).map(|i| FRAGILE.create(i)).collect();
    let cursor = moult::runtime().events().cursor();
    let outcome = run(moult::class::LazyConversion::new(
        &FRAGILE,
        doubled,
        |old: &dyn IntApi| {
            FRAGILE_CALLS.fetch_add(1, Ordering::SeqCst);
            if old.get() == 3 {
                panic!("cannot double {}", old.get());
            }
            doubled(old.get() * 2)
        },
    ));
    assert_eq!(outcome, Outcome::Applied);
    assert_eq!(all[1].read().get(), 2);
    assert_eq!(all[3].read().get(), 3, "the old value stays usable");
    assert_eq!(all[3].version(), 0);
    assert_eq!(FRAGILE_CALLS.load(Ordering::SeqCst), 2);

    // Marked failed: no further attempts, on any instance.
    assert_eq!(all[3].read().get(), 3);
    assert_eq!(all[5].read().get(), 5);
    assert_eq!(moult::runtime().convert_pending(FRAGILE.name()), Ok(0));
    assert_eq!(FRAGILE_CALLS.load(Ordering::SeqCst), 2);
    let i = info(FRAGILE.name());
    assert_eq!(i.pending_lazy, 0);
    assert_eq!(i.versions[0].live, 9);
    assert_eq!(i.versions[1].live, 1);

    let said = moult::runtime().events().since(cursor).events.into_iter().any(|e| {
        matches!(&e.kind, EventKind::Log { level, message }
            if level == "error" && message.contains("cannot double 3") && message.contains("Fragile"))
    });
    assert!(said, "an event reports the failed conversion");
    assert_eq!(FRAGILE.create(1).version(), 1, "the app keeps running");
}

moult::class!(static WITHDRAWN: dyn IntApi, i64 = "Withdrawn", integer);
static WITHDRAWN_CALLS: AtomicUsize = AtomicUsize::new(0);

/// Installs a lazy conversion, converts one instance by reading it, then fails.
struct LazyThenFail(moult::class::Tracked<dyn IntApi>);
impl Update for LazyThenFail {
    fn name(&self) -> &str {
        "lazy then fail"
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.convert_lazy(&WITHDRAWN, doubled, |old: &dyn IntApi| {
            WITHDRAWN_CALLS.fetch_add(1, Ordering::SeqCst);
            doubled(old.get() * 2)
        })?;
        assert_eq!(self.0.read().get(), 14);
        Err(UpdateError::Failed("later step failed".into()))
    }
}

#[test]
fn a_rolled_back_lazy_conversion_restores_converted_instances() {
    let seven = WITHDRAWN.create(7);
    let other = WITHDRAWN.create(8);
    let Outcome::RolledBack(message) = run(LazyThenFail(seven.clone())) else {
        panic!("expected a rollback");
    };
    assert!(
        message.contains("1 converted instances restored"),
        "{message}"
    );
    assert_eq!(WITHDRAWN_CALLS.load(Ordering::SeqCst), 1);
    assert_eq!(seven.version(), 0);
    assert_eq!(seven.read().get(), 7);
    assert_eq!(other.read().get(), 8);
    assert_eq!(
        WITHDRAWN_CALLS.load(Ordering::SeqCst),
        1,
        "withdrawn: no more conversions"
    );
    assert_eq!(WITHDRAWN.version(), 0);
    assert_eq!(info(WITHDRAWN.name()).pending_lazy, 0);
}

moult::class!(static CHAIN: dyn IntApi, i64 = "Chain", integer);

#[test]
fn chained_lazy_conversions_apply_in_order_and_eager_brings_pending_ones_up_first() {
    let all: Vec<_> = (1..=3).map(|i| CHAIN.create(i)).collect();
    let double = moult::class::LazyConversion::new(&CHAIN, doubled, |old: &dyn IntApi| {
        doubled(old.get() * 2)
    });
    assert_eq!(run(double), Outcome::Applied);
    let plus_one = moult::class::LazyConversion::new(&CHAIN, integer, |old: &dyn IntApi| {
        integer(old.get() + 1)
    })
    .named("plus one");
    assert_eq!(run(plus_one), Outcome::Applied);
    assert_eq!(info(CHAIN.name()).pending_lazy, 3);
    assert_eq!(all[0].read().get(), 3, "(1 * 2) + 1");
    assert_eq!(all[0].version(), 2);

    let times_ten = moult::class::EagerConversion::new(&CHAIN, integer, |old: &dyn IntApi| {
        integer(old.get() * 10)
    });
    assert_eq!(run(times_ten), Outcome::Applied);
    assert_eq!(all[0].read().get(), 30);
    assert_eq!(all[1].read().get(), 50, "(2 * 2 + 1) * 10");
    assert_eq!(all[2].read().get(), 70);
    assert!(all.iter().all(|d| d.version() == 3));
    assert_eq!(info(CHAIN.name()).pending_lazy, 0);
}
