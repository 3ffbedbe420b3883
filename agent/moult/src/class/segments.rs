//! A list kept in fixed-size segments, for the lists an eager conversion
//! builds per instance (its snapshot of the class, and the old values of
//! the instances it converted).
//!
//! Those lists are as long as the class (a million entries and more) and
//! live only for one update. As one `Vec` each, they were allocations of
//! 8–16 MB that glibc's `malloc` serves with `mmap` and returns with
//! `munmap`, or, once its threshold adapts, from the top of the heap,
//! which a later `free` trims back to the system. Either way the next
//! conversion faulted its pages in again: a process's first conversions
//! ran about 25 % slower than later ones (BENCHMARKS.md, "conversion").
//! Segments of at most [`SEGMENT_BYTES`] stay below every threshold of
//! that kind, are reused from the allocator's free lists like any small
//! allocation, never copy what they hold as they grow, and hand a part
//! of the list to another thread by moving its segments (cutting at most
//! one where the part ends).

/// Most bytes of one segment: below glibc's smallest `mmap` threshold
/// (128 KiB), and big enough that the list of segments is short.
///
/// And not below 64 KiB: glibc's `free` of a chunk that size or bigger
/// consolidates its arena's fast bins (the small chunks freed since). A
/// committed conversion's old values are freed on a helper thread
/// (`afterlife.rs`), a segment after its values: with 64 KiB segments that
/// thread consolidates the million small chunks it freed. With 32 KiB ones
/// (which the pass allocates between new values, so two are seldom
/// neighbours) nothing did until the next conversion's first segment, on
/// the app's held window: 3–6 % of each pass thread's time in
/// `malloc_consolidate` (BENCHMARKS.md, "conversion").
const SEGMENT_BYTES: usize = 64 * 1024;

/// A list of `X` in segments of [`Segments::SEGMENT`] entries (the last
/// ones may hold fewer: appending one list to another keeps its segments).
pub(crate) struct Segments<X> {
    segments: Vec<Vec<X>>,
    len: usize,
}

impl<X> Default for Segments<X> {
    fn default() -> Self {
        Segments {
            segments: Vec::new(),
            len: 0,
        }
    }
}

impl<X> Segments<X> {
    /// Entries per segment.
    const SEGMENT: usize = {
        let size = std::mem::size_of::<X>();
        if size == 0 || size >= SEGMENT_BYTES {
            1
        } else {
            SEGMENT_BYTES / size
        }
    };

    /// An empty list (allocates nothing).
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// How many entries.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Adds `segment`'s entries at the end, as a segment of their own.
    fn push_segment(&mut self, segment: Vec<X>) {
        if !segment.is_empty() {
            self.len += segment.len();
            self.segments.push(segment);
        }
    }

    /// The segments, in order (each a run of consecutive entries).
    pub(crate) fn segments(&self) -> impl Iterator<Item = &[X]> {
        self.segments.iter().map(Vec::as_slice)
    }

    /// Moves `other`'s entries after these (its segments, not its entries).
    pub(crate) fn append(&mut self, other: Segments<X>) {
        self.len += other.len;
        self.segments.extend(other.segments);
    }

    /// Splits the list into at most `n` contiguous parts of `⌈len / n⌉`
    /// entries (the last may hold fewer), each with the index of its first
    /// entry; a segment a boundary falls in is split there (a copy of at
    /// most one segment per part). Never empty: an empty list gives one
    /// empty part.
    pub(crate) fn split(self, n: usize) -> Vec<(usize, Segments<X>)> {
        let size = self.len.div_ceil(n.max(1)).max(1);
        let mut parts = Vec::with_capacity(n.max(1));
        let mut part = Segments::new();
        let mut start = 0;
        for mut segment in self.segments {
            while !segment.is_empty() {
                let room = size - part.len;
                let rest = if segment.len() > room {
                    segment.split_off(room)
                } else {
                    Vec::new()
                };
                part.len += segment.len();
                part.segments.push(segment);
                segment = rest;
                if part.len == size {
                    parts.push((start, std::mem::take(&mut part)));
                    start += size;
                }
            }
        }
        if part.len > 0 || parts.is_empty() {
            parts.push((start, part));
        }
        parts
    }

