//! Runs the tic toc app; `moult-console` attaches to it by pid.

use std::time::Duration;

fn main() {
    if let Err(e) = moult::agent::start("step1-tictoc") {
        eprintln!("step1-tictoc: running without the moult agent: {e}");
    }
    step1_tictoc::run(moult_demo_support::period(Duration::from_secs(1)));
}
