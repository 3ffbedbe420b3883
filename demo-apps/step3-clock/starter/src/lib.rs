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

// TODO(learner): write `struct ClockAtLoop { tic: moult::Func<fn()>, tac: moult::Func<fn()> }`
// and `impl moult::Update for ClockAtLoop` with:
//   - `name`: e.g. "clock v2";
//   - `preupdate_setup`: ask the clock thread to park at its update point,
//     `ctx.request_park(&ThreadFilter::Named(vec!["clock".into()]), Some("loop"))`;
//   - `check_alterability`: ready only once it is parked there,
//     `Alterability::from_blockers(ctx.parked(&filter, Some("loop")))`;
//   - `clean_failed_alterability`: withdraw the request, `ctx.clean_failed_park()`;
//   - `apply`: `ctx.redefine(self.tic, tic_v2 as fn())`, the same for tac.

/// The library's entry: returns the updates to run, in order.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    // TODO(learner): return your update, with the app's functions from
    // `moult::hot_fn!(step3_clock::tic)?` and `moult::hot_fn!(step3_clock::tac)?`.
    Ok(vec![])
}
