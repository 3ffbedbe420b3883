//! Why an update library was refused: before any of its code ran (file,
//! copy, fingerprint) or by its entry. Each message says what to do; an
//! OS error stays reachable as the source, so its kind survives.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use super::signature::SignatureError;
use super::trusted_keys::TrustError;

/// Why the loader refused an update library (the reason in
/// [`crate::Error::Library`]).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file given cannot be read (missing, no permission).
    #[error("cannot read it: {source}")]
    Unreadable {
        /// What the OS said (NotFound, PermissionDenied, …).
        #[source]
        source: io::Error,
    },
    /// The path is a directory or a device, not a library file.
    #[error("not a regular file; give the path of a built .so")]
    NotAFile,
    /// The private directory for library copies could not be made.
    #[error(
        "cannot create {}: {source}; check that the temporary directory ($TMPDIR) is writable by the app's user",
        dir.display()
    )]
    CopiesDir {
        /// The directory, to say which.
        dir: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// The library could not be copied to its unique path.
    #[error(
        "cannot copy to {}: {source}; check the free space and permissions of the temporary directory",
        copy.display()
    )]
    Copy {
        /// The copy's path, to say which.
        copy: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// The copy could not be read back to check its fingerprint.
    #[error("cannot read the copy: {source}")]
    CopyUnreadable {
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// The file is no moult update library (not a shared object, no or a
    /// malformed fingerprint section).
    #[error(
        "not a moult update library ({why}); build an update crate with crate-type = [\"cdylib\"] and #[moult::update_library]"
    )]
    NotAnUpdateLibrary {
        /// What is missing, in words.
        why: String,
    },
    /// Its fingerprint differs from the app's.
    #[error(
        "built differently from the app ({differences}); rebuild it with the app's toolchain and profile (e.g. `cargo build` with the same --release setting)"
    )]
    BuiltDifferently {
        /// The fields that differ, `key: app vs library`, `; `-separated.
        differences: String,
    },
    /// Its allocator would not forward to the app's.
    #[error(
        "its global allocator does not forward to the app's (no `{field}` in its fingerprint): blocks would cross between two allocators; export its updates with #[moult::update_library], which installs the forwarding allocator"
    )]
    ForeignAllocator {
        /// The fingerprint field that is missing (`alloc=host`).
        field: String,
    },
    /// `dlopen` failed (a missing dependency, an unresolved symbol).
    #[error("dlopen failed: {source}")]
    Dlopen {
        /// What the dynamic loader said.
        #[source]
        source: libloading::Error,
    },
    /// A fingerprint but no entry symbol.
    #[error(
        "it has a moult fingerprint but no `{symbol}` entry; mark one function with #[moult::update_library]"
    )]
    NoEntry {
        /// The entry symbol looked for.
        symbol: String,
    },
    /// The app requires signed libraries and this one's signature does not
    /// satisfy its trusted keys (checked before its fingerprint and `dlopen`).
    #[error(transparent)]
    Signature(SignatureError),
    /// The app requires signed libraries but a trusted key it names cannot
    /// be read: no library is accepted until it can (fail closed).
    #[error(
        "this app requires signed update libraries but its trusted keys are unusable: {source}"
    )]
    TrustedKeys {
        /// Which key and why.
        #[source]
        source: Arc<TrustError>,
    },
    /// The library's entry returned an error.
    #[error("its entry refused: {0}")]
    EntryRefused(String),
    /// The library's entry panicked (caught by its own copy of std).
    #[error("its entry panicked: {0}")]
    EntryPanicked(String),
    /// The entry's status and output disagree (a broken library).
    #[error("its entry returned an inconsistent status {0}")]
    EntryInconsistent(String),
}

/// Two refusals are the same when they say the same thing (the OS errors
/// inside have no equality of their own); this keeps [`crate::Error`]
/// comparable, as tests of updates need.
impl PartialEq for LoadError {
    fn eq(&self, other: &LoadError) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for LoadError {}
