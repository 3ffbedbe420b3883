//! Solution of tutorial step 2, exercise 1: two independent updates in one
//! library, applied in order —
//!
//! 1. an eager conversion (Pymoult's `EagerConversionUpdate`) of every live
//!    `step2_fibonacci::Data` to [`DataV2`], which has an `origin`;
//! 2. a safe redefine (Pymoult's `SafeRedefineUpdate`) of
//!    `step2_fibonacci::sum` to [`sum_v2`], which builds `DataV2`s.
//!
//! Before: `fib(12) = 144`. After: `fib(12) = 144 from 89 + 55`.
//!
//! Between the two, the old `sum` may still run: it builds a version 0
//! `Data`, which stays at version 0 (the console counts it there). The
//! constructor of record only gets a value, so [`DataV2`] has a default
//! origin ([`UNKNOWN_ORIGIN`]) for what is built through it.

use std::fmt;

use moult::class::EagerConversion;
use moult::update::SafeRedefine;
use moult::{Update, UpdateError};
use step2_fibonacci::{DATA, DataApi, Item, SumFn, next_value};

/// The origin of a `DataV2` built by the class's constructor of record,
/// which only gets a value (Pymoult's optional `origin` argument).
pub const UNKNOWN_ORIGIN: &str = "unknown";

/// The origin of a `Data` converted by the update.
pub const CONVERTED_ORIGIN: &str = "the conversion";

/// Version 1 of `Data`: a value and where it comes from.
pub struct DataV2 {
    /// One element of the sequence, as before.
    pub value: u64,
    /// Where the value comes from: the two values added, or
    /// [`CONVERTED_ORIGIN`], or [`UNKNOWN_ORIGIN`].
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

/// The new constructor of record: `DATA.create(value)` builds a `DataV2`
/// with the default origin.
pub fn new_data(value: u64) -> Box<dyn DataApi> {
    Box::new(DataV2 {
        value,
        origin: UNKNOWN_ORIGIN.into(),
    })
}

/// Turns a version 0 `Data` into a `DataV2` with the same value.
pub fn transformer(old: &dyn DataApi) -> Box<dyn DataApi> {
    Box::new(DataV2 {
        value: old.value(),
        origin: CONVERTED_ORIGIN.into(),
    })
}

/// The new `sum`: builds a `DataV2` whose origin is the two values added.
pub fn sum_v2(last: &Item, before_last: &Item) -> Item {
    let last = last.read().value();
    let before_last = before_last.read().value();
    // `DATA` here is this library's duplicate static: it resolves to the app's class.
    DATA.track(Box::new(DataV2 {
        value: next_value(last, before_last),
        origin: format!("{before_last} + {last}"),
    }))
}

/// The library's entry: the conversion first (so that `sum_v2`'s values
/// belong to the class's new version), then the redefinition of `sum`.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    let conversion = EagerConversion::new(&DATA, new_data, transformer).version_type::<DataV2>();
    let sum = moult::hot_fn!(step2_fibonacci::sum)?;
    Ok(vec![
        Box::new(conversion),
        Box::new(SafeRedefine::new(sum, sum_v2 as SumFn)),
    ])
}
