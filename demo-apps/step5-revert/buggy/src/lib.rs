//! Tutorial step 5, exercise 1, part 1 — a buggy update to watch being
//! taken back. Its new `banner` panics on every call. Apply it with a
//! watch, and the agent reverts it once it panicked more than allowed:
//!
//! `moult-console apply step5-revert demo-apps/step5-revert/buggy --watch 10 --max-panics 2`
//!
//! (exit 4: applied, then reverted by its watch; `moult-console log
//! step5-revert` says why).

use moult::update::SafeRedefine;
use moult::{Update, UpdateError};

/// The buggy banner: it divides the prices among zero shops.
pub fn banner_v2() -> String {
    let shops = std::hint::black_box(0u64);
    let share = 100u64
        .checked_div(shops)
        .expect("banner v2: the prices shared among zero shops");
    format!("prices ({share}% each):")
}

/// The library's entry: one redefine of `banner`.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    let banner = moult::hot_fn!(step5_revert::banner)?;
    Ok(vec![Box::new(SafeRedefine::new(
        banner,
        banner_v2 as fn() -> String,
    ))])
}
