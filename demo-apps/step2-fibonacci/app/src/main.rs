//! Runs the Fibonacci app; `moult-console` attaches to it by pid.

use std::time::Duration;

fn main() {
    if let Err(e) = moult::agent::start("step2-fibonacci") {
        eprintln!("step2-fibonacci: running without the moult agent: {e}");
    }
    step2_fibonacci::run(moult_demo_support::period(Duration::from_secs(2)));
}
