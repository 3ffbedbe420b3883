//! Where agents put their sockets, metadata and journals, so the console
//! finds them without being told: one private directory per user.

use std::path::{Path, PathBuf};

/// Overrides the directory (tests, several isolated sessions).
pub const DIR_ENV: &str = "MOULT_RUNTIME_DIR";

/// The per-user directory: `$MOULT_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR/moult`,
/// else `/tmp/moult-<uid>`. The agent creates it `0700`.
pub fn runtime_dir(uid: u32) -> PathBuf {
    let nonempty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(dir) = nonempty(DIR_ENV) {
        return PathBuf::from(dir);
    }
    if let Some(xdg) = nonempty("XDG_RUNTIME_DIR") {
        return PathBuf::from(xdg).join("moult");
    }
    std::env::temp_dir().join(format!("moult-{uid}"))
}

/// The socket of process `pid`.
pub fn socket_path(dir: &Path, pid: u32) -> PathBuf {
    dir.join(format!("{pid}.sock"))
}

/// The metadata file ([`crate::AgentInfo`] as JSON) of process `pid`.
pub fn info_path(dir: &Path, pid: u32) -> PathBuf {
    dir.join(format!("{pid}.json"))
}

/// The journal ([`crate::JournalEntry`] lines) of process `pid`.
pub fn journal_path(dir: &Path, pid: u32) -> PathBuf {
    dir.join(format!("{pid}.journal"))
}

/// The pid a metadata file name stands for (`1234.json` → 1234).
pub fn pid_of_info_file(name: &str) -> Option<u32> {
    name.strip_suffix(".json")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_keyed_by_pid() {
        let dir = Path::new("/run/user/1000/moult");
        assert_eq!(socket_path(dir, 42), dir.join("42.sock"));
        assert_eq!(pid_of_info_file("42.json"), Some(42));
        assert_eq!(pid_of_info_file("42.journal"), None);
        assert_eq!(pid_of_info_file("x.json"), None);
    }
}