    /// The entries, in order, by reference.
    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = &X> {
        self.segments.iter().flatten()
    }

    /// Keeps the first `len` entries (all if there are fewer), dropping
    /// the others and the segments left empty.
    pub(crate) fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        let mut kept = 0;
        let mut keep_segments = 0;
        for segment in &mut self.segments {
            if kept == len {
                break;
            }
            let take = segment.len().min(len - kept);
            segment.truncate(take);
            kept += take;
            keep_segments += 1;
        }
        self.segments.truncate(keep_segments);
        self.len = len;
    }
}

/// A list being filled one entry at a time, in a loop that must cost
/// little per entry (the pass's old values, the snapshot's walk).
///
/// The segment being filled is the filler's own field, not the last of
/// the list's segments on the heap: pushing through those, a loop read the
/// segment back and wrote its length again after every call the compiler
/// cannot see into (the transformer). A loop that keeps the filler in a
/// local pays a length check and a store per entry. Entries are added
/// one at a time only here.
pub(crate) struct Filling<X> {
    /// The full segments.
    full: Segments<X>,
    /// The segment being filled (no allocation until the first entry).
    filling: Vec<X>,
}

impl<X> Filling<X> {
    /// An empty list (allocates nothing).
    pub(crate) fn new() -> Self {
        Filling {
            full: Segments::new(),
            filling: Vec::new(),
        }
    }

    /// How many entries.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.full.len + self.filling.len()
    }

    /// Adds `x` at the end.
    #[inline]
    pub(crate) fn push(&mut self, x: X) {
        if self.filling.len() == self.filling.capacity() {
            self.next_segment();
        }
        self.filling.push(x);
    }

    /// Puts the full segment with the others and starts a new one.
    #[cold]
    #[inline(never)]
    fn next_segment(&mut self) {
        let full = std::mem::replace(
            &mut self.filling,
            Vec::with_capacity(Segments::<X>::SEGMENT),
        );
        self.full.push_segment(full);
    }

    /// The list filled.
    pub(crate) fn into_list(mut self) -> Segments<X> {
        self.full.push_segment(self.filling);
        self.full
    }
}

impl<X> IntoIterator for Segments<X> {
    type Item = X;
    type IntoIter = std::iter::Flatten<std::vec::IntoIter<Vec<X>>>;

    /// The entries, in order; each segment is freed once passed.
    fn into_iter(self) -> Self::IntoIter {
        self.segments.into_iter().flatten()
    }
}

