//! Tutorial step 3, exercise 4 — the update crate you complete.
//!
//! Goal: the `hello` DSU thread of the running `step3-reboot` app restarts on
//! a new main, [`hello_main_v2`], which prints `hello <your name>`. `hello`
//! is not hot: the only way is to give the thread a new main and reboot it
//! (Pymoult's `switchMain` + `resetThread`), by hand, with an update type of
//! your own. Build this crate (`cargo build -p step3-reboot-starter`) and
//! apply it to the running app:
//! `moult-console apply <pid> target/debug/libstep3_reboot_starter.so`.
//!
//! As given, it compiles and changes nothing: its entry returns no update.
//!
//! What to read: DSU threads and their mains ([`moult::dsu`], its `Main`),
//! and what an update can do to one from its context
//! ([`moult::UpdateContext`]: give a thread a new main, reboot it), after
//! parking it at an update point as in 3.3. Stuck? `moult-console hint
//! step3-reboot`, or `h` in the tutorial.

use moult::{Update, UpdateError};

/// The thread's new main. Keep the shape of `step3_reboot::hello_main`: an
/// update point at the head of the loop (or no later update could reach the
/// thread), a greeting, a sleep.
pub fn hello_main_v2() {
    // The app's period: `step3_reboot::period` is hot, so this call runs the
    // app's version (this library's copy of the app's statics is unset).
    let period = step3_reboot::period();
    loop {
        moult::update_point!(step3_reboot::LOOP_POINT);
        // TODO(learner): print `hello <your name>` instead.
        println!("hello world");
        std::thread::sleep(period);
    }
}

// TODO(learner): your update type. Once the thread `hello` waits at its
// update point, it gives the thread `hello_main_v2` as its main and makes
// it start over on it.

/// The library's entry: returns the updates to run, in order.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    // TODO(learner): return your update (wrap the new main here, in this
    // library: see fact 8 in docs/ARCHITECTURE.md for why).
    Ok(vec![])
}
