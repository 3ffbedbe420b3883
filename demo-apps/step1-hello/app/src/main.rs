//! Runs the hello world app; `moult-console` attaches to it by pid.

use std::time::Duration;

fn main() {
    if let Err(e) = moult::agent::start("step1-hello") {
        eprintln!("step1-hello: running without the moult agent: {e}");
    }
    step1_hello::run(moult_demo_support::period(Duration::from_secs(2)));
}
