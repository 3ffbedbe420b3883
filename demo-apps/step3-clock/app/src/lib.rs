//! Tutorial step 3, exercise 3 — the clock never stops ticking (Pymoult's
//! `step3` clock app).
//!
//! What it teaches: quiescence of each function is not enough when calls
//! belong together. The DSU thread `clock` calls the hot functions [`tic`]
//! then [`tac`], turn after turn. Between the two it sleeps most of the
//! period, while neither function runs: a safe redefine (each function
//! quiescent) can land there, and the turn prints the old `tic` then a new
//! `tac`. The loop starts with the update point `"loop"`, where a turn is
//! over and the next not begun; an update applied while the thread is parked
//! there can never split a turn (Pymoult's `staticUpdatePoint` with
//! `setupWaitStaticPoints`).
//!
//! The app is a library (this file) and a binary (`main.rs`) so that update
//! crates can name `step3_clock::tic`, `step3_clock::tac` and the thread.

use std::time::Duration;

/// The DSU thread's name: what updates address it by.
pub const CLOCK_THREAD: &str = "clock";

/// The update point at the head of the clock's loop, between two turns.
pub const LOOP_POINT: &str = "loop";

/// Prints `tic`. Hot: an update can swap it while the app runs.
#[moult::hot]
pub fn tic() {
    println!("tic");
}

/// Prints `tac`. Hot: an update can swap it while the app runs.
#[moult::hot]
pub fn tac() {
    println!("tac");
}

/// The time from `tic` to `tac`: three quarters of the period. The wider
/// it is, the likelier an update that ignores the update point lands inside
/// a turn, so a wrong update shows itself quickly.
pub fn window(period: Duration) -> Duration {
    period * 3 / 4
}

/// The `clock` thread's main: at each turn passes the update point
/// `"loop"`, calls [`tic`], waits the [`window`], calls [`tac`], and waits
/// out the rest of the `period` (1 s in the tutorial).
pub fn clock_main(period: Duration) {
    let window = window(period);
    loop {
        moult::update_point!(LOOP_POINT);
        tic();
        std::thread::sleep(window);
        tac();
        std::thread::sleep(period - window);
    }
}

/// Starts the DSU thread [`CLOCK_THREAD`] on [`clock_main`]; the process's
/// main thread then only keeps the process alive.
pub fn run(period: Duration) -> ! {
    if let Err(e) = moult::dsu::spawn(CLOCK_THREAD, move || clock_main(period)) {
        eprintln!("step3-clock: cannot start the {CLOCK_THREAD} thread: {e}");
        std::process::exit(1);
    }
    loop {
        std::thread::park();
    }
}
