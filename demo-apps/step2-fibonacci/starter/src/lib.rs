//! Tutorial step 2, exercise 1 — the update crate you complete.
//!
//! Goal: every `Data` of the running `step2-fibonacci` app gets an `origin`
//! and prints `<value> from <origin>`, and `sum` builds the new version from
//! now on — with two independent updates from moult's ready-made ones: an
//! eager conversion of the class `Data` (Pymoult's `EagerConversionUpdate`)
//! and a safe redefine of `sum` (Pymoult's `SafeRedefineUpdate`). Build this
//! crate (`cargo build -p step2-fibonacci-starter`) and apply it to the
//! running app:
//! `moult-console apply <pid> target/debug/libstep2_fibonacci_starter.so`.
//!
//! As given, it compiles and changes nothing: its entry returns no update.
//!
//! What to read: [`moult::class`](mod@moult::class) (eager conversions) and
//! [`moult::update::SafeRedefine`], both met in step 1; the Classes view of
//! the console shows versions of live instances. Stuck? `moult-console hint
//! step2-fibonacci`, or `h` in the tutorial.

use std::fmt;

use moult::{Update, UpdateError};
use step2_fibonacci::{DATA, DataApi, Item, next_value};

/// The new version of `Data`.
pub struct DataV2 {
    /// The value of the old version.
    pub value: u64,
    // TODO(learner): add `pub origin: String`.
}

impl DataApi for DataV2 {
    fn value(&self) -> u64 {
        self.value
    }
}

impl fmt::Display for DataV2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // TODO(learner): print `<value> from <origin>`.
        write!(f, "{}", self.value)
    }
}

/// The new constructor of record: what `DATA.create(value)` builds once the
/// conversion applied. It only gets a value.
pub fn new_data(value: u64) -> Box<dyn DataApi> {
    // TODO(learner): give it a default origin (the old `sum` never gives one).
    Box::new(DataV2 { value })
}

/// Pymoult's `transformer(data)`: the new version of one old `Data`.
pub fn transformer(old: &dyn DataApi) -> Box<dyn DataApi> {
    // TODO(learner): set the origin of a converted value.
    Box::new(DataV2 { value: old.value() })
}

/// The new version of `step2_fibonacci::sum`: same signature
/// (`step2_fibonacci::SumFn`), builds a `DataV2`.
pub fn sum_v2(last: &Item, before_last: &Item) -> Item {
    let last = last.read().value();
    let before_last = before_last.read().value();
    // TODO(learner): give the new value its origin (the two values added).
    DATA.track(Box::new(DataV2 {
        value: next_value(last, before_last),
    }))
}

/// The library's entry: returns the updates to run, in order.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    // TODO(learner): return two independent updates: one converts the
    // app's `Data` (the class `DATA`), the other makes the app's `sum` run
    // `sum_v2`. Which should run first, and why?
    Ok(vec![])
}
