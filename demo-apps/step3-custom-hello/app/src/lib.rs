//! Tutorial step 3, exercise 1 — hello again (Pymoult's `step3` hello app).
//!
//! What it teaches: the lifecycle of an update, hook by hook. The app is
//! step 1's hello world: it calls the hot function [`hello`] in a loop. This
//! time the update is not the ready-made `moult::update::SafeRedefine` but a
//! type the learner writes, implementing `moult::Update` (Pymoult's custom
//! `Update` subclass): it decides when the app is alterable
//! (`check_alterability`, from `hello`'s quiescence), redefines `hello`
//! (`apply`) and reports that the app resumed (`resume_hook`).
//!
//! The app is a library (this file) and a binary (`main.rs`) so that update
//! crates can name `step3_custom_hello::hello` by its Rust path.

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
