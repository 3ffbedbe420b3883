//! What an eager conversion's pass did, for its commit or rollback
//! ([`Done`]), and what one of its parts has done so far ([`Doing`]).

use super::pin::Pinned;
use super::restore::Converted;
use super::segments::{Filling, Segments};

/// The instances a pass went through and, at the same indices, their old
/// values (`None` where it left the instance as it was): apart, because on
/// commit the instances are let go at once (with the pin, so that counts
/// stay exact) while the values go to a helper thread.
///
/// The instances are the pass's own snapshot, kept as it was walked, not
/// copied into a list of converted ones: that list cost 16 bytes written
/// per instance while the app is held (BENCHMARKS.md, "conversion").
/// Both are in segments (`segments.rs`): as long as the class, they must
/// not be allocations the size of the class.
pub(crate) struct Done<T: ?Sized + 'static> {
    /// Instances passed, in snapshot order (valid while the conversion's
    /// pin lives).
    pub(crate) insts: Segments<Pinned<T>>,
    /// The `i`-th instance's old value, if the pass converted it.
    pub(crate) olds: Segments<Option<Box<T>>>,
    /// The versions converted instances came from, as runs: `(i, v)` means
    /// from the `i`-th instance on, up to the next run, they came from `v`
    /// (nearly always one run: converted instances share their version).
    froms: Vec<(usize, u32)>,
    /// How many were converted (the `Some`s of `olds`).
    converted: usize,
    /// How many came from each version (for the log: no second pass over
    /// the instances while the app is held).
    pub(crate) from_counts: Vec<(u32, u64)>,
}

impl<T: ?Sized + 'static> Default for Done<T> {
    /// Nothing passed yet.
    fn default() -> Self {
        Done {
            insts: Segments::new(),
            olds: Segments::new(),
            froms: Vec::new(),
            converted: 0,
            from_counts: Vec::new(),
        }
    }
}

/// What a part has done so far. Its loop keeps it in a local and its
/// methods are inlined, so that recording an instance touches no list on
/// the heap but the segment being filled (`Filling`); sealed into a
/// [`Done`] at the end of the part.
pub(super) struct Doing<T: ?Sized + 'static> {
    /// The `i`-th instance's old value, if the part converted it.
    olds: Filling<Option<Box<T>>>,
    /// As [`Done::froms`].
    froms: Vec<(usize, u32)>,
    /// The version of the last run in `froms` (`None` before the first).
    last_from: Option<u32>,
    /// How many were converted.
    converted: usize,
}

impl<T: ?Sized + 'static> Doing<T> {
    /// Nothing passed yet.
    pub(super) fn new() -> Self {
        Doing {
            olds: Filling::new(),
            froms: Vec::new(),
            last_from: None,
            converted: 0,
        }
    }

    /// How many instances were passed.
    #[inline]
    pub(super) fn passed_count(&self) -> usize {
        self.olds.len()
    }

    /// The next instance was converted from value `old` of version `from`.
    #[inline]
    pub(super) fn converted(&mut self, old: Box<T>, from: u32) {
        if self.last_from != Some(from) {
            self.froms.push((self.olds.len(), from));
            self.last_from = Some(from);
        }
        self.olds.push(Some(old));
        self.converted += 1;
    }

    /// The next instance was left as it was.
    #[inline]
    pub(super) fn passed(&mut self) {
        self.olds.push(None);
    }

    /// What the part did: `insts` are the instances it passed (as many
    /// as it recorded), `from_counts` its counts per version.
    pub(super) fn into_done(
        self,
        insts: Segments<Pinned<T>>,
        from_counts: Vec<(u32, u64)>,
    ) -> Done<T> {
        let olds = self.olds.into_list();
        debug_assert_eq!(insts.len(), olds.len(), "one entry per instance passed");
        Done {
            insts,
            olds,
            froms: self.froms,
            converted: self.converted,
            from_counts,
        }
    }
}

