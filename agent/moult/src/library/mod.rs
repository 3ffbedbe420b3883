//! Update libraries (to be implemented).
pub mod entry;
pub mod fingerprint;

/// Loaded libraries.
#[derive(Default)]
pub(crate) struct LibraryRegistry {}