impl<X> FromIterator<X> for Segments<X> {
    fn from_iter<I: IntoIterator<Item = X>>(iter: I) -> Self {
        let mut out = Filling::new();
        for x in iter {
            out.push(x);
        }
        out.into_list()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(n: usize) -> Segments<u64> {
        (0..n as u64).collect()
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "Miri: lists of several 64 KiB segments take minutes (safe code; class_eager runs the split under Miri)"
    )]
    fn entries_keep_their_order_across_segments() {
        let n = Segments::<u64>::SEGMENT * 3 + 5;
        let list = numbers(n);
        assert_eq!(list.len(), n);
        assert_eq!(list.segments.len(), 4);
        assert!(
            list.segments
                .iter()
                .all(|s| s.capacity() * 8 <= SEGMENT_BYTES)
        );
        assert!(list.iter().copied().eq(0..n as u64));
        assert!(list.into_iter().eq(0..n as u64));
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "Miri: lists of several 64 KiB segments take minutes (safe code; class_eager runs the split under Miri)"
    )]
    fn appending_moves_segments_and_keeps_counting() {
        let per = Segments::<u64>::SEGMENT;
        let mut a = numbers(per + 1);
        let b: Segments<u64> = (100_000..100_000 + per as u64).collect();
        a.append(b);
        assert_eq!(a.len(), 2 * per + 1);
        let expected: Vec<u64> = (0..per as u64 + 1)
            .chain(100_000..100_000 + per as u64)
            .collect();
        assert!(a.iter().copied().eq(expected.iter().copied()));
        // An entry appended after that comes last, in no earlier segment.
        a.append(std::iter::once(7).collect());
        assert_eq!(a.into_iter().last(), Some(7));
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "Miri: lists of several 64 KiB segments take minutes (safe code; class_eager runs the split under Miri)"
    )]
    fn split_gives_even_contiguous_parts_with_their_first_index() {
        let per = Segments::<u64>::SEGMENT;
        let cases = [
            (0, 2),
            (5, 2),
            (12, 3), // fewer entries than a segment: still one part per worker
            (3000, 3),
            (per * 5 + 3, 2),
            (per * 5 + 3, 3),
            (per * 2, 8),
        ];
        for (n, parts) in cases {
            let split = numbers(n).split(parts);
            let size = n.div_ceil(parts).max(1);
            assert_eq!(split.len(), n.div_ceil(size).max(1), "{n} in {parts}");
            let last = split.len() - 1;
            let mut next = 0;
            for (i, (start, part)) in split.into_iter().enumerate() {
                assert_eq!(start, next, "{n} in {parts}");
                let len = part.len();
                if i < last {
                    assert_eq!(len, size, "{n} in {parts}: part {i} holds its share");
                }
                assert!(part.into_iter().eq(start as u64..(start + len) as u64));
                next += len;
            }
            assert_eq!(next, n, "{n} in {parts}: every entry in one part");
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "Miri: lists of several 64 KiB segments take minutes (safe code; class_eager runs the truncation under Miri)"
    )]
    fn truncate_keeps_the_first_entries_and_drops_empty_segments() {
        let per = Segments::<u64>::SEGMENT;
        for (n, keep) in [
            (0, 0),
            (5, 9),
            (5, 3),
            (per * 3, per),
            (per * 3, per + 1),
            (per * 3 + 2, 0),
        ] {
            let mut list = numbers(n);
            list.truncate(keep);
            let kept = keep.min(n);
            assert_eq!(list.len(), kept, "{n} to {keep}");
            assert_eq!(list.segments.len(), kept.div_ceil(per), "{n} to {keep}");
            assert!(list.iter().copied().eq(0..kept as u64), "{n} to {keep}");
            // What is appended goes on after the kept entries (as a part's
            // list, cut where the part stopped, is appended to the others').
            list.append(std::iter::once(u64::MAX).collect());
            assert_eq!(list.len(), kept + 1);
            assert_eq!(list.into_iter().last(), Some(u64::MAX));
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "Miri: lists of several 64 KiB segments take minutes (safe code; class_eager runs the filling under Miri)"
    )]
    fn a_filled_list_is_the_pushed_list() {
        let per = Segments::<u64>::SEGMENT;
        for n in [0, 1, per - 1, per, per + 1, per * 3 + 7] {
            let mut filling = Filling::new();
            for x in 0..n as u64 {
                filling.push(x);
                assert_eq!(filling.len() as u64, x + 1);
            }
            let list = filling.into_list();
            assert_eq!(list.len(), n, "{n}");
            assert_eq!(
                list.segments.len(),
                n.div_ceil(per),
                "{n}: only full segments before the last"
            );
            assert!(list.segments.iter().all(|s| s.capacity() == per), "{n}");
            assert!(list.iter().copied().eq(0..n as u64), "{n}");
            let runs: Vec<usize> = list.segments().map(<[u64]>::len).collect();
            assert_eq!(runs.iter().sum::<usize>(), n, "{n}");
        }
    }

    #[test]
    fn big_entries_get_one_per_segment() {
        assert_eq!(Segments::<[u8; SEGMENT_BYTES]>::SEGMENT, 1);
        assert_eq!(Segments::<()>::SEGMENT, 1);
    }
}
