//! The update journal: every update event appended, as it happens, to
//! `<pid>.journal` next to the socket, so the history survives any client.
//!
//! It is the event bus's sink (it must see every event; a lagging reader
//! would miss some), so it runs on the emitting thread: it only formats one
//! line and appends it, for the handful of update-level events.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use moult_protocol::{Event, EventKind, JournalAction, JournalEntry, Outcome};

/// Entries returned by a `journal` request at most (the newest ones; the
/// file is read by [`moult_rundir::read_journal`], the console's reader too).
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
}
