//! Runs the hello app of step 3; `moult-console` attaches to it by pid.

use std::time::Duration;

fn main() {
    if let Err(e) = moult::agent::start("step3-custom-hello") {
        eprintln!("step3-custom-hello: running without the moult agent: {e}");
    }
    step3_custom_hello::run(moult_demo_support::period(Duration::from_secs(2)));
}
