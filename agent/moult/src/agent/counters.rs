//! The agent's connection counters, which the snapshot reports and the
//! transport keeps: below both, so neither imports the other for them.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Connections being served now (the listener counts them).
pub(crate) static OPEN: AtomicUsize = AtomicUsize::new(0);

/// Subscribers dropped for not reading, since the agent started.
pub(crate) static DROPPED_SUBSCRIBERS: AtomicU64 = AtomicU64::new(0);

/// Connections being served now.
pub(crate) fn open_connections() -> usize {
    OPEN.load(Ordering::Relaxed)
}

/// Subscribers dropped so far for not reading.
pub(crate) fn dropped_subscribers() -> u64 {
    DROPPED_SUBSCRIBERS.load(Ordering::Relaxed)
}
