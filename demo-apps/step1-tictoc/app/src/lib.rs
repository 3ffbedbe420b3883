//! Tutorial step 1, exercise 2 — tic toc, goes the clock (Pymoult's `step1`
//! tictoc app).
//!
//! What it teaches: one update crate may carry several updates. The app calls
//! the hot functions [`tic`] then [`tac`] every second; the update redefines
//! both, with two `moult::update::SafeRedefine`s (two Pymoult
//! `SafeRedefineUpdate`s) that the app's manager applies one after the other.
//!
//! The app is a library (this file) and a binary (`main.rs`) so that update
//! crates can name `step1_tictoc::tic` and `step1_tictoc::tac`.

use std::time::Duration;

/// Prints `tic`. Hot: an update can swap it while the app runs.
#[moult::hot]
pub fn tic() {
    println!("tic");
}

/// Prints `tac`. Hot: an update can swap it while the app runs.
#[moult::hot]
pub fn tac() {
    println!("tac");
}

/// The app's loop: [`tic`], [`tac`], then sleeps `period` (1 s in the tutorial).
pub fn run(period: Duration) -> ! {
    loop {
        tic();
        tac();
        std::thread::sleep(period);
    }
}
