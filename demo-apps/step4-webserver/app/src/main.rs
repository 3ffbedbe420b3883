//! Runs the web server app; `moult-console` attaches to it by pid, a
//! browser or `curl` visits `http://127.0.0.1:8080/banana`.

use std::time::Duration;

fn main() {
    if let Err(e) = moult::agent::start("step4-webserver") {
        eprintln!("step4-webserver: running without the moult agent: {e}");
    }
    // The period is how long the server thread waits for a request before
    // passing its update point again.
    step4_webserver::run(moult_demo_support::period(Duration::from_millis(250)));
}
