//! Reading an app's journal file (`<pid>.journal`, JSON lines) directly,
//! for `log` once the app has exited and no agent can be asked.

use std::io;
use std::path::Path;

use moult_protocol::JournalEntry;

/// Why a journal file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum JournalFileError {
    /// The file could not be read.
    #[error("cannot read the journal {}: {source}", path.display())]
    Read {
        /// The journal path.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A line (not the last) is not a journal entry: the file is damaged.
    #[error("the journal {} is damaged at line {line}: {reason}", path.display())]
    Damaged {
        /// The journal path.
        path: std::path::PathBuf,
        /// 1-based line number.
        line: usize,
        /// serde's explanation.
        reason: String,
    },
}

/// The entries of the journal at `path`, oldest first. A last line that
/// does not parse is left out: the app was stopped while writing it.
pub fn read(path: &Path) -> Result<Vec<JournalEntry>, JournalFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| JournalFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text).map_err(|(line, reason)| JournalFileError::Damaged {
        path: path.to_path_buf(),
        line,
        reason,
    })
}

/// The entries in `text`; on a damaged line, its number and why.
fn parse(text: &str) -> Result<Vec<JournalEntry>, (usize, String)> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let mut entries = Vec::with_capacity(lines.len());
    for (i, (number, line)) in lines.iter().enumerate() {
        match serde_json::from_str(line) {
            Ok(entry) => entries.push(entry),
            Err(_) if i + 1 == lines.len() && !text.ends_with('\n') => break,
            Err(e) => return Err((number + 1, e.to_string())),
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use moult_protocol::JournalAction;

    use super::*;

    const APPLIED: &str =
        r#"{"unix_ms":1,"action":"applied","update":"hello_v2","id":1,"detail":""}"#;

    #[test]
    fn entries_are_read_in_order_and_an_unfinished_last_line_is_left_out() {
        let text = format!("{APPLIED}\n\n{APPLIED}\n{{\"unix_ms\":2,\"act");
        let entries = parse(&text).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].action, JournalAction::Applied);
    }

    #[test]
    fn a_damaged_line_in_the_middle_is_an_error_naming_it() {
        let text = format!("{APPLIED}\nnot json\n{APPLIED}\n");
        assert_eq!(parse(&text).unwrap_err().0, 2);
        let complete_but_bad = format!("{APPLIED}\nnot json\n");
        assert_eq!(parse(&complete_but_bad).unwrap_err().0, 2);
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
