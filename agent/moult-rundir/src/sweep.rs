//! Who cleans the runtime directory: whoever looks at it. The agent sweeps
//! when it starts, the console when it lists agents (a remote bridge too)
//! and when it receives a library; all call [`sweep`], so a dead process's
//! files and old uploads ([`crate::uploads`]) go the same way whichever
//! comes first.

use std::path::Path;
use std::time::{Duration, SystemTime};

use moult_protocol::discovery;

use crate::contents::{FileKind, scan};
use crate::liveness::process_alive;
use crate::uploads::sweep_uploads;

/// Journals of dead processes older than this (by last write) are removed
/// by the sweep; younger ones stay readable with `moult-console log <pid>`
/// after the app exited.
pub const JOURNAL_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

/// What a sweep removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Dead agents whose metadata (and socket) went: they no longer list.
    pub agents: usize,
    /// Sockets removed, with or without a metadata file beside them.
    pub sockets: usize,
    /// Journals removed because their process is dead and they are past
    /// [`JOURNAL_RETENTION`].
    pub journals: usize,
    /// Received update libraries past
    /// [`UPLOAD_RETENTION`](crate::uploads::UPLOAD_RETENTION), and partial
    /// copies whose receiver is dead: nothing else would ever remove them.
    pub uploads: usize,
}

/// Removes the files of every dead process in `dir` (except `spare`, the
/// caller's own pid when it is an agent): metadata and sockets at once,
/// journals once older than [`JOURNAL_RETENTION`]; and the old or cut
/// copies in `uploads/` ([`sweep_uploads`]). Errors are ignored: the
/// sweep is a courtesy, and a file another sweep removed first is fine.
pub fn sweep(dir: &Path, spare: Option<u32>) -> Swept {
    sweep_with(dir, spare, process_alive, SystemTime::now())
}

/// [`sweep`] with the liveness test and the clock given (tests decide who
/// is alive and how old a journal is).
pub fn sweep_with(
    dir: &Path,
    spare: Option<u32>,
    alive: impl Fn(u32) -> bool,
    now: SystemTime,
) -> Swept {
    let mut swept = Swept {
        uploads: sweep_uploads(dir, |pid| Some(pid) == spare || alive(pid), now),
        ..Swept::default()
    };
    let Ok(files) = scan(dir) else {
        return swept;
    };
    for file in files {
        if Some(file.pid) == spare || alive(file.pid) {
            continue;
        }
        match file.kind {
            FileKind::Info => {
                if std::fs::remove_file(&file.path).is_ok() {
                    swept.agents += 1;
                }
            }
            FileKind::Socket => {
                if std::fs::remove_file(&file.path).is_ok() {
                    swept.sockets += 1;
                }
            }
            FileKind::Journal => {
                let old = std::fs::metadata(&file.path)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|written| now.duration_since(written).ok())
                    .is_some_and(|age| age > JOURNAL_RETENTION);
                if old && std::fs::remove_file(&file.path).is_ok() {
                    swept.journals += 1;
                }
            }
        }
    }
    swept
}

/// Removes the socket and metadata of dead process `pid` (not its journal:
/// `log` reads it after the app exits).
pub fn remove_agent_files(dir: &Path, pid: u32) {
    let _ = std::fs::remove_file(discovery::socket_path(dir, pid));
    let _ = std::fs::remove_file(discovery::info_path(dir, pid));
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEAD: u32 = 999_999_999;
    const OLD_DEAD: u32 = 999_999_998;
    const LIVE: u32 = 20;

    #[test]
    fn dead_agents_go_at_once_and_their_journals_after_the_retention() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for pid in [DEAD, OLD_DEAD, LIVE] {
            std::fs::write(discovery::info_path(d, pid), "{}").unwrap();
            std::fs::write(discovery::socket_path(d, pid), "").unwrap();
            std::fs::write(discovery::journal_path(d, pid), "").unwrap();
        }
        // A socket whose metadata was never written (killed while starting).
        std::fs::write(discovery::socket_path(d, 5), "").unwrap();
        let old = SystemTime::now() - JOURNAL_RETENTION - Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(discovery::journal_path(d, OLD_DEAD))
            .unwrap()
            .set_modified(old)
            .unwrap();

        let swept = sweep_with(d, None, |pid| pid == LIVE, SystemTime::now());
        assert_eq!(
            swept,
            Swept {
                agents: 2,
                sockets: 3,
                journals: 1,
                uploads: 0,
            }
        );
        assert!(!discovery::info_path(d, DEAD).exists());
        assert!(!discovery::socket_path(d, DEAD).exists());
        assert!(discovery::journal_path(d, DEAD).exists(), "fresh: kept");
        assert!(
            !discovery::journal_path(d, OLD_DEAD).exists(),
            "old: pruned"
        );
        assert!(discovery::info_path(d, LIVE).exists());
        assert!(discovery::socket_path(d, LIVE).exists());
    }

    #[test]
    fn the_files_of_an_unreaped_child_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !crate::liveness::is_zombie(pid) {
            assert!(std::time::Instant::now() < deadline, "{pid} never exited");
            std::thread::sleep(Duration::from_millis(10));
        }
        std::fs::write(discovery::info_path(d, pid), "{}").unwrap();
        std::fs::write(discovery::socket_path(d, pid), "").unwrap();
        let swept = sweep(d, None);
        child.wait().unwrap();
        assert_eq!((swept.agents, swept.sockets), (1, 1));
        assert!(!discovery::info_path(d, pid).exists());
    }

    #[test]
    fn the_spared_pid_is_kept_even_if_the_test_says_dead() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(discovery::info_path(d, 9), "{}").unwrap();
        std::fs::write(discovery::socket_path(d, 9), "").unwrap();
        assert_eq!(
            sweep_with(d, Some(9), |_| false, SystemTime::now()),
            Swept::default()
        );
        assert!(discovery::socket_path(d, 9).exists());
    }
}
