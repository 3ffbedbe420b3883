//! Runs the Fibonacci app; `moult-console` attaches to it by pid.

use std::time::Duration;

fn main() {
    if let Err(e) = moult::agent::start("step3-custom-data") {
        eprintln!("step3-custom-data: running without the moult agent: {e}");
    }
    step3_custom_data::run(moult_demo_support::period(Duration::from_secs(2)));
}
