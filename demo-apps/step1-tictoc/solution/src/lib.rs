//! Solution of tutorial step 1, exercise 2: `step1_tictoc::tic` and
//! `step1_tictoc::tac` become [`tic_v2`] and [`tac_v2`], by two safe
//! redefines (two Pymoult `SafeRedefineUpdate`s) applied in order.
//!
//! Before: `tic`, `tac` every second. After: `tic v2`, `tac v2`.

use moult::update::SafeRedefine;
use moult::{Update, UpdateError};

/// The new version of `tic`.
pub fn tic_v2() {
    println!("tic v2");
}

/// The new version of `tac`.
pub fn tac_v2() {
    println!("tac v2");
}

/// The library's entry: a safe redefine of `tic`, then one of `tac`.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    let tic = moult::hot_fn!(step1_tictoc::tic)?;
    let tac = moult::hot_fn!(step1_tictoc::tac)?;
    Ok(vec![
        Box::new(SafeRedefine::new(tic, tic_v2 as fn())),
        Box::new(SafeRedefine::new(tac, tac_v2 as fn())),
    ])
}
