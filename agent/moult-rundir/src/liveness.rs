//! Which process is alive: the test that decides whether an agent's files
//! are still in use.

use std::io;

/// Whether process `pid` is alive: it exists (`kill(pid, 0)` does not fail
/// with `ESRCH`) and is not a zombie (it exited and nobody reaped it yet:
/// its agent no longer answers). A process of another user (`EPERM`) counts
/// as alive: its files are not ours to remove.
pub fn process_alive(pid: u32) -> bool {
    exists(pid) && !is_zombie(pid)
}

/// Whether `/proc/<pid>/stat` gives the state `Z` (`false` where there is
/// no `/proc`, or the process is gone).
pub fn is_zombie(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // `pid (comm) S ...`: the state follows the last `)` (comm may hold one).
    stat.rfind(')')
        .and_then(|i| stat[i + 1..].split_whitespace().next())
        .is_some_and(|state| state == "Z")
}

/// Whether the kernel still has an entry for `pid` (zombies included).
fn exists(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists and may be signalled.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_reaped_child_is_not() {
        assert!(process_alive(std::process::id()));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!process_alive(pid));
        assert!(!process_alive(0));
        assert!(!process_alive(u32::MAX));
    }

    #[test]
    fn an_unreaped_child_is_not_alive() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !is_zombie(pid) {
            assert!(std::time::Instant::now() < deadline, "{pid} never exited");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(exists(pid), "a zombie still exists for kill(2)");
        assert!(!process_alive(pid));
        child.wait().unwrap();
    }
}
