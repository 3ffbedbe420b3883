//! Tutorial step 1, exercise 3 — the update crate you complete.
//!
//! Goal: every `Data` of the running `step1-data` app gets an `origin` and
//! prints `<value> from <origin>`, without the app being restarted: a new
//! version of the class, a transformer from the old version, and an eager
//! conversion (Pymoult's `EagerConversionUpdate`). Build this crate
//! (`cargo build -p step1-data-starter`) and apply it to the
//! running app: `moult-console apply <pid> target/debug/libstep1_data_starter.so`.
//!
//! As given, it compiles and changes nothing: its entry returns no update.
//!
//! What to read: tracked classes and their conversions, the module
//! [`moult::class`](mod@moult::class) (its `EagerConversion`, and what a transformer and a
//! constructor of record are); "Pymoult → moult" in `docs/ARCHITECTURE.md`
//! says which Pymoult names they replace. Stuck? `moult-console hint
//! step1-data`, or `h` in the tutorial.

use std::any::Any;
use std::fmt;

use moult::{Update, UpdateError};
use step1_data::{Data, DataApi};

/// The new version of `Data`.
pub struct DataV2 {
    /// The value of the old version.
    pub value: String,
    // TODO(learner): add `pub origin: String`.
}

impl DataApi for DataV2 {}

impl fmt::Display for DataV2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // TODO(learner): print `<value> from <origin>`.
        f.write_str(&self.value)
    }
}

/// The new constructor of record: what `DATA.create(value)` builds once the
/// conversion applied.
pub fn new_data(value: String) -> Box<dyn DataApi> {
    // TODO(learner): give new values an origin too.
    Box::new(DataV2 { value })
}

/// Pymoult's `transformer(data)`: the new version of one old `Data`.
pub fn transformer(old: &dyn DataApi) -> Box<dyn DataApi> {
    // The old value is a `step1_data::Data`: find it out through `Any`.
    let old: &dyn Any = old;
    let old = old
        .downcast_ref::<Data>()
        .expect("version 0 is step1_data::Data");
    // TODO(learner): set the origin of the converted value.
    Box::new(DataV2 {
        value: old.value.clone(),
    })
}

/// The library's entry: returns the updates to run, in order.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    // TODO(learner): return one update that converts every live `Data` of
    // the app (its class is `step1_data::DATA`) at once with `transformer`,
    // and makes `new_data` what the app's constructor builds from then on.
    Ok(vec![])
}
