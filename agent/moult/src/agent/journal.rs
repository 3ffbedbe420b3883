//! The update journal: every update event appended, as it happens, to
//! `<pid>.journal` next to the socket, so the history survives any client.
//!
//! It is the event bus's sink (it must see every event; a lagging reader
//! would miss some), so it runs on the emitting thread: it only formats one
//! line and appends it, for the handful of update-level events.

use std::io::{BufRead, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use moult_protocol::{Event, EventKind, JournalAction, JournalEntry, Outcome};

/// Entries returned by a `journal` request at most (the newest ones).
pub(crate) const MAX_RETURNED: usize = 10_000;

/// The open journal file.
pub(crate) struct Journal {
    /// Appends are whole lines under this lock, so lines never interleave.
    file: Mutex<std::fs::File>,
}

static JOURNAL: OnceLock<Journal> = OnceLock::new();

/// Opens (truncating a previous process's file of the same pid) the journal
/// at `path` and makes it the event bus's sink.
pub(crate) fn install(path: &Path) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    JOURNAL.get_or_init(|| Journal {
        file: Mutex::new(file),
    });
    crate::runtime().events.set_sink(sink);
    Ok(())
}

fn sink(event: &Event) {
    let Some(journal) = JOURNAL.get() else { return };
    if let Some(entry) = entry_for(&event.kind, now_unix_ms()) {
        journal.append(&entry);
    }
}

impl Journal {
    fn append(&self, entry: &JournalEntry) {
        let Ok(mut line) = serde_json::to_string(entry) else {
            return;
        };
        line.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        // A full disk must not take the app down; the event stream still has it.
        let _ = file.write_all(line.as_bytes());
    }
}

/// Reads a journal file: the newest `max` entries, oldest first. Lines that
/// do not parse (a torn last line after a crash) are skipped. Only the
/// file's tail holding those entries is read, so a request costs the same
/// on a journal of any length.
pub(crate) fn read(path: &Path, max: usize) -> std::io::Result<Vec<JournalEntry>> {
    let mut file = std::fs::File::open(path)?;
    let start = tail_start(&mut file, max)?;
    file.seek(SeekFrom::Start(start))?;
    let mut entries = std::collections::VecDeque::new();
    for line in std::io::BufReader::new(file).lines() {
        let Ok(entry) = serde_json::from_str::<JournalEntry>(&line?) else {
            continue;
        };
        if entries.len() == max {
            entries.pop_front();
        }
        entries.push_back(entry);
    }
    Ok(entries.into())
}

