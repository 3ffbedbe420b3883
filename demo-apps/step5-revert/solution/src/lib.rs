//! Solution of tutorial step 5, exercise 1: every `Price` is converted to
//! [`PriceV2`] (euros and cents, printed `12.50 EUR`), and the conversion
//! carries a down transformer, [`to_cents`], so that `moult-console revert`
//! turns every price back into the version 0 `Price` it was.

use std::any::Any;
use std::fmt;

use moult::class::EagerConversion;
use moult::{Update, UpdateError};
use step5_revert::{PRICE, Price, PriceApi};

/// Version 1 of `Price`: whole euros and the cents left.
pub struct PriceV2 {
    /// Whole euros.
    pub euros: u64,
    /// Cents, below 100.
    pub cents: u64,
}

impl PriceApi for PriceV2 {
    fn cents(&self) -> u64 {
        self.euros * 100 + self.cents
    }
}

impl fmt::Display for PriceV2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02} EUR", self.euros, self.cents)
    }
}

/// The new constructor of record: cents in, a `PriceV2` out.
pub fn new_price(cents: u64) -> Box<dyn PriceApi> {
    Box::new(PriceV2 {
        euros: cents / 100,
        cents: cents % 100,
    })
}

/// Up: a version 0 price in euros.
pub fn to_euros(old: &dyn PriceApi) -> Box<dyn PriceApi> {
    new_price(old.cents())
}

/// Down: a `PriceV2` back to the version 0 `Price` with the same amount.
pub fn to_cents(new: &dyn PriceApi) -> Box<dyn PriceApi> {
    let new: &dyn Any = new;
    let cents = match new.downcast_ref::<PriceV2>() {
        Some(v2) => v2.euros * 100 + v2.cents,
        None => 0,
    };
    Box::new(Price { cents })
}

/// The library's entry: one eager conversion, revertible.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    Ok(vec![Box::new(
        EagerConversion::new(&PRICE, new_price, to_euros)
            .down(to_cents)
            .version_type::<PriceV2>(),
    )])
}
