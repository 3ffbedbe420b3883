//! Tracked classes and instances (to be implemented).

/// Registry of tracked classes.
#[derive(Default)]
pub(crate) struct ClassRegistry {}