impl<T: ?Sized + 'static> Done<T> {
    /// Appends `other`'s instances after these.
    pub(super) fn append(&mut self, other: Done<T>) {
        let offset = self.olds.len();
        self.froms
            .extend(other.froms.into_iter().map(|(i, v)| (i + offset, v)));
        self.insts.append(other.insts);
        self.olds.append(other.olds);
        self.converted += other.converted;
        for (from, n) in other.from_counts {
            count_into(&mut self.from_counts, from, n);
        }
    }

    /// How many were converted.
    pub(crate) fn len(&self) -> usize {
        self.converted
    }

    /// As a rollback takes them: the converted ones, each with its old
    /// value and version.
    pub(crate) fn into_converted(self) -> Vec<Converted<T>> {
        debug_assert_eq!(self.insts.len(), self.olds.len(), "one entry per instance");
        let mut runs = self.froms.into_iter().peekable();
        let mut from = 0;
        let mut converted = Vec::with_capacity(self.converted);
        for (i, (inst, old)) in self.insts.into_iter().zip(self.olds).enumerate() {
            while let Some(&(start, v)) = runs.peek()
                && start <= i
            {
                from = v;
                runs.next();
            }
            if let Some(old) = old {
                converted.push((inst, old, from));
            }
        }
        converted
    }
}

/// Adds `n` to `from`'s count in `counts` (a short list: the versions
/// converted instances came from, nearly always one; the last one first).
#[inline]
pub(super) fn count_into(counts: &mut Vec<(u32, u64)>, from: u32, n: u64) {
    match counts.iter_mut().rev().find(|m| m.0 == from) {
        Some(m) => m.1 += n,
        None => counts.push((from, n)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::pin::PinGuard;
    use super::*;

    trait Probe: std::any::Any + Send + Sync {
        fn n(&self) -> u32;
    }
    impl Probe for u32 {
        fn n(&self) -> u32 {
            *self
        }
    }

    crate::class!(static RUNS: dyn Probe, u32 = "Runs", |v| Box::new(v));

    /// A rollback gets each converted instance back with its own old value
    /// and version, whatever runs of versions the parts made (a run going
    /// on across two parts included), and no instance the pass left alone.
    #[test]
    fn converted_instances_come_back_with_their_own_old_versions() {
        // The version each instance came from; `None`: left as it was.
        let plan = [
            Some(0),
            Some(0),
            None,
            Some(1),
            Some(1),
            Some(0),
            // the second part: its first run goes on from the first's last
            Some(0),
            None,
            Some(2),
            Some(2),
            None,
            Some(0),
        ];
        let live: Vec<_> = (0..plan.len() as u32).map(|v| RUNS.create(v)).collect();
        let state = &RUNS.core().state;
        let pin = PinGuard::new(state);
        crate::runtime().fence.heavy();
        let addresses: Vec<_> = state
            .population
            .pinned_all_on(1, &pin)
            .into_iter()
            .map(|p| p.as_ptr())
            .collect();
        let parts = state.population.pinned_all_on(1, &pin).split(2);
        assert_eq!(parts.len(), 2);
        let mut whole: Done<dyn Probe> = Done::default();
        for (start, part) in parts {
            let mut doing: Doing<dyn Probe> = Doing::new();
            for (i, from) in plan.iter().enumerate().skip(start).take(part.len()) {
                match *from {
                    Some(v) => doing.converted(Box::new(1000 + i as u32) as Box<dyn Probe>, v),
                    None => doing.passed(),
                }
            }
            whole.append(doing.into_done(part, Vec::new()));
        }
        let converted = plan.iter().filter(|p| p.is_some()).count();
        assert_eq!(whole.len(), converted);
        let back = whole.into_converted();
        let expected: Vec<_> = plan
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (addresses[i], 1000 + i as u32, v)))
            .collect();
        let got: Vec<_> = back
            .iter()
            .map(|(inst, old, from)| (inst.as_ptr(), old.n(), *from))
            .collect();
        assert_eq!(got, expected);
        drop(back);
        drop(pin);
        drop(live);
    }
}
