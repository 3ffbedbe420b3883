//! Runs the series app; `moult-console` attaches to it by pid.

use std::time::Duration;

fn main() {
    if let Err(e) = moult::agent::start("step2-series") {
        eprintln!("step2-series: running without the moult agent: {e}");
    }
    step2_series::run(moult_demo_support::period(Duration::from_secs(2)));
}
