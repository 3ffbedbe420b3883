//! DSU threads and update points (to be implemented).

/// Registry of DSU threads.
#[derive(Default)]
pub(crate) struct ThreadRegistry {}
