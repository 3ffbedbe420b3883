//! What is in the runtime directory: the files agents leave there, each
//! named `<pid>.<kind>` ([`moult_protocol::discovery`]).

use std::io;
use std::path::{Path, PathBuf};

/// The kinds of file an agent keeps in the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `<pid>.sock`: the agent's socket, how a console reaches it.
    Socket,
    /// `<pid>.json`: who the agent is (`AgentInfo`), how a console finds it.
    Info,
    /// `<pid>.journal`: the update history, kept after the process exits.
    Journal,
}

impl FileKind {
    /// The kind a file extension stands for.
    fn from_extension(ext: &str) -> Option<FileKind> {
        match ext {
            "sock" => Some(FileKind::Socket),
            "json" => Some(FileKind::Info),
            "journal" => Some(FileKind::Journal),
            _ => None,
        }
    }
}

/// One agent file found in the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFile {
    /// The process the file belongs to (its name's stem).
    pub pid: u32,
    /// What the file is.
    pub kind: FileKind,
    /// Its full path, to read or remove it.
    pub path: PathBuf,
}

/// The agent files in `dir`, in no particular order; other files (a
/// metadata file being written, the loader's `libs-<pid>` copies, anything
/// a user put there) are not listed. A missing directory holds nothing: no
/// agent ever started for this user.
pub fn scan(dir: &Path) -> io::Result<Vec<RunFile>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut files = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some((stem, ext)) = name.to_str().and_then(|n| n.split_once('.')) else {
            continue;
        };
        let (Ok(pid), Some(kind)) = (stem.parse::<u32>(), FileKind::from_extension(ext)) else {
            continue;
        };
        files.push(RunFile {
            pid,
            kind,
            path: entry.path(),
        });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use moult_protocol::discovery;

    use super::*;

    #[test]
    fn only_agent_files_are_listed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(discovery::socket_path(d, 7), "").unwrap();
        std::fs::write(discovery::info_path(d, 7), "{}").unwrap();
        std::fs::write(discovery::journal_path(d, 8), "").unwrap();
        std::fs::write(d.join("7.tmp"), "").unwrap();
        std::fs::write(d.join("notes.json"), "").unwrap();
        std::fs::create_dir(d.join("libs-7")).unwrap();
        let mut found: Vec<(u32, FileKind)> =
            scan(d).unwrap().iter().map(|f| (f.pid, f.kind)).collect();
        found.sort_by_key(|(pid, kind)| (*pid, *kind as u8));
        assert_eq!(
            found,
            vec![
                (7, FileKind::Socket),
                (7, FileKind::Info),
                (8, FileKind::Journal)
            ]
        );
        assert!(scan(&d.join("never-made")).unwrap().is_empty());
    }
}
