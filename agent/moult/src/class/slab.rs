//! The bookkeeping of one class under one short lock: its live instances
//! (so they can be enumerated), its versions and their live counts (kept up to
//! date on every create, drop and conversion), and the names of the concrete
//! types it knows.

use std::any::TypeId;
use std::ptr::NonNull;

use super::inst::{Inst, InstRef};

/// One version of a class (a "generation": a conversion always makes a new one).
pub(crate) struct VersionRec {
    /// Concrete type of this version's values, learnt from the first value
    /// seen (a constructor or transformer cannot be asked without calling it).
    pub(crate) type_id: Option<TypeId>,
    /// Live instances holding a value of this version.
    pub(crate) live: u64,
}

/// Instances, versions and counts of one class.
pub(crate) struct Slab<T: ?Sized + 'static> {
    /// Every live instance, by slot; `None` marks a free slot. An instance
    /// leaves before its memory is freed (see `inst.rs`).
    entries: Vec<Option<NonNull<Inst<T>>>>,
    /// Free slots, reused before the vector grows.
    free: Vec<u32>,
    /// Versions by number (0 = compiled-in).
    pub(crate) versions: Vec<VersionRec>,
    /// Names of concrete types declared by the app or updates, for the console.
    type_names: Vec<(TypeId, &'static str)>,
    /// Sum of `live` over versions.
    pub(crate) live_total: u64,
}

impl<T: ?Sized + 'static> Slab<T> {
    /// An empty class whose version 0 has type `v0` if known.
    pub(crate) fn new(v0: Option<(TypeId, &'static str)>) -> Self {
        Slab {
            entries: Vec::new(),
            free: Vec::new(),
            versions: vec![VersionRec {
                type_id: v0.map(|(t, _)| t),
                live: 0,
            }],
            type_names: v0.into_iter().collect(),
            live_total: 0,
        }
    }

    /// Registers a live instance of `version`; returns its slot.
    pub(crate) fn insert(&mut self, inst: NonNull<Inst<T>>, version: u32) -> u32 {
        self.versions[version as usize].live += 1;
        self.live_total += 1;
        match self.free.pop() {
            Some(slot) => {
                self.entries[slot as usize] = Some(inst);
                slot
            }
            None => {
                self.entries.push(Some(inst));
                (self.entries.len() - 1) as u32
            }
        }
    }

    /// Forgets the instance in `slot`, which held a value of `version`.
    pub(crate) fn remove(&mut self, slot: u32, version: u32) {
        if let Some(entry) = self.entries.get_mut(slot as usize)
            && entry.take().is_some()
        {
            self.free.push(slot);
            self.versions[version as usize].live -= 1;
            self.live_total -= 1;
        }
    }

    /// One instance went from version `from` to version `to`.
    pub(crate) fn moved(&mut self, from: u32, to: u32) {
        self.versions[from as usize].live -= 1;
        self.versions[to as usize].live += 1;
    }

    /// Live instances of versions `from..to`.
    pub(crate) fn live_between(&self, from: u32, to: u32) -> u64 {
        self.versions[from as usize..to as usize]
            .iter()
            .map(|v| v.live)
            .sum()
    }

    /// Records that `version`'s values have type `type_id`, if not known yet.
    pub(crate) fn learn(&mut self, version: u32, type_id: TypeId) {
        let rec = &mut self.versions[version as usize];
        if rec.type_id.is_none() {
            rec.type_id = Some(type_id);
        }
    }

    /// `true` if `version`'s type is not known yet.
    pub(crate) fn unlearnt(&self, version: u32) -> bool {
        self.versions[version as usize].type_id.is_none()
    }

    /// The newest version whose values have type `type_id`.
    pub(crate) fn version_of_type(&self, type_id: TypeId) -> Option<u32> {
        self.versions
            .iter()
            .rposition(|v| v.type_id == Some(type_id))
            .map(|v| v as u32)
    }

    /// Adds a version (no instance yet); returns its number.
    pub(crate) fn push_version(&mut self, type_id: Option<TypeId>) -> u32 {
        self.versions.push(VersionRec { type_id, live: 0 });
        (self.versions.len() - 1) as u32
    }

    /// Remembers the name of a concrete type (first declaration wins).
    pub(crate) fn name_type(&mut self, type_id: TypeId, name: &'static str) {
        if !self.type_names.iter().any(|(t, _)| *t == type_id) {
            self.type_names.push((type_id, name));
        }
    }

    /// What the console shows as `version`'s type.
    pub(crate) fn type_name(&self, version: u32) -> String {
        match self.versions[version as usize].type_id {
            None => "(no value yet)".into(),
            Some(t) => match self.type_names.iter().find(|(n, _)| *n == t) {
                Some((_, name)) => (*name).into(),
                None => format!("unnamed {t:?}"),
            },
        }
    }

    /// Strong handles on every live instance (those being dropped are skipped).
    ///
    /// The caller must drop them *after* releasing the slab lock: dropping the
    /// last handle of an instance takes that lock.
    pub(crate) fn upgrade_all(&self) -> Vec<InstRef<T>> {
        let mut out = Vec::with_capacity(self.live_total as usize);
        out.extend(self.entries.iter().flatten().filter_map(|&p| {
            // SAFETY: `p` is in the slab, whose lock `&self` is borrowed from.
            unsafe { InstRef::upgrade_in_slab(p) }
        }));
        out
    }
}

// SAFETY: the slab only holds addresses of instances, shared between threads
// as `InstRef`s are (values `Send + Sync`); it is only used under its lock.
unsafe impl<T: ?Sized + Send + Sync + 'static> Send for Slab<T> {}