/// Where the last `max + 1` lines of `file` start (0 if it holds fewer):
/// found by reading backwards in blocks. One line more than asked, so a
/// torn last line does not cost a whole entry.
fn tail_start(file: &mut std::fs::File, max: usize) -> std::io::Result<u64> {
    const BLOCK: u64 = 64 * 1024;
    let mut end = file.seek(SeekFrom::End(0))?;
    let mut newlines = 0usize;
    let mut buf = vec![0u8; BLOCK as usize];
    while end > 0 {
        let from = end.saturating_sub(BLOCK);
        let chunk = &mut buf[..(end - from) as usize];
        file.seek(SeekFrom::Start(from))?;
        file.read_exact(chunk)?;
        for (i, byte) in chunk.iter().enumerate().rev() {
            if *byte == b'\n' {
                newlines += 1;
                if newlines > max + 1 {
                    return Ok(from + i as u64 + 1);
                }
            }
        }
        end = from;
    }
    Ok(0)
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The journal line for an event, if it is an update-level one.
/// What the journal says of a freshly applied update: whether it can be
/// reverted (as of when it applied; `log` shows it).
fn revertibility(id: u64) -> String {
    match crate::runtime().history.revertible(id) {
        Ok(_) => "revertible".into(),
        Err(why) => format!("not revertible: {why}"),
    }
}

fn entry_for(kind: &EventKind, unix_ms: u64) -> Option<JournalEntry> {
    let entry = |action, update: Option<&str>, id, detail: String| JournalEntry {
        unix_ms,
        action,
        update: update.map(str::to_string),
        id,
        detail,
    };
    Some(match kind {
        EventKind::LibraryLoaded { path, updates } => entry(
            JournalAction::Staged,
            None,
            None,
            if updates.is_empty() {
                format!("{path}: it hands out no update")
            } else {
                format!("{path}: {}", updates.join(", "))
            },
        ),
        EventKind::LibraryRefused { path, reason } => entry(
            JournalAction::Refused,
            None,
            None,
            format!("{path}: {reason}"),
        ),
        EventKind::UpdateReverted {
            update,
            id,
            target,
            reason,
        } => entry(
            JournalAction::Reverted,
            Some(update),
            Some(*id),
            format!("reverted #{target}: {reason}"),
        ),
        EventKind::UpdateQueued { update, id } => entry(
            JournalAction::Queued,
            Some(update),
            Some(*id),
            String::new(),
        ),
        EventKind::UpdateDone {
            update,
            id,
            outcome,
        } => {
            let (action, detail) = match outcome {
                Outcome::Applied => (JournalAction::Applied, revertibility(*id)),
                Outcome::Postponed(r) => (JournalAction::Postponed, r.clone()),
                Outcome::Aborted(r) => (JournalAction::Aborted, r.clone()),
                Outcome::RolledBack(r) => (JournalAction::RolledBack, r.clone()),
                Outcome::Failed(r) => (JournalAction::Failed, r.clone()),
            };
            entry(action, Some(update), Some(*id), detail)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_events_become_entries_and_others_do_not() {
        let done = EventKind::UpdateDone {
            update: "hello v2".into(),
            id: 3,
            outcome: Outcome::RolledBack("apply panicked: boom".into()),
        };
        let e = entry_for(&done, 5).unwrap();
        assert_eq!(e.action, JournalAction::RolledBack);
        assert_eq!(e.update.as_deref(), Some("hello v2"));
        assert_eq!(e.detail, "apply panicked: boom");
        let log = EventKind::Log {
            level: "info".into(),
            message: "x".into(),
        };
        assert!(entry_for(&log, 5).is_none());
    }

    #[test]
    fn a_library_that_hands_out_no_update_says_so() {
        let loaded = EventKind::LibraryLoaded {
            path: "/x/libstarter.so".into(),
            updates: Vec::new(),
        };
        let entry = entry_for(&loaded, 1).expect("journaled");
        assert_eq!(entry.detail, "/x/libstarter.so: it hands out no update");
    }

    #[test]
    #[cfg_attr(miri, ignore = "Miri: real files")]
    fn reading_keeps_the_newest_and_skips_torn_lines() {
        let path = std::env::temp_dir().join(format!("moult-journal-{}", std::process::id()));
        let line = |id| {
            serde_json::to_string(&entry_for(
                &EventKind::UpdateQueued {
                    update: "u".into(),
                    id,
                },
                1,
            ))
            .unwrap()
        };
        std::fs::write(
            &path,
            format!("{}\n{}\n{}\n{{\"unix_ms\":", line(1), line(2), line(3)),
        )
        .unwrap();
        let ids: Vec<_> = read(&path, 2).unwrap().iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![Some(2), Some(3)]);
        let ids: Vec<_> = read(&path, 10).unwrap().iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![Some(1), Some(2), Some(3)]);
        // A journal longer than one read block: the newest entries, in order,
        // from its tail only.
        let long: String = (1..=5_000).map(|id| line(id) + "\n").collect();
        assert!(long.len() > 3 * 64 * 1024);
        std::fs::write(&path, &long).unwrap();
        let ids: Vec<_> = read(&path, 3).unwrap().iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![Some(4_998), Some(4_999), Some(5_000)]);
        let all = read(&path, 10_000).unwrap();
        assert_eq!(all.len(), 5_000);
        assert_eq!(all[0].id, Some(1));
        std::fs::remove_file(&path).unwrap();
    }
}
