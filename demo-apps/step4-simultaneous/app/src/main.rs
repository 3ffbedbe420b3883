//! Runs the simultaneous update app; `moult-console` attaches to it by pid.

use std::time::Duration;

fn main() {
    if let Err(e) = moult::agent::start("step4-simultaneous") {
        eprintln!("step4-simultaneous: running without the moult agent: {e}");
    }
    step4_simultaneous::run(moult_demo_support::period(Duration::from_secs(1)));
}
