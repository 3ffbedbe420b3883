//! Tutorial step 1, exercise 2 — the update crate you complete.
//!
//! Goal: the running `step1-tictoc` app prints new versions of `tic` and
//! `tac` (say `tic v2` and `tac v2`), without being restarted. Use what
//! exercise 1 taught: one safe redefine per function. Build this crate
//! (`cargo build -p step1-tictoc-starter`) and apply it to the
//! running app: `moult-console apply <pid> target/debug/libstep1_tictoc_starter.so`.
//!
//! As given, it compiles and changes nothing: its entry returns no update.
//!
//! What to read: the same pieces as exercise 1.1 (`moult::hot_fn!`,
//! [`moult::update::SafeRedefine`]); the entry returns a `Vec`, and the
//! manager runs its updates in order. Stuck? `moult-console hint
//! step1-tictoc`, or `h` in the tutorial.

use moult::{Update, UpdateError};

/// The new version of `step1_tictoc::tic` (signature `fn()`).
pub fn tic_v2() {
    // TODO(learner): print the new tic, e.g. `tic v2`.
    println!("tic");
}

/// The new version of `step1_tictoc::tac` (signature `fn()`).
pub fn tac_v2() {
    // TODO(learner): print the new tac, e.g. `tac v2`.
    println!("tac");
}

/// The library's entry: returns the updates to run, in order.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    // TODO(learner): return the updates that make the app's `tic` and `tac`
    // run your new versions, each swapped safely.
    Ok(vec![])
}
