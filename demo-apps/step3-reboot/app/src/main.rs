//! Runs the rebooting threads app; `moult-console` attaches to it by pid.

use std::time::Duration;

fn main() {
    if let Err(e) = moult::agent::start("step3-reboot") {
        eprintln!("step3-reboot: running without the moult agent: {e}");
    }
    step3_reboot::run(moult_demo_support::period(Duration::from_secs(2)));
}
