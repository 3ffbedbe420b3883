//! Eager conversion, its rollback, the low-level class API, by-name lookup.

use std::any::Any;
use std::fmt;
use std::time::Duration;

use moult::class::{Class, ClassRef, EagerConversion};
use moult::protocol::{ClassInfo, Outcome};
use moult::{Error, Update, UpdateContext, UpdateError};

trait DataApi: Any + Send + Sync + fmt::Display {
    fn value(&self) -> i64;
    fn origin(&self) -> Option<&str> {
        None
    }
}

struct DataV1 {
    value: i64,
}
impl fmt::Display for DataV1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.value)
    }
}
impl DataApi for DataV1 {
    fn value(&self) -> i64 {
        self.value
    }
}

struct DataV2 {
    value: i64,
    origin: String,
}
impl fmt::Display for DataV2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} from {}", self.value, self.origin)
    }
}
impl DataApi for DataV2 {
    fn value(&self) -> i64 {
        self.value
    }
    fn origin(&self) -> Option<&str> {
        Some(&self.origin)
    }
}

fn v1(value: i64) -> Box<dyn DataApi> {
    Box::new(DataV1 { value })
}
fn v2(value: i64) -> Box<dyn DataApi> {
    Box::new(DataV2 {
        value,
        origin: "new".into(),
    })
}
fn to_v2(old: &dyn DataApi) -> Box<dyn DataApi> {
    Box::new(DataV2 {
        value: old.value(),
        origin: "converted".into(),
    })
}

fn is_v1(d: &dyn DataApi) -> bool {
    (d as &dyn Any).is::<DataV1>()
}

fn info(name: &str) -> ClassInfo {
    moult::runtime()
        .classes()
        .into_iter()
        .find(|c| c.name == name)
        .expect("class registered")
}

fn live(info: &ClassInfo, version: u32) -> u64 {
    info.versions
        .iter()
        .find(|v| v.version == version)
        .map_or(0, |v| v.live)
}

fn run(update: impl Update) -> Outcome {
    let rt = moult::runtime();
    let id = rt.submit(Box::new(update));
    rt.wait(id, Duration::from_secs(10))
        .expect("update finished")
}

moult::class!(static DATA: dyn DataApi, i64 = "Data" as DataV1, v1);

#[test]
fn eager_conversion_converts_every_instance_and_switches_the_constructor() {
    let name = DATA.name();
    let made: Vec<_> = (0..5).map(|i| DATA.create(i)).collect();
    let tracked = DATA.track(Box::new(DataV1 { value: 42 }));
    assert_eq!(
        tracked.version(),
        0,
        "a DataV1 built by app code is version 0"
    );
    assert_eq!(live(&info(name), 0), 6);

    let outcome = run(
        EagerConversion::new(&DATA, v2, |old: &dyn DataApi| to_v2(old)).version_type::<DataV2>(),
    );
    assert_eq!(outcome, Outcome::Applied);

    for (i, d) in made.iter().enumerate() {
        assert_eq!(d.version(), 1);
        assert_eq!(d.read().value(), i as i64);
        assert_eq!(d.read().origin(), Some("converted"));
        assert_eq!(d.read().to_string(), format!("{i} from converted"));
    }
    assert_eq!(tracked.read().value(), 42);
    assert_eq!(tracked.version(), 1);
    assert_eq!(DATA.version(), 1, "constructor of record switched");

    let fresh = DATA.create(7);
    assert_eq!(fresh.version(), 1);
    assert_eq!(fresh.read().origin(), Some("new"));

    // Old code (e.g. the old `sum`) still building DataV1 values: version 0.
    let old_built = DATA.track(Box::new(DataV1 { value: 9 }));
    assert_eq!(old_built.version(), 0);
    assert!(is_v1(&*old_built.read()));

    let i = info(name);
    assert_eq!(i.version, 1);
    assert_eq!(live(&i, 0), 1);
    assert_eq!(live(&i, 1), 7);
    assert_eq!(i.pending_lazy, 0);
    assert!(
        i.versions[0].type_name.ends_with("DataV1"),
        "{:?}",
        i.versions
    );
    assert!(
        i.versions[1].type_name.ends_with("DataV2"),
        "{:?}",
        i.versions
    );

    drop(made);
    assert_eq!(live(&info(name), 1), 2);
    drop((old_built, tracked, fresh));
    assert_eq!(DATA.live(), 0);
}

