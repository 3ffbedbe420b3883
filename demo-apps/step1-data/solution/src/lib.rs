//! Solution of tutorial step 1, exercise 3: every live `step1_data::Data`
//! is converted, eagerly, to [`DataV2`], which has an `origin` (Pymoult's
//! `EagerConversionUpdate` with a transformer); `Data` built from now on are
//! `DataV2` too.
//!
//! Before: `data 1` … `data 5` every 2 s. After: `data 1 from origin` …
//! `data 5 from origin`.

use std::any::Any;
use std::fmt;

use moult::class::EagerConversion;
use moult::{Update, UpdateError};
use step1_data::{DATA, Data, DataApi};

/// The origin given to every `Data` (converted or new).
pub const ORIGIN: &str = "origin";

/// Version 1 of `Data`: a value and where it comes from.
pub struct DataV2 {
    /// What the app printed before.
    pub value: String,
    /// Where the value comes from.
    pub origin: String,
}

impl DataApi for DataV2 {}

impl fmt::Display for DataV2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} from {}", self.value, self.origin)
    }
}

/// The new constructor of record: `DATA.create(value)` builds a `DataV2`.
pub fn new_data(value: String) -> Box<dyn DataApi> {
    Box::new(DataV2 {
        value,
        origin: ORIGIN.into(),
    })
}

/// Turns a version 0 `Data` into a `DataV2` with the same value.
pub fn transformer(old: &dyn DataApi) -> Box<dyn DataApi> {
    let old: &dyn Any = old;
    let old = old
        .downcast_ref::<Data>()
        .expect("the eager conversion hands over version 0 values: step1_data::Data");
    new_data(old.value.clone())
}

/// The library's entry: one eager conversion of the app's `Data`.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    // `DATA` here is this library's duplicate static: it resolves to the app's class.
    let conversion = EagerConversion::new(&DATA, new_data, transformer).version_type::<DataV2>();
    Ok(vec![Box::new(conversion)])
}
