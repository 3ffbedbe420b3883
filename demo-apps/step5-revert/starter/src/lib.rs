//! Tutorial step 5, exercise 1 — the update crate you complete.
//!
//! Goal: the running `step5-revert` app prints its prices in euros
//! (`12.50 EUR`) instead of cents, and this change can be taken back:
//! `moult-console revert step5-revert` must bring every price back to the
//! very amount in cents it had. The new version of `Price` and the way up
//! are given; the way down and the update are yours. Check it with
//! `moult-console check step5-revert`: it applies your update, reverts it
//! and compares.
//!
//! As given, it compiles and changes nothing: its entry returns no update.
//!
//! What to read: what makes an update revertible and what a revert does
//! ([`moult::update`]: the revert and the watch; the conversion's builder
//! methods in [`moult::class`](mod@moult::class)); the `revert` and `log` commands in the
//! README. Stuck? `moult-console hint step5-revert`, or `h` in the
//! tutorial.

use std::fmt;

use moult::{Update, UpdateError};
use step5_revert::PriceApi;

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

// TODO(learner): the way down, a function that turns a new price back into
// a version 0 `step5_revert::Price` with exactly the same amount.

/// The library's entry: returns the updates to run, in order.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    // TODO(learner): return one update that converts every live price of
    // the app (the class `step5_revert::PRICE`) at once with `to_euros`,
    // makes `new_price` the constructor of record, and knows the way down.
    Ok(vec![])
}
