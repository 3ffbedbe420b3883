//! Runs the prices app; `moult-console` attaches to it by pid.

use std::time::Duration;

fn main() {
    if let Err(e) = moult::agent::start("step5-revert") {
        eprintln!("step5-revert: running without the moult agent: {e}");
    }
    step5_revert::run(moult_demo_support::period(Duration::from_secs(2)));
}