moult::class!(static ROLLBACK: dyn DataApi, i64 = "Rollback", v1);

#[test]
fn a_transformer_panic_at_instance_k_rolls_every_instance_back() {
    let all: Vec<_> = (0..10).map(|i| ROLLBACK.create(i)).collect();
    let outcome = run(EagerConversion::new(&ROLLBACK, v2, |old: &dyn DataApi| {
        if old.value() == 6 {
            panic!("boom at {}", old.value());
        }
        to_v2(old)
    }));
    let Outcome::RolledBack(message) = outcome else {
        panic!("expected a rollback, got {outcome:?}");
    };
    assert!(message.contains("boom at 6"), "{message}");
    assert!(message.contains("instance 7 of 10"), "{message}");
    for (i, d) in all.iter().enumerate() {
        assert_eq!(d.version(), 0, "instance {i} back to version 0");
        assert!(is_v1(&*d.read()), "instance {i} holds its DataV1 again");
        assert_eq!(d.read().value(), i as i64);
    }
    assert_eq!(ROLLBACK.version(), 0, "constructor of record restored");
    let fresh = ROLLBACK.create(1);
    assert_eq!(fresh.version(), 0);
    assert!(is_v1(&*fresh.read()));
    let i = info(ROLLBACK.name());
    assert_eq!(live(&i, 0), 11);
    assert_eq!(live(&i, 1), 0);
}

moult::class!(static LATE: dyn DataApi, i64 = "Late", v1);

/// Converts, then fails: the conversion must be rolled back too.
struct ConvertThenFail;
impl Update for ConvertThenFail {
    fn name(&self) -> &str {
        "convert then fail"
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        let version = ctx.convert_eager(&LATE, v2, |old: &dyn DataApi| to_v2(old))?;
        assert_eq!(version, 1);
        Err(UpdateError::Failed("a later step failed".into()))
    }
}

#[test]
fn a_later_failure_in_the_same_apply_rolls_the_conversion_back() {
    let all: Vec<_> = (0..4).map(|i| LATE.create(i)).collect();
    let outcome = run(ConvertThenFail);
    let Outcome::RolledBack(message) = outcome else {
        panic!("expected a rollback, got {outcome:?}");
    };
    assert!(message.contains("a later step failed"), "{message}");
    assert!(message.contains("4 instances back"), "{message}");
    for d in &all {
        assert_eq!(d.version(), 0);
        assert!(is_v1(&*d.read()));
    }
    assert_eq!(LATE.version(), 0);
}

moult::class!(static LOW: dyn DataApi, i64 = "Low", v1);

/// Pymoult step3-ex2 with the low-level API: redefineClass, DataAccessor,
/// updateToClass.
struct LowLevel;
impl Update for LowLevel {
    fn name(&self) -> &str {
        "low-level data update"
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        let class: ClassRef<dyn DataApi, i64> = LOW.handle()?;
        ctx.redefine_class(class, v2)?;
        for d in class.instances() {
            ctx.update_to_class(&d, |old: &dyn DataApi| to_v2(old))?;
        }
        Ok(())
    }
}

#[test]
fn low_level_redefine_class_and_update_to_class() {
    let all: Vec<_> = (0..3).map(|i| LOW.create(i)).collect();
    assert_eq!(run(LowLevel), Outcome::Applied);
    for d in &all {
        assert_eq!(d.version(), 1);
        assert_eq!(d.read().origin(), Some("converted"));
    }
    assert_eq!(LOW.create(0).read().origin(), Some("new"));
}

