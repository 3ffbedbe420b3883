//! The bookkeeping of one class: its versions and the names of the concrete
//! types it knows ([`Meta`], under one lock), and its live instances with
//! their counts per version, striped over [`SHARDS`] independently locked
//! [`Shard`]s so that threads creating and dropping instances at once do not
//! contend on one mutex. A thread registers its instances in its home shard
//! (threads are spread over shards round-robin); an instance stays in its
//! shard for life, so its slot names the shard. Counts stay exact: every
//! create, drop and conversion updates its shard's count under the shard's
//! lock, and a total is summed with every shard locked.

use std::any::TypeId;
use std::cell::Cell;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::inst::{Inst, InstRef};

/// How many shards a class stripes its instances over (a power of two).
pub(crate) const SHARDS: usize = 8;
const SHARD_BITS: u32 = SHARDS.trailing_zeros();

/// Versions by number (0 = compiled-in) and type names.
pub(crate) struct Meta {
    /// Concrete type of each version's values, learnt from the first value
    /// seen (a constructor or transformer cannot be asked without calling it).
    versions: Vec<Option<TypeId>>,
    /// Names of concrete types declared by the app or updates, for the console.
    type_names: Vec<(TypeId, &'static str)>,
}

impl Meta {
    /// An empty class whose version 0 has type `v0` if known.
    pub(crate) fn new(v0: Option<(TypeId, &'static str)>) -> Self {
        Meta {
            versions: vec![v0.map(|(t, _)| t)],
            type_names: v0.into_iter().collect(),
        }
    }

    /// How many versions.
    pub(crate) fn len(&self) -> u32 {
        self.versions.len() as u32
    }

    /// Records that `version`'s values have type `type_id`, if not known yet.
    pub(crate) fn learn(&mut self, version: u32, type_id: TypeId) {
        self.versions[version as usize].get_or_insert(type_id);
    }

    /// `true` if `version`'s type is not known yet.
    pub(crate) fn unlearnt(&self, version: u32) -> bool {
        self.versions[version as usize].is_none()
    }

    /// The newest version whose values have type `type_id`.
    pub(crate) fn version_of_type(&self, type_id: TypeId) -> Option<u32> {
        self.versions
            .iter()
            .rposition(|v| *v == Some(type_id))
            .map(|v| v as u32)
    }

    /// Adds a version (no instance yet); returns its number.
    pub(crate) fn push_version(&mut self, type_id: Option<TypeId>) -> u32 {
        self.versions.push(type_id);
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
        match self.versions[version as usize] {
            None => "(no value yet)".into(),
            Some(t) => match self.type_names.iter().find(|(n, _)| *n == t) {
                Some((_, name)) => (*name).into(),
                None => format!("unnamed {t:?}"),
            },
        }
    }
}

/// Some of a class's live instances, and their counts per version.
pub(crate) struct Shard<T: ?Sized + 'static> {
    /// Instances by index; `None` marks a free index. An instance leaves
    /// before its memory is freed (see `inst.rs`).
    entries: Vec<Option<NonNull<Inst<T>>>>,
    /// Free indices, reused before the vector grows.
    free: Vec<u32>,
    /// Live instances of this shard by version (grown on demand).
    live: Vec<u64>,
}

// SAFETY: the shard only holds addresses of instances, shared between
// threads as `InstRef`s are (values `Send + Sync`); used only under its lock.
unsafe impl<T: ?Sized + Send + Sync + 'static> Send for Shard<T> {}

impl<T: ?Sized + 'static> Shard<T> {
    fn count(&mut self, version: u32) -> &mut u64 {
        let v = version as usize;
        if self.live.len() <= v {
            self.live.resize(v + 1, 0);
        }
        &mut self.live[v]
    }

    /// Live instances of `version` in this shard (wrapped below 0 while a
    /// batch of moves is on its way: see [`Shard::moved`]).
    pub(crate) fn live(&self, version: u32) -> u64 {
        self.live.get(version as usize).copied().unwrap_or(0)
    }

    /// Registers a live instance of `version`; returns its index.
    fn insert(&mut self, inst: NonNull<Inst<T>>, version: u32) -> u32 {
        *self.count(version) += 1;
        match self.free.pop() {
            Some(i) => {
                self.entries[i as usize] = Some(inst);
                i
            }
            None => {
                let i = self.entries.len() as u32;
                assert!(i < (u32::MAX >> SHARD_BITS), "too many tracked instances");
                self.entries.push(Some(inst));
                i
            }
        }
    }

    /// `n` instances of this shard went from version `from` to version `to`.
    ///
    /// Wrapping: an eager conversion's workers move counts in batches after
    /// the versions (see `eager_pass.rs`), so a mover of the same instance
    /// in between (a `set`, a lazy step) may take it from `to` before the
    /// batch adds it there; the sum is exact again when the batch lands.
    pub(crate) fn moved(&mut self, from: u32, to: u32, n: u64) {
        let c = self.count(from);
        *c = c.wrapping_sub(n);
        let c = self.count(to);
        *c = c.wrapping_add(n);
    }

