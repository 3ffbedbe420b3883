//! Running a command under a hang guard: its output, or a panic (after
//! killing it) when it has not ended within the guard. A guard against
//! hangs, never a timing assertion.

use std::process::{Child, Output};
use std::sync::mpsc;
use std::time::Duration;

/// Waits for `child` (stdout and stderr piped) to end, at most `guard`;
/// kills it and panics, naming `what`, if it has not.
pub fn wait_guarded(child: Child, guard: Duration, what: &str) -> Output {
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(guard) {
        Ok(out) => out.expect("the command ran"),
        Err(_) => {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("{what} hung for {guard:?}");
        }
    }
}
