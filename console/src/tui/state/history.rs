//! A bounded series of samples, oldest first: what a sparkline draws.

use std::collections::VecDeque;

/// How many samples a history keeps: about a minute at one snapshot a
/// second, and wider than any sparkline column.
pub const HISTORY_LEN: usize = 60;

/// The last [`HISTORY_LEN`] samples of one measure (calls/s, live instances).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// Oldest first; never longer than [`HISTORY_LEN`], so memory stays flat
    /// however long the console stays attached.
    samples: VecDeque<u64>,
}

impl History {
    /// Adds the newest sample, dropping the oldest when full.
    pub fn push(&mut self, sample: u64) {
        if self.samples.len() == HISTORY_LEN {
            self.samples.pop_front();
        }
        self.samples.push_back(sample);
    }

    /// The newest sample, if any.
    pub fn last(&self) -> Option<u64> {
        self.samples.back().copied()
    }

    /// The newest `n` samples (fewer if fewer were taken), oldest first.
    pub fn tail(&self, n: usize) -> impl Iterator<Item = u64> + '_ {
        self.samples
            .iter()
            .copied()
            .skip(self.samples.len().saturating_sub(n))
    }

    /// How many samples are kept.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// Whether no sample was taken yet.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_samples_only() {
        let mut h = History::default();
        assert!(h.is_empty());
        for i in 0..(HISTORY_LEN as u64 + 5) {
            h.push(i);
        }
        assert_eq!(h.len(), HISTORY_LEN);
        assert_eq!(h.last(), Some(HISTORY_LEN as u64 + 4));
        let tail: Vec<u64> = h.tail(3).collect();
        assert_eq!(tail, [62, 63, 64]);
        assert_eq!(h.tail(1000).count(), HISTORY_LEN);
    }
}
