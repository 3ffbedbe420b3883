//! How often a conversion reports its progress, for eager and lazy alike.

/// How many conversions between two progress events (~1%, at most 10 000).
pub(crate) fn progress_every(total: u64) -> u64 {
    (total / 100).clamp(1, 10_000)
}
