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

// TODO(learner): write `struct RebootHello { main: moult::dsu::Main }` and
// `impl moult::Update for RebootHello` with:
//   - `name`: "reboot hello";
//   - `preupdate_setup`: ask the thread to park at its update point,
//     `ctx.request_park(&ThreadFilter::Named(vec!["hello".into()]), Some("loop"))`;
//   - `check_alterability`: ready once it is parked there,
//     `Alterability::from_blockers(ctx.parked(&filter, Some("loop")))`;
//   - `clean_failed_alterability`: `ctx.clean_failed_park()`;
//   - `apply`: `ctx.switch_main("hello", self.main.clone())?` then
//     `ctx.reboot("hello", None)`.

/// The library's entry: returns the updates to run, in order.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    // TODO(learner): return your update, built with the new main wrapped
    // here, in this library: `moult::dsu::Main::new(hello_main_v2)`.
    Ok(vec![])
}