moult::class!(static NAMED: dyn DataApi, i64 = "Named", v1);
// Same name and types, other constructor: what an update library's duplicate
// of the app's static looks like. It must forward to the registered class.
static DUPLICATE: Class<dyn DataApi, i64> = Class::new("class_eager::Named", v2, |v| v);
static WRONG_TYPES: Class<dyn DataApi, u8> =
    Class::new("class_eager::Named", |v| v1(v as i64), |v| v);

#[test]
fn lookup_by_name_resolves_to_the_registered_class_or_explains_why_not() {
    let first = NAMED.create(1); // registers
    let dup = DUPLICATE.create(2);
    assert!(
        is_v1(&*dup.read()),
        "the duplicate uses the registered constructor"
    );
    assert_eq!(NAMED.live(), 2, "both instances are counted in one class");

    let by_name = Class::<dyn DataApi, i64>::by_name(NAMED.name()).unwrap();
    assert_eq!(by_name.live(), 2);

    match Class::<dyn DataApi, i64>::by_name("class_eager::Nope") {
        Err(Error::UnknownClass { name, known }) => {
            assert_eq!(name, "class_eager::Nope");
            assert!(known.contains("class_eager::Named"), "{known}");
        }
        other => panic!("expected UnknownClass, got {:?}", other.map(|c| c.name())),
    }
    match Class::<dyn DataApi, u8>::by_name(NAMED.name()) {
        Err(Error::ClassTypeMismatch { app, update, .. }) => {
            assert!(app.contains("i64"), "{app}");
            assert!(update.contains("u8"), "{update}");
        }
        other => panic!(
            "expected ClassTypeMismatch, got {:?}",
            other.map(|c| c.name())
        ),
    }
    match Class::<dyn Any + Send + Sync, i64>::by_name(NAMED.name()) {
        Err(Error::ClassTypeMismatch { .. }) => {}
        other => panic!(
            "expected ClassTypeMismatch, got {:?}",
            other.map(|c| c.name())
        ),
    }
    assert!(matches!(
        WRONG_TYPES.handle(),
        Err(Error::ClassTypeMismatch { .. })
    ));

    // A conversion addressed by name, with the types checked.
    let outcome = run(EagerConversion::<dyn DataApi, i64>::new(
        "class_eager::Named",
        v2,
        |old: &dyn DataApi| to_v2(old),
    ));
    assert_eq!(outcome, Outcome::Applied);
    assert_eq!(first.version(), 1);
    assert_eq!(dup.version(), 1);

    let unknown = run(EagerConversion::<dyn DataApi, i64>::new(
        "class_eager::Missing",
        v2,
        |old: &dyn DataApi| to_v2(old),
    ));
    let Outcome::RolledBack(message) = unknown else {
        panic!("expected a failure, got {unknown:?}");
    };
    assert!(
        message.contains("unknown class `class_eager::Missing`"),
        "{message}"
    );
}

/// Converts `class`'s `n` instances back to `DataV1` with a transformer
/// that panics on the one of value `k`; checks that the update rolled back
/// and that its message names instance `k + 1` of `n`. Returns the message.
fn back_to_v1_failing_at(class: &'static Class<dyn DataApi, i64>, k: i64, n: i64) -> String {
    let outcome = run(EagerConversion::new(class, v1, move |old: &dyn DataApi| {
        if old.value() == k {
            panic!("boom at {k}");
        }
        Box::new(DataV1 { value: old.value() }) as Box<dyn DataApi>
    }));
    let Outcome::RolledBack(message) = outcome else {
        panic!("expected a rollback, got {outcome:?}");
    };
    assert!(
        message.contains(&format!("instance {} of {n}", k + 1)),
        "{message}"
    );
    message
}

moult::class!(static SPREAD: dyn DataApi, i64 = "Spread" as DataV1, v1);

