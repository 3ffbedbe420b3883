//! Tutorial step 2, exercise 2 — the update crate you complete.
//!
//! Goal: two changes to the running `step2-series` app, without restarting
//! it —
//!
//! 1. every `Integer` is multiplied by 2. There are 10 000 of them: use a
//!    lazy conversion (Pymoult's `LazyConversionUpdate`), so that applying
//!    it is instant and each integer converts on its next access;
//! 2. `Serie::display` prints the integers shuffled instead of sorted (a
//!    safe redefine of the method, Pymoult's `SafeRedefineMethodUpdate`).
//!
//! Build this crate (`cargo build -p step2-series-starter`) and apply it to
//! the running app:
//! `moult-console apply <pid> target/debug/libstep2_series_starter.so`.
//!
//! As given, it compiles and changes nothing: its entry returns no update.
//!
//! What to read: [`moult::class`](mod@moult::class) again, this time its lazy conversion
//! (instances convert when next read); a method is a hot function too
//! (`moult::hot_fn!` takes `Type::method`), swapped with
//! [`moult::update::SafeRedefine`]. Stuck? `moult-console hint
//! step2-series`, or `h` in the tutorial.

use std::fmt;

use moult::{Update, UpdateError};
use step2_series::{IntegerApi, Serie};

/// The new version of `Integer`.
pub struct IntegerV2 {
    /// The number it holds.
    pub value: u64,
}

impl IntegerApi for IntegerV2 {
    fn value(&self) -> u64 {
        self.value
    }
}

impl fmt::Display for IntegerV2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.value)
    }
}

/// The new constructor of record: what `INTEGER.create(n)` builds once the
/// conversion applied.
pub fn new_integer(value: u64) -> Box<dyn IntegerApi> {
    // TODO(learner): every integer is doubled, new ones too.
    Box::new(IntegerV2 { value })
}

/// Pymoult's `transformer`: the new version of one old `Integer`.
pub fn transformer(old: &dyn IntegerApi) -> Box<dyn IntegerApi> {
    // TODO(learner): double it.
    Box::new(IntegerV2 { value: old.value() })
}

/// The new version of `step2_series::Serie::display`: same signature
/// (`step2_series::DisplayFn`, the receiver first).
pub fn display_v2(serie: &Serie) -> String {
    let shown: Vec<String> = serie
        .integers
        .iter()
        .map(|i| i.read().to_string())
        .collect();
    // TODO(learner): shuffle `shown` first (this crate depends on `fastrand`).
    shown.join(" ")
}

/// The library's entry: returns the updates to run, in order.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    // TODO(learner): return two updates: a conversion of the app's
    // integers (the class `step2_series::INTEGER`) that costs nothing when
    // it applies, and the swap of `Serie::display` to `display_v2`.
    Ok(vec![])
}
