//! Reading an app's journal file (`<pid>.journal`, JSON lines) directly,
//! for `log` once the app has exited and no agent can be asked. The file
//! is read by the runtime directory's one reader
//! ([`moult_rundir::read_journal`]), the one the agent answers with, so
//! both give the same entries and the same count of damaged lines.

use std::io;
use std::path::{Path, PathBuf};

use moult_rundir::JournalRead;

/// Why a journal file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum JournalFileError {
    /// The file could not be read.
    #[error("cannot read the journal {}: {source}", path.display())]
    Read {
        /// The journal path, to say which.
        path: PathBuf,
        /// Why (the kind survives for callers that match on it).
        #[source]
        source: io::Error,
    },
}

/// The entries of the journal at `path`, oldest first, and how many
/// damaged lines were skipped (the lines after them are kept).
pub fn read(path: &Path) -> Result<JournalRead, JournalFileError> {
    moult_rundir::read_journal(path, usize::MAX).map_err(|source| JournalFileError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// The note that tells the user the journal has holes, if it has.
pub fn skipped_note(skipped: usize) -> Option<String> {
    match skipped {
        0 => None,
        1 => Some("1 damaged journal line was skipped; the entries around it are shown".into()),
        n => Some(format!(
            "{n} damaged journal lines were skipped; the entries around them are shown"
        )),
    }
}

#[cfg(test)]
mod tests {
    use moult_protocol::JournalAction;

    use super::*;

    const APPLIED: &str =
        r#"{"unix_ms":1,"action":"applied","update":"hello_v2","id":1,"detail":""}"#;

    #[test]
    fn entries_are_read_in_order_and_an_unfinished_last_line_is_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("7.journal");
        std::fs::write(
            &path,
            format!("{APPLIED}\n\n{APPLIED}\n{{\"unix_ms\":2,\"act"),
        )
        .unwrap();
        let read = read(&path).unwrap();
        assert_eq!((read.entries.len(), read.skipped), (2, 0));
        assert_eq!(read.entries[0].action, JournalAction::Applied);
    }

    #[test]
    fn a_damaged_line_in_the_middle_is_skipped_counted_and_the_rest_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("7.journal");
        std::fs::write(&path, format!("{APPLIED}\nnot json\n{APPLIED}\n")).unwrap();
        let read = read(&path).unwrap();
        assert_eq!((read.entries.len(), read.skipped), (2, 1));
        assert_eq!(
            skipped_note(read.skipped).unwrap(),
            "1 damaged journal line was skipped; the entries around it are shown"
        );
        assert_eq!(skipped_note(0), None);
    }

    #[test]
    fn a_missing_file_says_which() {
        let err = read(Path::new("/nonexistent/7.journal")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot read the journal /nonexistent/7.journal")
        );
    }
}
