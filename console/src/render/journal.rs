//! `log`: the journal, one line per entry.

use moult_protocol::{JournalAction, JournalEntry};

use super::rfc3339_utc;

/// One journal entry: UTC time, action, update, detail.
pub fn journal_entry(entry: &JournalEntry) -> String {
    let action = match entry.action {
        JournalAction::Staged => "staged",
        JournalAction::Refused => "refused",
        JournalAction::Queued => "queued",
        JournalAction::Applied => "applied",
        JournalAction::Postponed => "postponed",
        JournalAction::Aborted => "aborted",
        JournalAction::Failed => "failed",
        JournalAction::RolledBack => "rolled back",
        JournalAction::Reverted => "reverted",
    };
    let update = match (&entry.update, entry.id) {
        (Some(name), Some(id)) => format!("{name} #{id}"),
        (Some(name), None) => name.clone(),
        (None, Some(id)) => format!("#{id}"),
        (None, None) => "-".into(),
    };
    let line = format!(
        "{}  {action:<11}  {update}  {}",
        rfc3339_utc(entry.unix_ms),
        entry.detail
    );
    line.trim_end().to_string()
}

/// The whole journal, oldest first, one entry per line.
pub fn journal(entries: &[JournalEntry]) -> String {
    if entries.is_empty() {
        return "(the journal is empty: no update was staged yet)\n".into();
    }
    entries.iter().map(|e| journal_entry(e) + "\n").collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(
        action: JournalAction,
        update: Option<&str>,
        id: Option<u64>,
        detail: &str,
    ) -> JournalEntry {
        JournalEntry {
            unix_ms: 1_714_565_000_000,
            action,
            update: update.map(str::to_string),
            id,
            detail: detail.into(),
        }
    }

    #[test]
    fn entries_read_as_a_history() {
        let text = journal(&[
            entry(
                JournalAction::Staged,
                None,
                None,
                "/tmp/moult/libhello_v2.so",
            ),
            entry(JournalAction::Queued, Some("hello_v2"), Some(1), ""),
            entry(
                JournalAction::Postponed,
                Some("hello_v2"),
                Some(1),
                "thread main in hello",
            ),
            entry(
                JournalAction::RolledBack,
                Some("hello_v2"),
                Some(1),
                "apply panicked: boom",
            ),
        ]);
        insta::assert_snapshot!(text);
    }

    #[test]
    fn an_empty_journal_says_so() {
        assert_eq!(
            journal(&[]),
            "(the journal is empty: no update was staged yet)\n"
        );
    }
}
