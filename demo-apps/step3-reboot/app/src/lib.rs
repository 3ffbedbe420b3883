//! Tutorial step 3, exercise 4 — rebooting threads (Pymoult's `step3`
//! reboot app).
//!
//! What it teaches: a thread's code can change by restarting the thread on a
//! new main. The greeting is printed by [`hello_main`], the main of the DSU
//! thread `hello` (Pymoult's `DSU_Thread`), whose loop passes the update
//! point `"loop"` at its head. [`hello`] is *not* hot: no redefinition can
//! reach it. The update instead makes a new main (defined in the update
//! crate) the thread's main and reboots the thread: at its next update point
//! it unwinds to its root and starts again on the new main (Pymoult's
//! `switchMain` + `resetThread`).
//!
//! The app is a library (this file) and a binary (`main.rs`) so that update
//! crates can name `step3_reboot::period` and `step3_reboot::HELLO_THREAD`.

use std::sync::OnceLock;
use std::time::Duration;

/// The DSU thread's name: what updates address it by.
pub const HELLO_THREAD: &str = "hello";

/// The update point at the head of the thread's loop.
pub const LOOP_POINT: &str = "loop";

/// The app's period, set once by [`run`].
static PERIOD: OnceLock<Duration> = OnceLock::new();

/// The pace of the `hello` thread's loop (2 s in the tutorial).
///
/// Hot, so that a main defined in an update crate gets the *app's* value: the
/// crate has its own copy of `PERIOD`, never set (docs/ARCHITECTURE.md, fact 1), but a
/// call of a hot function from update code runs the app's registered version.
#[moult::hot]
pub fn period() -> Duration {
    PERIOD.get().copied().unwrap_or(Duration::from_secs(2))
}

/// Prints `hello world`. Plain, not hot: only a new main changes what the
/// thread prints.
pub fn hello() {
    println!("hello world");
}

/// Version 0 of the `hello` thread's main: at each turn passes the update
/// point `"loop"`, greets, then sleeps one [`period`].
pub fn hello_main() {
    let period = period();
    loop {
        moult::update_point!(LOOP_POINT);
        hello();
        std::thread::sleep(period);
    }
}

/// Starts the DSU thread [`HELLO_THREAD`] on [`hello_main`]; the process's
/// main thread then only keeps the process alive.
pub fn run(period: Duration) -> ! {
    let _ = PERIOD.set(period);
    if let Err(e) = moult::dsu::spawn(HELLO_THREAD, hello_main) {
        eprintln!("step3-reboot: cannot start the {HELLO_THREAD} thread: {e}");
        std::process::exit(1);
    }
    loop {
        std::thread::park();
    }
}
