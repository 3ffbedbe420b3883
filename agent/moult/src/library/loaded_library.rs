//! The view of one loaded update library: what [`crate::Runtime::libraries`]
//! lists and the snapshot sends.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use moult_protocol::LibraryInfo;

/// An update library loaded into the process (never unloaded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedLibrary {
    /// The path the user gave (the one they know the library by).
    pub path: PathBuf,
    /// The unique copy that was `dlopen`ed (what `/proc/<pid>/maps` and
    /// backtraces name; removed when the process's copies are swept).
    pub copy: PathBuf,
    /// The build fingerprint read from the file, as the loader compared it
    /// with the app's.
    pub fingerprint: String,
    /// The trusted key that signed it, when the app requires signed updates
    /// (`None`: the app accepts unsigned libraries, and no signature was checked).
    pub signed_by: Option<String>,
    /// Size of the loaded copy in bytes.
    pub size_bytes: u64,
    /// When it was loaded.
    pub loaded_at: SystemTime,
}

impl LoadedLibrary {
    /// The wire form, for the snapshot.
    pub fn info(&self) -> LibraryInfo {
        LibraryInfo {
            path: self.path.display().to_string(),
            fingerprint: self.fingerprint.clone(),
            size_bytes: self.size_bytes,
            loaded_unix_ms: self
                .loaded_at
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
        }
    }
}
