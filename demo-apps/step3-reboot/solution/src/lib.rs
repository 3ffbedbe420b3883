//! Solution of tutorial step 3, exercise 4: the `hello` DSU thread is
//! rebooted onto [`hello_main_v2`], by a hand-written update made of the
//! low-level pieces (Pymoult's `switchMain` + `resetThread`):
//!
//! 1. `preupdate_setup` asks the thread to park at its update point `"loop"`;
//! 2. `check_alterability` is ready once it is parked there;
//! 3. `apply` switches the thread's main and requests the reboot; both wait,
//!    unarmed, until the update resumes (a rollback would cancel them);
//! 4. at resume the park is released, the thread finds the armed reboot at
//!    its update point, unwinds to its root and a new OS thread runs the new
//!    main; `check_over` waits for that.
//!
//! `moult::dsu::ThreadReboot::new("hello").onto(Main::new(hello_main_v2))`
//! does the same in one line.
//!
//! Before: `hello world` every 2 s. After: `hello moult`.

use moult::dsu::Main;
use moult::protocol::ThreadState;
use moult::{Alterability, ThreadFilter, Update, UpdateContext, UpdateError};
use step3_reboot::{HELLO_THREAD, LOOP_POINT};

/// The thread's new main: the same loop, a new greeting.
pub fn hello_main_v2() {
    // A hot function: the app's period, not this library's unset copy.
    let period = step3_reboot::period();
    loop {
        moult::update_point!(LOOP_POINT);
        println!("hello moult");
        std::thread::sleep(period);
    }
}

/// Reboots the `hello` thread onto [`hello_main_v2`].
pub struct RebootHello {
    /// The new main, wrapped here so this library catches its unwinds.
    main: Main,
    /// The thread's reboot count when `apply` ran: over once it grew.
    reboots_before: u32,
}

impl RebootHello {
    /// The threads this update waits for: only `hello`.
    fn hello_thread() -> ThreadFilter {
        ThreadFilter::Named(vec![HELLO_THREAD.to_string()])
    }
}

impl Update for RebootHello {
    fn name(&self) -> &str {
        "reboot hello"
    }

    fn preupdate_setup(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.request_park(&Self::hello_thread(), Some(LOOP_POINT))?;
        Ok(())
    }

    fn check_alterability(&mut self, ctx: &mut UpdateContext) -> Alterability {
        Alterability::from_blockers(ctx.parked(&Self::hello_thread(), Some(LOOP_POINT)))
    }

    fn clean_failed_alterability(&mut self, ctx: &mut UpdateContext) {
        ctx.clean_failed_park();
    }

    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        self.reboots_before = moult::dsu::thread(HELLO_THREAD)?.info().reboots;
        ctx.switch_main(HELLO_THREAD, self.main.clone())?;
        ctx.reboot(HELLO_THREAD, None)
    }

    fn check_over(&mut self, _ctx: &mut UpdateContext) -> bool {
        moult::dsu::thread(HELLO_THREAD).is_ok_and(|t| {
            let info = t.info();
            info.reboots > self.reboots_before && info.state == ThreadState::Running
        })
    }
}

/// The library's entry: one update, rebooting `hello` onto the new main.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    Ok(vec![Box::new(RebootHello {
        main: Main::new(hello_main_v2),
        reboots_before: 0,
    })])
}
