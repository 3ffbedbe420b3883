//! Solution of tutorial step 2, exercise 2: two updates in one library —
//!
//! 1. a lazy conversion (Pymoult's `LazyConversionUpdate`) of the 10 000
//!    `step2_series::Integer`s to [`IntegerV2`], doubled: applying it is
//!    instant, and each integer converts on its next access;
//! 2. a safe redefine (Pymoult's `SafeRedefineMethodUpdate`) of the method
//!    `step2_series::Serie::display` to [`display_v2`], which shuffles.
//!
//! Before: `serie: 17 402 3311 5000 9999` (ascending). After:
//! `serie: 6622 34 19998 804 10000` (doubled, in random order).

use std::fmt;

use moult::class::LazyConversion;
use moult::update::SafeRedefine;
use moult::{Update, UpdateError};
use step2_series::{DisplayFn, INTEGER, IntegerApi, Serie};

/// Version 1 of `Integer`: twice the number it was made from.
pub struct IntegerV2 {
    /// The doubled number.
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

/// The new constructor of record: `INTEGER.create(n)` holds `2 × n`, as
/// every converted integer does.
pub fn new_integer(value: u64) -> Box<dyn IntegerApi> {
    Box::new(IntegerV2 { value: value * 2 })
}

/// Doubles one version 0 integer.
pub fn transformer(old: &dyn IntegerApi) -> Box<dyn IntegerApi> {
    Box::new(IntegerV2 {
        value: old.value() * 2,
    })
}

/// The new `Serie::display`: the integers in random order.
pub fn display_v2(serie: &Serie) -> String {
    let mut shown: Vec<String> = serie
        .integers
        .iter()
        .map(|i| i.read().to_string())
        .collect();
    fastrand::shuffle(&mut shown);
    shown.join(" ")
}

/// The library's entry: the lazy conversion, then the redefinition.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    let conversion =
        LazyConversion::new(&INTEGER, new_integer, transformer).version_type::<IntegerV2>();
    let display = moult::hot_fn!(step2_series::Serie::display)?;
    Ok(vec![
        Box::new(conversion),
        Box::new(SafeRedefine::new(display, display_v2 as DisplayFn)),
    ])
}
