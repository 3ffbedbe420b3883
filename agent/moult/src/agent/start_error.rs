//! Why [`super::start`] failed: one error per step of starting the agent,
//! each keeping the OS's error as its source.

use std::io;
use std::path::PathBuf;

pub use super::directory::DirectoryError;
pub use super::listener::ListenError;

/// Why the agent could not start (or was used before it started).
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The runtime directory is not usable.
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    /// The journal file could not be opened.
    #[error(
        "cannot open the journal {}: {source}; check that the runtime directory is writable by this process",
        path.display()
    )]
    Journal {
        /// The journal path, to say which.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// The socket could not be opened.
    #[error(transparent)]
    Listen(#[from] ListenError),
    /// The metadata file (how consoles find the agent) could not be written.
    #[error(
        "cannot write {}: {source}; check that the runtime directory is writable by this process",
        path.display()
    )]
    Metadata {
        /// The metadata path, to say which.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// A request was fed in before [`super::start`] succeeded.
    #[error("the agent is not started; call moult::agent::start first")]
    NotStarted,
}

/// Two failures are the same when they say the same thing (the OS errors
/// inside have no equality of their own); this keeps [`crate::Error`]
/// comparable, as tests of updates need.
impl PartialEq for StartError {
    fn eq(&self, other: &StartError) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for StartError {}
