//! Reading a journal file (`<pid>.journal`, one [`JournalEntry`] as JSON per
//! line): the agent answering a `journal` request and the console reading
//! the file of an app that exited both call [`read_journal`], so they give
//! the same entries for the same file.
//!
//! The rule for a line that is not an entry: a complete line (ended by a
//! newline) that does not parse is damaged; it is skipped and counted in
//! [`JournalRead::skipped`], which the caller shows, and the lines after it
//! are read as usual. An unfinished last line (no newline yet) is left out
//! without counting: the app is writing it, or was stopped while writing it.

use std::collections::VecDeque;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use moult_protocol::JournalEntry;

/// What reading a journal gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalRead {
    /// The newest entries asked for, oldest first.
    pub entries: Vec<JournalEntry>,
    /// Damaged lines skipped among those read, so the user knows the
    /// history has holes (0 for a healthy journal).
    pub skipped: usize,
}

/// The newest `keep` entries of the journal at `path` (`usize::MAX` for
/// all). Only the file's tail holding them is read, so a request costs the
/// same on a journal of any length; `skipped` counts the damaged lines in
/// that tail.
pub fn read_journal(path: &Path, keep: usize) -> io::Result<JournalRead> {
    let mut file = std::fs::File::open(path)?;
    let start = if keep == usize::MAX {
        0
    } else {
        tail_start(&mut file, keep)?
    };
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(parse_journal(&bytes, keep))
}

/// The newest `keep` entries in `bytes` (the text of a journal, or its
/// tail starting at a line), by the rule in this module's documentation.
pub fn parse_journal(bytes: &[u8], keep: usize) -> JournalRead {
    let mut entries = VecDeque::new();
    let mut skipped = 0;
    let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    // What follows the last newline is unfinished (empty if the text ends
    // with one).
    lines.pop();
    for line in lines {
        if line.trim_ascii().is_empty() {
            continue;
        }
        let Ok(entry) = serde_json::from_slice::<JournalEntry>(line) else {
            skipped += 1;
            continue;
        };
        if entries.len() == keep {
            entries.pop_front();
        }
        entries.push_back(entry);
    }
    JournalRead {
        entries: entries.into(),
        skipped,
    }
}

/// Where the last `keep + 1` lines of `file` start (0 if it holds fewer):
/// found by reading backwards in blocks. One line more than asked, so an
/// unfinished last line does not cost a whole entry.
fn tail_start(file: &mut std::fs::File, keep: usize) -> io::Result<u64> {
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
                if newlines > keep.saturating_add(1) {
                    return Ok(from + i as u64 + 1);
                }
            }
        }
        end = from;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use moult_protocol::JournalAction;

    use super::*;

    fn line(id: u64) -> String {
        serde_json::to_string(&JournalEntry {
            unix_ms: 1,
            action: JournalAction::Queued,
            update: Some("u".into()),
            id: Some(id),
            detail: String::new(),
        })
        .unwrap()
    }

    fn ids(read: &JournalRead) -> Vec<u64> {
        read.entries.iter().filter_map(|e| e.id).collect()
    }

    #[test]
    fn a_damaged_middle_line_is_skipped_counted_and_the_rest_kept() {
        let mut text = format!("{}\nnot json\n{}\n", line(1), line(2)).into_bytes();
        text.extend_from_slice(b"\xff\xfe\n\n");
        text.extend_from_slice(format!("{}\n", line(3)).as_bytes());
        let read = parse_journal(&text, usize::MAX);
        assert_eq!(ids(&read), vec![1, 2, 3]);
        assert_eq!(read.skipped, 2);
    }

    #[test]
    fn an_unfinished_last_line_is_left_out_uncounted() {
        let text = format!("{}\n{}\n{{\"unix_ms\":", line(1), line(2));
        let read = parse_journal(text.as_bytes(), usize::MAX);
        assert_eq!((ids(&read), read.skipped), (vec![1, 2], 0));
    }

    #[test]
    fn reading_keeps_the_newest_from_the_tail_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("1.journal");
        std::fs::write(
            &path,
            format!("{}\n{}\n{}\n{{\"unix", line(1), line(2), line(3)),
        )
        .unwrap();
        assert_eq!(ids(&read_journal(&path, 2).unwrap()), vec![2, 3]);
        assert_eq!(ids(&read_journal(&path, 10).unwrap()), vec![1, 2, 3]);
        // Longer than one read block: the newest entries, in order.
        let long: String = (1..=5_000).map(|id| line(id) + "\n").collect();
        assert!(long.len() > 3 * 64 * 1024);
        std::fs::write(&path, &long).unwrap();
        assert_eq!(
            ids(&read_journal(&path, 3).unwrap()),
            vec![4_998, 4_999, 5_000]
        );
        let all = read_journal(&path, usize::MAX).unwrap();
        assert_eq!((all.entries.len(), all.entries[0].id), (5_000, Some(1)));
    }
}
