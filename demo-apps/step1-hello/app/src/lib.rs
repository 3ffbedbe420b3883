//! Tutorial step 1, exercise 1 — hello world (Pymoult's `step1` hello app).
//!
//! What it teaches: the smallest update there is. The app calls the hot
//! function [`hello`] in a loop; an update crate redefines it with
//! `moult::update::SafeRedefine` (Pymoult's `SafeRedefineUpdate`), which
//! swaps it between two calls, when no call of it is running.
//!
//! The app is a library (this file) and a binary (`main.rs`) so that update
//! crates can name `step1_hello::hello` by its Rust path.

use std::time::Duration;

/// Prints `hello world`. Hot: an update can swap it while the app runs.
#[moult::hot]
pub fn hello() {
    println!("hello world");
}

/// The app's loop: calls [`hello`], then sleeps `period` (2 s in the tutorial).
pub fn run(period: Duration) -> ! {
    loop {
        hello();
        std::thread::sleep(period);
    }
}
