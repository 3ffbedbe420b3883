//! Tutorial step 3, exercise 3 — the update crate you complete.
//!
//! Goal: the running `step3-clock` app prints new versions of `tic` and
//! `tac` (say `tic v2` and `tac v2`), and no turn of the clock ever prints
//! the old `tic` followed by the new `tac`. Two safe redefines (exercise
//! 1.2) cannot promise that: each function is quiescent during the long
//! sleep between them. Write one update of your own that applies only while
//! the `clock` thread is parked at its update point `"loop"`, between two
//! turns. Build this crate (`cargo build -p step3-clock-starter`) and apply
//! it to the running app:
//! `moult-console apply <pid> target/debug/libstep3_clock_starter.so`.
//!
//! As given, it compiles and changes nothing: its entry returns no update.
//!
//! What to read: update points (`moult::update_point!`, the module
//! [`moult::dsu`]) and how an update asks a DSU thread to park at one and
//! waits for it ([`moult::UpdateContext`], [`moult::ThreadFilter`]); the
//! hook that undoes the request when alterability is not reached
//! ([`moult::Update`]). "Alterability: what safe means" (update points) in
//! `docs/ARCHITECTURE.md`. Stuck? `moult-console hint step3-clock`, or `h`
//! in the tutorial.

use moult::{Update, UpdateError};

/// The new version of `step3_clock::tic` (signature `fn()`).
pub fn tic_v2() {
    // TODO(learner): print the new tic, e.g. `tic v2`.
    println!("tic");
}

/// The new version of `step3_clock::tac` (signature `fn()`).
pub fn tac_v2() {
    // TODO(learner): print the new tac, e.g. `tac v2`.
    println!("tac");
}

// TODO(learner): your update type, holding the app's two hot functions.
// It is ready only while the thread `clock` waits at its update point
// `"loop"` (ask it to stop there first; if the update gives up, withdraw the
// request), and then swaps both functions at once.

/// The library's entry: returns the updates to run, in order.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    // TODO(learner): return your update, built on the app's `tic` and `tac`.
    Ok(vec![])
}
