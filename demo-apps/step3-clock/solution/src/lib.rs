//! Solution of tutorial step 3, exercise 3: `step3_clock::tic` and
//! `step3_clock::tac` become [`tic_v2`] and [`tac_v2`] in one hand-written
//! update that applies only while the `clock` thread is parked at its update
//! point `"loop"` (Pymoult's `setupWaitStaticPoints`, `waitStaticPoints`,
//! `cleanFailedStaticPoints`):
//!
//! 1. `preupdate_setup` asks the thread to park at `"loop"`;
//! 2. `check_alterability` is ready once it is parked there: its last turn is
//!    over (`tac` printed) and the next not begun;
//! 3. `clean_failed_alterability` withdraws the request if it never parks;
//! 4. `apply` redefines both functions; at resume the thread goes on and its
//!    next turn is the first of the new version.
//!
//! So no turn prints the old `tic` then the new `tac`. (The ready-made
//! `moult::dsu::AtUpdatePoints` does the same.)
//!
//! Before: `tic`, `tac`. After: `tic v2`, `tac v2`.

use moult::{Alterability, Func, ThreadFilter, Update, UpdateContext, UpdateError};
use step3_clock::{CLOCK_THREAD, LOOP_POINT};

/// The new version of `tic`.
pub fn tic_v2() {
    println!("tic v2");
}

/// The new version of `tac`.
pub fn tac_v2() {
    println!("tac v2");
}

/// Redefines `tic` and `tac` while the clock sits between two turns.
pub struct ClockAtLoop {
    /// The app's `tic`.
    tic: Func<fn()>,
    /// The app's `tac`.
    tac: Func<fn()>,
}

impl ClockAtLoop {
    /// The threads this update waits for: only `clock`.
    fn clock_thread() -> ThreadFilter {
        ThreadFilter::Named(vec![CLOCK_THREAD.to_string()])
    }
}

impl Update for ClockAtLoop {
    fn name(&self) -> &str {
        "clock v2"
    }

    fn preupdate_setup(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.request_park(&Self::clock_thread(), Some(LOOP_POINT))?;
        Ok(())
    }

    fn check_alterability(&mut self, ctx: &mut UpdateContext) -> Alterability {
        Alterability::from_blockers(ctx.parked(&Self::clock_thread(), Some(LOOP_POINT)))
    }

    fn clean_failed_alterability(&mut self, ctx: &mut UpdateContext) {
        ctx.clean_failed_park();
    }

    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.redefine(self.tic, tic_v2 as fn());
        ctx.redefine(self.tac, tac_v2 as fn());
        Ok(())
    }
}

/// The library's entry: one update changing both functions at the point.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    Ok(vec![Box::new(ClockAtLoop {
        tic: moult::hot_fn!(step3_clock::tic)?,
        tac: moult::hot_fn!(step3_clock::tac)?,
    })])
}
