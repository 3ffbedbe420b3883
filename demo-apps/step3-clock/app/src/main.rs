//! Runs the clock app; `moult-console` attaches to it by pid.

use std::time::Duration;

fn main() {
    if let Err(e) = moult::agent::start("step3-clock") {
        eprintln!("step3-clock: running without the moult agent: {e}");
    }
    step3_clock::run(moult_demo_support::period(Duration::from_secs(1)));
}
