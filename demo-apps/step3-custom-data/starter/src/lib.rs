//! Tutorial step 3, exercise 2 — the update crate you complete.
//!
//! Goal: as in step 2, exercise 1, every `Data` of the running
//! `step3-custom-data` app gets an origin and `sum` builds the new version —
//! but in ONE update you write, [`SumAndData`], which redefines `sum` and
//! converts every `Data` in the same `apply`, while no call of `sum` can
//! run. Then no old `sum` can build a version 0 `Data` in between, and
//! [`DataV2`] needs no default origin.
//!
//! The new version of `Data`, its transformer and the new `sum` are given
//! (they are step 2's); the update is yours. Build this crate
//! (`cargo build -p step3-custom-data-starter`) and apply it to the running
//! app: `moult-console apply <pid> target/debug/libstep3_custom_data_starter.so`.
//!
//! As given, it compiles and changes nothing: its entry returns no update.
//!
//! What to read: [`moult::Update`] and [`moult::UpdateContext`] as in 3.1,
//! plus what a context can do to a class by hand (give it a new
//! constructor of record, convert one instance) and a class's handle
//! ([`moult::class`](mod@moult::class): `handle`, `instances`). Stuck? `moult-console hint
//! step3-custom-data`, or `h` in the tutorial.

use std::fmt;

use moult::{Alterability, Func, Update, UpdateContext, UpdateError};
use step3_custom_data::{DATA, DataApi, Item, SumFn, next_value};

/// Version 1 of `Data`: a value and where it comes from.
pub struct DataV2 {
    /// One element of the sequence, as before.
    pub value: u64,
    /// Where the value comes from.
    pub origin: String,
}

impl DataApi for DataV2 {
    fn value(&self) -> u64 {
        self.value
    }
}

impl fmt::Display for DataV2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} from {}", self.value, self.origin)
    }
}

/// The new constructor of record (`DATA.create(value)`: the app fixed its
/// argument, a value, so it names the origin itself).
pub fn new_data(value: u64) -> Box<dyn DataApi> {
    Box::new(DataV2 {
        value,
        origin: "DATA.create".into(),
    })
}

/// Turns a version 0 `Data` into a `DataV2` with the same value.
pub fn transformer(old: &dyn DataApi) -> Box<dyn DataApi> {
    Box::new(DataV2 {
        value: old.value(),
        origin: "the conversion".into(),
    })
}

/// The new `sum`: builds a `DataV2` whose origin is the two values added.
pub fn sum_v2(last: &Item, before_last: &Item) -> Item {
    let last = last.read().value();
    let before_last = before_last.read().value();
    DATA.track(Box::new(DataV2 {
        value: next_value(last, before_last),
        origin: format!("{before_last} + {last}"),
    }))
}

/// Your update: `sum` and `Data` together.
pub struct SumAndData {
    /// The app's hot function (from `moult::hot_fn!(step3_custom_data::sum)?`).
    pub sum: Func<SumFn>,
}

impl Update for SumAndData {
    fn name(&self) -> &str {
        "sum and Data together"
    }

    fn preupdate_setup(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        // TODO(learner): no new call of sum may start until the app resumes.
        Ok(())
    }

    fn check_alterability(&mut self, _ctx: &mut UpdateContext) -> Alterability {
        // TODO(learner): ready only when no call of sum is running.
        Alterability::Ready
    }

    fn apply(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        // TODO(learner), all in this one apply: sum runs `sum_v2`, `Data`
        // gets `new_data` as its new constructor of record, and every live
        // `Data` is converted with `transformer`.
        Ok(())
    }
}

/// The library's entry: returns the updates to run, in order.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    // TODO(learner): return your update, built on the app's `sum`.
    Ok(vec![])
}
