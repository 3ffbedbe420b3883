//! The runtime directory's `uploads/` folder: update libraries (and their
//! signatures) a remote `apply` copied here, and how the sweep clears it.
//!
//! A library is needed only until the `apply` that follows its copy has
//! loaded it (seconds later): a loaded library stays mapped after its file
//! is removed. So a copy older than [`UPLOAD_RETENTION`] goes, and a
//! partial copy (`.<name>.part-<pid>`) goes as soon as the process that
//! was receiving it is dead.

use std::path::Path;
use std::time::{Duration, SystemTime};

/// The folder of received libraries inside the runtime directory.
pub const UPLOADS_DIR: &str = "uploads";

/// What a partial copy's name carries before the receiving process's pid.
pub const PART_MARKER: &str = ".part-";

/// Received libraries and signatures older than this (by last write) are
/// removed by the sweep: the apply they were copied for is long over.
pub const UPLOAD_RETENTION: Duration = Duration::from_secs(24 * 3600);

/// The pid of the process receiving `name`, if `name` is a partial copy
/// (`.<library>.part-<pid>`).
pub fn part_owner(name: &str) -> Option<u32> {
    if !name.starts_with('.') {
        return None;
    }
    let (_, pid) = name.rsplit_once(PART_MARKER)?;
    pid.parse().ok()
}

/// Removes from `dir/uploads/` the copies past [`UPLOAD_RETENTION`] at
/// `now` and the partial copies of dead receivers; how many it removed.
/// Errors are ignored, as in the rest of the sweep.
pub fn sweep_uploads(dir: &Path, alive: impl Fn(u32) -> bool, now: SystemTime) -> usize {
    let Ok(entries) = std::fs::read_dir(dir.join(UPLOADS_DIR)) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let name = entry.file_name();
        let stale = match part_owner(&name.to_string_lossy()) {
            Some(pid) => !alive(pid),
            None => meta
                .modified()
                .ok()
                .and_then(|written| now.duration_since(written).ok())
                .is_some_and(|age| age > UPLOAD_RETENTION),
        };
        if stale && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEAD: u32 = 999_999_999;
    const LIVE: u32 = 20;

    fn age(path: &Path, by: Duration) {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(SystemTime::now() - by)
            .unwrap();
    }

    #[test]
    fn partial_copies_are_named_by_their_receiver() {
        assert_eq!(part_owner(".libup.so.part-42"), Some(42));
        assert_eq!(part_owner("abc-libup.so"), None);
        assert_eq!(part_owner("libup.so.part-42"), None, "not hidden");
        assert_eq!(part_owner(".libup.so.part-x"), None);
    }

    #[test]
    fn old_copies_and_dead_receivers_parts_go_young_ones_and_live_parts_stay() {
        let dir = tempfile::tempdir().unwrap();
        let uploads = dir.path().join(UPLOADS_DIR);
        std::fs::create_dir(&uploads).unwrap();
        let old = uploads.join("0123456789abcdef-libold.so");
        let old_sig = uploads.join("0123456789abcdef-libold.so.minisig");
        let young = uploads.join("fedcba9876543210-libnew.so");
        let dead_part = uploads.join(format!(".libcut.so{PART_MARKER}{DEAD}"));
        let live_part = uploads.join(format!(".libcoming.so{PART_MARKER}{LIVE}"));
        for file in [&old, &old_sig, &young, &dead_part, &live_part] {
            std::fs::write(file, "bytes").unwrap();
        }
        let past = UPLOAD_RETENTION + Duration::from_secs(60);
        age(&old, past);
        age(&old_sig, past);
        age(&live_part, past);

        let removed = sweep_uploads(dir.path(), |pid| pid == LIVE, SystemTime::now());
        assert_eq!(removed, 3);
        assert!(!old.exists() && !old_sig.exists() && !dead_part.exists());
        assert!(young.exists(), "copied within the retention: kept");
        assert!(live_part.exists(), "still being received: kept");
    }

    #[test]
    fn no_uploads_folder_is_nothing_to_sweep() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(sweep_uploads(dir.path(), |_| false, SystemTime::now()), 0);
    }
}
