//! The per-user runtime directory: created private, checked to be ours,
//! swept of files left by dead processes.

use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use moult_protocol::discovery;

/// Journals of dead processes older than this are removed by the sweep (the
/// rest stay readable with `moult-console log <pid>` after the app exited).
const JOURNAL_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

/// The user's runtime directory, created `0700` if missing. Refused if it is
/// not a real directory owned by the effective user; its mode is tightened
/// to `0700` if it is looser (the socket's only fence against other users
/// besides the peer-credential check).
pub(crate) fn prepare(euid: u32) -> Result<PathBuf, String> {
    let dir = discovery::runtime_dir(euid);
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let meta = std::fs::symlink_metadata(&dir)
        .map_err(|e| format!("cannot inspect {}: {e}", dir.display()))?;
    if !meta.is_dir() {
        return Err(format!(
            "{} is not a directory (a symlink?); remove it or set {} to a directory of your own",
            dir.display(),
            discovery::DIR_ENV
        ));
    }
    if meta.uid() != euid {
        return Err(format!(
            "{} belongs to uid {}, not to you (uid {euid}); set {} to a directory of your own",
            dir.display(),
            meta.uid(),
            discovery::DIR_ENV
        ));
    }
    if meta.mode() & 0o077 != 0 {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("cannot make {} private: {e}", dir.display()))?;
    }
    Ok(dir)
}

/// `true` if process `pid` exists (signal 0 probes without signalling).
pub(crate) fn alive(pid: u32) -> bool {
    let Ok(pid) = i32::try_from(pid) else {
        return false;
    };
    // SAFETY: kill with signal 0 only checks existence and permission.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Removes the socket and metadata of every dead process in `dir`, and
/// their journals once older than the retention. Returns how many agents
/// were swept. Errors are ignored: the sweep is a courtesy.
pub(crate) fn sweep_stale(dir: &Path, own_pid: u32) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut swept = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some((stem, ext)) = name.split_once('.') else {
            continue;
        };
        let Ok(pid) = stem.parse::<u32>() else {
            continue;
        };
        if pid == own_pid || alive(pid) {
            continue;
        }
        match ext {
            "json" => {
                let _ = std::fs::remove_file(entry.path());
                let _ = std::fs::remove_file(discovery::socket_path(dir, pid));
                swept += 1;
            }
            "sock" => {
                let _ = std::fs::remove_file(entry.path());
            }
            "journal" => {
                let old = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| SystemTime::now().duration_since(t).ok())
                    .is_some_and(|age| age > JOURNAL_RETENTION);
                if old {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
            _ => {}
        }
    }
    swept
}

/// Writes `bytes` to `path` atomically (temp file + rename), mode `0600`, so
/// a reader never sees half a metadata file.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(bytes)?;
    drop(f);
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(miri, ignore = "Miri: real directories and processes")]
    fn dead_agents_are_swept_and_live_ones_kept() {
        let dir = std::env::temp_dir().join(format!("moult-sweep-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // A pid far above pid_max cannot be alive.
        let dead = 999_999_999;
        let me = std::process::id();
        for pid in [dead, me] {
            std::fs::write(discovery::info_path(&dir, pid), "{}").unwrap();
            std::fs::write(discovery::socket_path(&dir, pid), "").unwrap();
            std::fs::write(discovery::journal_path(&dir, pid), "").unwrap();
        }
        assert_eq!(sweep_stale(&dir, me), 1);
        assert!(!discovery::info_path(&dir, dead).exists());
        assert!(!discovery::socket_path(&dir, dead).exists());
        // A fresh journal of a dead process stays readable.
        assert!(discovery::journal_path(&dir, dead).exists());
        assert!(discovery::info_path(&dir, me).exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