    /// Strong handles on this shard's live instances (those being dropped
    /// are skipped), appended to `out`. The caller drops them *after*
    /// releasing the lock: dropping the last handle takes it.
    fn upgrade_into(&self, out: &mut Vec<InstRef<T>>) {
        out.extend(self.entries.iter().flatten().filter_map(|&p| {
            // SAFETY: `p` is in the shard, whose lock `&self` is borrowed from.
            unsafe { InstRef::upgrade_in_shard(p) }
        }));
    }
}

/// The shard an instance's slot names.
pub(crate) fn shard_of(slot: u32) -> usize {
    slot as usize & (SHARDS - 1)
}

/// A sum of shard counts, any of which may be wrapped below 0 for a moment
/// (see [`Shard::moved`]); such a transient reads as 0, not as 2^64 − 1.
pub(crate) fn total(counts: impl Iterator<Item = u64>) -> u64 {
    let sum = counts.fold(0u64, u64::wrapping_add);
    if sum > i64::MAX as u64 { 0 } else { sum }
}

/// One shard and its lock, alone on its cache lines.
#[repr(align(128))]
struct Padded<T: ?Sized + 'static>(Mutex<Shard<T>>);

/// A class's instances, striped over [`SHARDS`] shards.
pub(crate) struct Shards<T: ?Sized + 'static>([Padded<T>; SHARDS]);

thread_local! {
    /// This thread's home shard (`usize::MAX`: not chosen yet).
    static HOME: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// Threads get home shards round-robin.
static NEXT_HOME: AtomicUsize = AtomicUsize::new(0);

fn home() -> usize {
    HOME.with(|h| {
        let mut i = h.get();
        if i == usize::MAX {
            i = NEXT_HOME.fetch_add(1, Ordering::Relaxed) % SHARDS;
            h.set(i);
        }
        i
    })
}

impl<T: ?Sized + 'static> Shards<T> {
    /// No instance yet.
    pub(crate) fn new() -> Self {
        Shards(std::array::from_fn(|_| {
            Padded(Mutex::new(Shard {
                entries: Vec::new(),
                free: Vec::new(),
                live: Vec::new(),
            }))
        }))
    }

    fn lock(&self, shard: usize) -> MutexGuard<'_, Shard<T>> {
        self.0[shard].0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The shard of the instance in `slot`, locked.
    pub(crate) fn lock_slot(&self, slot: u32) -> MutexGuard<'_, Shard<T>> {
        self.lock(shard_of(slot))
    }

    /// Shard `shard`, locked (see [`shard_of`]).
    pub(crate) fn lock_shard(&self, shard: usize) -> MutexGuard<'_, Shard<T>> {
        self.lock(shard)
    }

    /// Registers a live instance of `version` in this thread's home shard,
    /// and sets its slot before the shard's lock is released (the slot says
    /// which shard counts it as soon as enumeration can see it).
    pub(crate) fn insert(&self, inst: NonNull<Inst<T>>, version: u32) {
        self.insert_if(inst, version, || true);
    }

    /// [`Shards::insert`] if `still` says so under the shard's lock (so that
    /// an enumeration of that shard is either before the registration or
    /// after `still` was asked); `false`, and nothing registered, otherwise.
    pub(crate) fn insert_if(
        &self,
        inst: NonNull<Inst<T>>,
        version: u32,
        still: impl FnOnce() -> bool,
    ) -> bool {
        let shard = home();
        let mut locked = self.lock(shard);
        if !still() {
            return false;
        }
        let i = locked.insert(inst, version);
        // SAFETY: the caller's strong handle keeps `inst` alive.
        let inst = unsafe { inst.as_ref() };
        inst.slot()
            .store((i << SHARD_BITS) | shard as u32, Ordering::Release);
        true
    }

    /// Forgets the instance in `slot`, which held a value of `version`.
    pub(crate) fn remove(&self, slot: u32, version: u32) {
        let i = slot >> SHARD_BITS;
        let mut shard = self.lock_slot(slot);
        if let Some(entry) = shard.entries.get_mut(i as usize)
            && entry.take().is_some()
        {
            shard.free.push(i);
            let c = shard.count(version);
            *c = c.wrapping_sub(1);
        }
    }

    /// Every shard, locked (in order: the only way several are held).
    pub(crate) fn lock_all(&self) -> Vec<MutexGuard<'_, Shard<T>>> {
        (0..SHARDS).map(|s| self.lock(s)).collect()
    }

    /// Strong handles on every live instance; the caller must hold no shard
    /// lock when it drops them.
    pub(crate) fn upgrade_all(&self) -> Vec<InstRef<T>> {
        let mut out = Vec::new();
        for s in 0..SHARDS {
            self.lock(s).upgrade_into(&mut out);
        }
        out
    }

    /// Live instances of versions `from..to`, summed with every shard locked.
    pub(crate) fn live_between(&self, from: u32, to: u32) -> u64 {
        let all = self.lock_all();
        (from..to)
            .map(|v| total(all.iter().map(|s| s.live(v))))
            .sum()
    }
}
