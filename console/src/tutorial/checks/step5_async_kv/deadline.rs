//! The hang guard every Redis tool the check runs goes through: a server an
//! update left stuck must end the check with a verdict, not hold it.

use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

/// Waits up to `patience` for `child` to exit. Late, it is killed and
/// reaped, and the answer is `None`: the caller says what did not end.
pub fn wait_or_kill(child: &mut Child, patience: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + patience;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn a_child_that_ends_in_time_gives_its_status() {
        let mut child = Command::new("true").spawn().unwrap();
        let status = wait_or_kill(&mut child, Duration::from_secs(20));
        assert!(status.is_some_and(|s| s.success()), "{status:?}");
    }

    #[test]
    fn a_late_child_is_killed_and_reaped() {
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        let started = Instant::now();
        assert_eq!(wait_or_kill(&mut child, Duration::from_millis(50)), None);
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "not waited out"
        );
        // Reaped: nothing left to wait for.
        assert!(child.try_wait().unwrap().is_some(), "the child was reaped");
    }
}
