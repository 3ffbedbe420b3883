//! The update libraries an app has loaded, as the `libraries` request
//! reports them.

use serde::{Deserialize, Serialize};

/// One update library loaded into the app (never unloaded): what the
/// operator checks when asking "which libraries does this process run".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LibraryInfo {
    /// The library file as given to `apply` (the copy that was loaded may
    /// be gone from the temporary directory; this is the one the user knows).
    pub path: String,
    /// Its build fingerprint, read from the file before loading: which
    /// toolchain, moult version and profile built it.
    pub fingerprint: String,
    /// Size of the loaded file in bytes (to tell two builds apart at a glance).
    pub size_bytes: u64,
    /// When it was loaded, milliseconds since the Unix epoch.
    pub loaded_unix_ms: u64,
}
