//! Errors of the agent's API (looking things up, loading libraries).

use std::io;
use std::sync::Arc;

use thiserror::Error;

use crate::agent::StartError;
use crate::library::{LoadError, TrustError};

/// Why an agent operation was refused. Every message says what to do.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// No hot function of that name is registered in the app.
    #[error("unknown hot function `{name}`; the app has: {known}")]
    UnknownFunction {
        /// The name asked for.
        name: String,
        /// Registered names (comma-separated), so the user can spot a typo.
        known: String,
    },
    /// A redefinition's fn type differs from the hot function's.
    #[error(
        "signature mismatch for `{name}`: the app's hot function is `{app}`, the update provides `{update}`; rebuild the update against the app's current source"
    )]
    SignatureMismatch {
        /// Function name.
        name: String,
        /// The app's signature.
        app: String,
        /// The update's signature.
        update: String,
    },
    /// No tracked class of that name is registered.
    #[error("unknown class `{name}`; the app has: {known}")]
    UnknownClass {
        /// The name asked for.
        name: String,
        /// Registered class names.
        known: String,
    },
    /// A class was looked up with other value/constructor types than the app's.
    #[error(
        "type mismatch for class `{name}`: the app's is `{app}`, the update expects `{update}`"
    )]
    ClassTypeMismatch {
        /// Class name.
        name: String,
        /// The app's types.
        app: String,
        /// The update's types.
        update: String,
    },
    /// The update names the app's types correctly but was compiled against
    /// another build of the app's crate (cargo gave it another metadata
    /// hash, so its types are distinct to Rust). Happens when the app was
    /// built together with unrelated packages that changed feature
    /// unification, or with other flags, or from source since edited.
    #[error(
        "{item}: the update was compiled against another build of the app's crate (same type names, different cargo build). Either the package selection or features differed: build the app on its own (`cargo build -p <app>`) and the update crate with `moult-console apply <pid> <crate dir>`, which uses the app's profile; or the app's source changed since the running binary was built (a type edited in place): restart the app from the current source, or build the update against the source the running app was built from"
    )]
    BuiltApart {
        /// What did not match (`class `x``, `hot function `f``).
        item: String,
    },
    /// No DSU thread of that name.
    #[error("unknown DSU thread `{name}`; the app has: {known}")]
    UnknownThread {
        /// The name asked for.
        name: String,
        /// Registered DSU thread names.
        known: String,
    },
    /// A DSU thread name is taken.
    #[error("a DSU thread named `{0}` already exists; pick another name")]
    DuplicateThread(String),
    /// An update library was refused before any of its code ran, or its entry failed.
    #[error("update library {path}: {reason}")]
    Library {
        /// The library file as given.
        path: String,
        /// What is wrong and what to do (its source keeps the OS's error;
        /// shared so the error stays `Clone` like every other).
        #[source]
        reason: Arc<LoadError>,
    },
    /// The OS refused to start a DSU thread (or its name has a NUL byte).
    #[error(
        "could not start DSU thread `{name}`: {reason}; check the process's thread limit and the name"
    )]
    Spawn {
        /// The DSU thread's name.
        name: String,
        /// What the OS said.
        reason: String,
    },
    /// The manager is gone (app shutting down).
    #[error("the update manager has stopped")]
    ManagerStopped,
    /// The app requires signed update libraries (`MOULT_TRUSTED_KEYS`) but
    /// a trusted key cannot be read: refused at start rather than at the
    /// first update.
    #[error("cannot read the keys trusted to sign update libraries: {0}")]
    TrustedKeys(#[source] Arc<TrustError>),
    /// The agent's socket could not be started.
    #[error("could not start the moult agent: {0}")]
    Agent(#[source] Arc<StartError>),
}

impl Error {
    /// The kind of the OS error at the root of this one, if an OS error
    /// caused it (a library path that cannot be read, a socket directory
    /// that is not writable): what a caller matches on to decide what to do.
    pub fn io_error_kind(&self) -> Option<io::ErrorKind> {
        let mut cause = std::error::Error::source(self);
        while let Some(err) = cause {
            if let Some(io) = err.downcast_ref::<io::Error>() {
                return Some(io.kind());
            }
            cause = err.source();
        }
        None
    }
}

impl From<StartError> for Error {
    fn from(e: StartError) -> Error {
        Error::Agent(Arc::new(e))
    }
}