/// A conversion on three threads converts every instance once and counts it
/// in the new version; then one whose transformer panics at instance k puts
/// back what all three threads converted, counts included.
#[test]
fn a_conversion_spread_over_threads_converts_all_and_rolls_all_back() {
    let class = SPREAD.handle().unwrap();
    class.set_conversion_workers(3);
    let n = if cfg!(miri) { 12 } else { 3000 };
    let all: Vec<_> = (0..n).map(|i| SPREAD.create(i)).collect();
    let threads = std::sync::Arc::new(std::sync::Mutex::new(std::collections::HashSet::new()));
    let seen = threads.clone();
    let outcome = run(EagerConversion::new(
        &SPREAD,
        v2,
        move |old: &dyn DataApi| {
            seen.lock().unwrap().insert(std::thread::current().id());
            to_v2(old)
        },
    ));
    assert_eq!(outcome, Outcome::Applied);
    // However few the instances (12 under Miri), each worker had a part.
    assert_eq!(
        threads.lock().unwrap().len(),
        3,
        "the transformer ran on 3 threads"
    );
    for (i, d) in all.iter().enumerate() {
        assert_eq!(d.version(), 1, "instance {i}");
        assert_eq!(d.read().value(), i as i64);
        assert_eq!(d.read().origin(), Some("converted"));
    }
    let i = info(SPREAD.name());
    assert_eq!((live(&i, 0), live(&i, 1)), (0, n as u64));

    let k = n * 2 / 3 + 1; // in the last thread's part
    let message = back_to_v1_failing_at(&SPREAD, k, n);
    assert!(message.contains(&format!("boom at {k}")), "{message}");
    for (i, d) in all.iter().enumerate() {
        assert_eq!(d.version(), 1, "instance {i} back to version 1");
        assert_eq!(d.read().origin(), Some("converted"), "instance {i}");
    }
    let i = info(SPREAD.name());
    assert_eq!(live(&i, 1), n as u64);
    assert_eq!(live(&i, 2), 0);
    assert_eq!(SPREAD.version(), 1, "constructor of record restored");
}

moult::class!(static SHARED_PARTS: dyn DataApi, i64 = "SharedParts" as DataV1, v1);

/// A big class is split into more parts than workers, which take the
/// parts left as they finish: a worker stalled on its first instance (its
/// core busy elsewhere, here a sleep) no longer holds up the other's share,
/// which converts the rest. Every instance is still converted once, in
/// order of its part, with exact counts; a failure in a shared part rolls
/// back every part.
#[test]
#[cfg_attr(miri, ignore = "Miri: 40 960 instances")]
fn a_stalled_worker_leaves_the_parts_left_to_the_other() {
    let class = SHARED_PARTS.handle().unwrap();
    class.set_conversion_workers(2);
    let n = 40_960; // 10 parts of 4 096
    let all: Vec<_> = (0..n).map(|i| SHARED_PARTS.create(i)).collect();
    let on_updater = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let stalled = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (count, stall) = (on_updater.clone(), stalled.clone());
    let outcome = run(EagerConversion::new(
        &SHARED_PARTS,
        v2,
        move |old: &dyn DataApi| {
            if std::thread::current().name() == Some("moult-convert") {
                if !stall.swap(true, std::sync::atomic::Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(500));
                }
            } else {
                count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            to_v2(old)
        },
    ));
    assert_eq!(outcome, Outcome::Applied);
    assert!(
        stalled.load(std::sync::atomic::Ordering::SeqCst),
        "the helper ran"
    );
    let mine = on_updater.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        mine > n as usize / 2,
        "the updater's thread converted {mine} of {n}: more than its half, the stalled worker's shared parts"
    );
    for (i, d) in all.iter().enumerate() {
        assert_eq!(d.version(), 1, "instance {i}");
        assert_eq!(d.read().value(), i as i64);
    }
    let i = info(SHARED_PARTS.name());
    assert_eq!((live(&i, 0), live(&i, 1)), (0, n as u64));

    let k = n - 100; // in the last part, a shared one
    back_to_v1_failing_at(&SHARED_PARTS, k, n);
    assert!(
        all.iter().all(|d| d.version() == 1),
        "every part rolled back"
    );
    let i = info(SHARED_PARTS.name());
    assert_eq!((live(&i, 1), live(&i, 2)), (n as u64, 0));
}
