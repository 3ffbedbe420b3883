//! A part's count moves, landed once a batch ([`Moves`]).

use super::done::count_into;
use super::record::ClassState;

/// Count moves to the pass's target not landed yet, by the version they
/// came from (nearly always one).
///
/// A worker moves its instances' versions one by one but their counts per
/// batch, in its thread's share: a mover of the same instance in between
/// (a `set`, a lazy step) may take it from the target before the batch
/// adds it there, a transient the sums read as 0 (see `home.rs`); the
/// class is pinned for the whole pass, so no drop uncounts an instance
/// before its batch lands (see `pin.rs`).
#[derive(Default)]
pub(super) struct Moves {
    /// The version the last instances came from, and how many did since
    /// the last landing or change of version (nearly always the only one:
    /// counted here without looking through `others`).
    last: (u32, u64),
    /// The other versions' counts since the last landing.
    others: Vec<(u32, u64)>,
}

impl Moves {
    /// One instance came from version `from`.
    #[inline]
    pub(super) fn add(&mut self, from: u32) {
        if self.last.0 == from {
            self.last.1 += 1;
        } else {
            self.switch(from);
        }
    }

    /// [`add`](Self::add) from a version other than the last one.
    #[cold]
    #[inline(never)]
    fn switch(&mut self, from: u32) {
        let (before, n) = std::mem::replace(&mut self.last, (from, 1));
        if n > 0 {
            count_into(&mut self.others, before, n);
        }
    }

    /// Moves every count to `target`, and adds them to `totals`.
    pub(super) fn land<T: ?Sized + 'static>(
        &mut self,
        state: &ClassState<T>,
        target: u32,
        totals: &mut Vec<(u32, u64)>,
    ) {
        for (from, n) in self.take() {
            state.population.moved_n(from, target, n);
            count_into(totals, from, n);
        }
    }

    /// The counts since the last landing, each version once; leaves none.
    fn take(&mut self) -> std::vec::Drain<'_, (u32, u64)> {
        let (last, n) = self.last;
        if n > 0 {
            count_into(&mut self.others, last, n);
            self.last.1 = 0;
        }
        self.others.drain(..)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch's count moves come out once per version, exact, however the
    /// versions alternate (the last one is counted apart), and a landing
    /// leaves nothing for the next batch.
    #[test]
    fn moves_count_each_version_once_per_batch() {
        let mut moves = Moves::default();
        for from in [0, 0, 1, 1, 0, 2, 2, 2] {
            moves.add(from);
        }
        let mut counts: Vec<_> = moves.take().collect();
        counts.sort();
        assert_eq!(counts, [(0, 3), (1, 2), (2, 3)]);
        assert_eq!(moves.take().count(), 0, "landed");
        // The next batch starts from the version the last one ended with.
        moves.add(2);
        moves.add(5);
        let mut counts: Vec<_> = moves.take().collect();
        counts.sort();
        assert_eq!(counts, [(2, 1), (5, 1)]);
    }
}
