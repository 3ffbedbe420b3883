//! Runs the data app; `moult-console` attaches to it by pid.

use std::time::Duration;

fn main() {
    if let Err(e) = moult::agent::start("step1-data") {
        eprintln!("step1-data: running without the moult agent: {e}");
    }
    step1_data::run(moult_demo_support::period(Duration::from_secs(2)));
}
