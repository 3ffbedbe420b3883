//! Pinning a class's instances for an eager conversion, without a count per
//! instance.
//!
//! A conversion holds on to every instance it converts until its update
//! commits or rolls back: a rollback writes old values back into them. It
//! used to take a count on each (an `InstRef`), one locked instruction per
//! instance while the app is held and another when the update committed. It
//! now *pins the class* instead: while at least one [`PinGuard`] of a class
//! lives, the last handle's drop of any of its instances leaves the
//! instance in its slot (an *orphan*: count 0, value still there) and
//! records it here; the last guard to go frees the orphans. So a pointer to
//! an instance found alive after the pin was taken ([`Pinned`]) stays valid,
//! and points to the same instance, for as long as the guard lives.
//!
//! Why no drop is missed: the conversion stores the pin, then runs the
//! updater's heavy barrier (`fence.rs`), then reads each slot's count; a
//! drop stores its count's decrement, then its barrier (a compiler fence
//! where the heavy barrier is `membarrier`), then reads the pin — the same
//! Dekker pairing creations use with the eager epoch (`stale.rs`). So for
//! an instance whose count the walk saw above 0, the drop that takes the
//! count to 0 sees the pin. An instance whose count the walk saw at 0 is
//! being dropped or not yet published: the walk skips it (a creation racing
//! the conversion is converted by `stale.rs`).
//!
//! What the conversion wrote into an instance (its new value, or its old
//! one put back) under the instance's lock is visible to the free of that
//! instance, which takes no lock: an orphan is freed by the last guard,
//! after the conversion's threads are joined; a drop after the last guard
//! went reads the pin's 0 with `Acquire`, which the last unpin wrote with
//! `Release`. (A count held by the conversion used to give this order.)
//!
//! An orphan is not converted (no handle can reach it again), stays counted
//! in its version until it is freed, and keeps its slot: a class whose app
//! threads create and drop instances while an update that converted it is
//! not yet committed grows by those instances until then.

use std::ptr::NonNull;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use super::inst::{Inst, InstRef};
use super::record::ClassState;

/// A class's pins and the instances dropped while it was pinned.
pub(crate) struct Pins<T: ?Sized + 'static> {
    /// Guards alive: the one word a last-handle drop reads.
    held: AtomicU32,
    /// Instances whose last handle went while the class was pinned; written
    /// and emptied under this lock, which also orders the last unpin
    /// against the drops that re-check `held`.
    orphans: Mutex<Vec<Pinned<T>>>,
}

impl<T: ?Sized + 'static> Pins<T> {
    /// Not pinned, no orphan.
    pub(crate) fn new() -> Self {
        Pins {
            held: AtomicU32::new(0),
            orphans: Mutex::new(Vec::new()),
        }
    }

    /// Called by the last handle's drop of `inst`, after its decrement and
    /// the caller's half of the barrier: `true` if the class is pinned and
    /// `inst` was kept as an orphan (the caller must leave it alone).
    #[inline]
    pub(crate) fn keep(&self, inst: NonNull<Inst<T>>) -> bool {
        // `Acquire`: a 0 written by the last unpin makes what the
        // conversion wrote into this instance (its new value, under a lock
        // this drop does not take) visible to the free that follows.
        if self.held.load(Ordering::Acquire) == 0 {
            return false;
        }
        self.keep_slow(inst)
    }

    #[cold]
    #[inline(never)]
    fn keep_slow(&self, inst: NonNull<Inst<T>>) -> bool {
        let mut orphans = self.orphans.lock().unwrap_or_else(|e| e.into_inner());
        // Re-read under the lock: the last guard's unpin frees the orphans
        // it finds under it, so one pushed now is freed by it or a later one.
        if self.held.load(Ordering::Relaxed) == 0 {
            return false;
        }
        orphans.push(Pinned(inst));
        true
    }

    /// Instances kept as orphans now (for tests).
    #[cfg(test)]
    pub(crate) fn orphans(&self) -> usize {
        self.orphans.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// Keeps a class pinned (see module docs); dropping the last one frees the
/// orphans.
pub(crate) struct PinGuard<T: ?Sized + 'static> {
    state: &'static ClassState<T>,
}

impl<T: ?Sized + 'static> PinGuard<T> {
    /// Pins `state`. The caller must run the heavy barrier before it reads
    /// any slot's count (an eager conversion's `begin_eager` does).
    pub(crate) fn new(state: &'static ClassState<T>) -> Self {
        state.pins.held.fetch_add(1, Ordering::Relaxed);
        PinGuard { state }
    }

    /// `inst` as a pinned pointer: its count is let go, and the instance
    /// stays in its slot while this guard lives (an orphan if that was its
    /// last handle).
    pub(crate) fn pin(&self, inst: InstRef<T>) -> Pinned<T> {
        let ptr = inst.as_ptr();
        // The pin this guard holds happened before this call (the guard
        // was made, then handed here), and stays until the guard goes: a
        // last-handle drop here sees it and keeps the instance.
        drop(inst);
        Pinned(ptr)
    }
}

impl<T: ?Sized + 'static> Drop for PinGuard<T> {
    fn drop(&mut self) {
        let pins = &self.state.pins;
        let freed = {
            let mut orphans = pins.orphans.lock().unwrap_or_else(|e| e.into_inner());
            // `Release`: pairs with `keep`'s load (see there).
            if pins.held.fetch_sub(1, Ordering::Release) == 1 {
                std::mem::take(&mut *orphans)
            } else {
                Vec::new()
            }
        };
        for orphan in freed {
            // SAFETY: an orphan's count is 0 and stays 0 (upgrades skip 0),
            // and no other free of it can run: its drop left it here, and
            // it is taken out once, under the lock, by this last guard.
            unsafe { Inst::free(orphan.0) };
        }
    }
}

/// A pointer to an instance of a pinned class that was alive when taken.
///
/// Valid, and the same instance, while a [`PinGuard`] of its class taken
/// before it lives: every structure holding `Pinned`s (an eager conversion's
/// run, a rollback's helper thread) holds such a guard and lets it go last.
pub(crate) struct Pinned<T: ?Sized + 'static>(NonNull<Inst<T>>);

// SAFETY: as `InstRef`: it refers to a shared instance, whose mutable parts
// are atomics and a lock, with a `Send + Sync` value.
unsafe impl<T: ?Sized + Send + Sync + 'static> Send for Pinned<T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send + Sync + 'static> Sync for Pinned<T> {}

impl<T: ?Sized + 'static> Pinned<T> {
    /// A pointer to the instance in `slot`, if its count is not 0.
    ///
    /// # Safety
    /// `slot` must be a slot of a chunk of its class, and the class pinned
    /// since before the caller's heavy barrier, until the result's last use.
    #[inline]
    pub(crate) unsafe fn of_slot(slot: NonNull<Inst<T>>) -> Option<Pinned<T>> {
        // SAFETY: slots of chunks are initialised atomics (chunks are never
        // freed). `Acquire` pairs with the publishing store of the count:
        // the instance's fields are visible from here on.
        let alive = unsafe { Inst::count_of(slot).load(Ordering::Acquire) } != 0;
        alive.then_some(Pinned(slot))
    }

    /// A counted handle on it, unless it is an orphan by now.
    pub(crate) fn upgrade(&self) -> Option<InstRef<T>> {
        // SAFETY: a slot of a chunk (see the type's docs).
        unsafe { InstRef::upgrade_slot(self.0) }
    }

    /// Its address (for tests).
    #[cfg(test)]
    pub(crate) fn as_ptr(&self) -> NonNull<Inst<T>> {
        self.0
    }
}

impl<T: ?Sized + 'static> std::ops::Deref for Pinned<T> {
    type Target = Inst<T>;
    #[inline]
    fn deref(&self) -> &Inst<T> {
        // SAFETY: the instance stays in its slot while its class's guard
        // lives (see the type's docs).
        unsafe { self.0.as_ref() }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::super::chunk::{FREE, TAKEN};
    use super::PinGuard;

    trait Probe: std::any::Any + Send + Sync {
        fn get(&self) -> u32;
        fn set(&mut self, v: u32);
    }

    /// A value that counts its drops.
    struct Counted(u32, &'static AtomicUsize);
    impl Probe for Counted {
        fn get(&self) -> u32 {
            self.0
        }
        fn set(&mut self, v: u32) {
            self.0 = v;
        }
    }
    impl Drop for Counted {
        fn drop(&mut self) {
            self.1.fetch_add(1, Ordering::SeqCst);
        }
    }

    static KEPT_DROPS: AtomicUsize = AtomicUsize::new(0);
    crate::class!(static KEPT: dyn Probe, u32 = "PinKept", |v| Box::new(Counted(v, &KEPT_DROPS)));

    /// A last handle dropped while the class is pinned leaves its instance
    /// in its slot, counted and with its value, until the last of two
    /// guards goes; a creation meanwhile takes another slot.
    #[test]
    fn a_drop_while_pinned_keeps_the_instance_until_the_last_guard_goes() {
        let state = &KEPT.core().state;
        let tracked = KEPT.create(7);
        let slot = tracked.0.as_ptr();
        let (first, second) = (PinGuard::new(state), PinGuard::new(state));
        drop(tracked);
        // SAFETY: a slot of a chunk; the class is pinned, so the instance
        // is still there.
        let inst = unsafe { slot.as_ref() };
        assert_eq!(KEPT_DROPS.load(Ordering::SeqCst), 0, "the value is kept");
        assert_eq!(inst.slot_state().load(Ordering::SeqCst), TAKEN);
        assert_eq!(inst.read().get(), 7);
        assert_eq!(state.pins.orphans(), 1);
        assert_eq!(state.live_total(), 1, "still counted");
        let other = KEPT.create(8);
        assert_ne!(other.0.as_ptr(), slot, "the kept slot is not reused");
        drop(first);
        assert_eq!(KEPT_DROPS.load(Ordering::SeqCst), 0, "one guard left");
        drop(second);
        assert_eq!(
            KEPT_DROPS.load(Ordering::SeqCst),
            1,
            "freed with the last guard"
        );
        assert_eq!(inst.slot_state().load(Ordering::SeqCst), FREE);
        assert_eq!(state.pins.orphans(), 0);
        assert_eq!(state.live_total(), 1);
        drop(other);
        assert_eq!(
            KEPT_DROPS.load(Ordering::SeqCst),
            2,
            "unpinned: freed at once"
        );
        assert_eq!(state.live_total(), 0);
    }

    static RACED_DROPS: AtomicUsize = AtomicUsize::new(0);
    crate::class!(static RACED: dyn Probe, u32 = "PinRaced", |v| Box::new(Counted(v, &RACED_DROPS)));

    /// A walk of a pinned class, then writes through its pointers under
    /// each instance's write lock while another thread drops every handle
    /// and creates new instances: every pointer still reaches its own
    /// instance, and each value is dropped once, after the guard goes if
    /// its handle went while pinned (Miri checks the accesses).
    #[test]
    fn pinned_pointers_outlive_the_handles_dropped_meanwhile() {
        let n: u32 = if cfg!(miri) { 40 } else { 20_000 };
        let state = &RACED.core().state;
        let handles: Vec<_> = (0..n).map(|v| RACED.create(v)).collect();
        let pin = PinGuard::new(state);
        crate::runtime().fence.heavy();
        let pinned = state.population.pinned_all_on(2, &pin);
        assert_eq!(pinned.len(), n as usize);
        let churn = std::thread::spawn(move || {
            let fresh: Vec<_> = (0..n).map(|v| RACED.create(n + v)).collect();
            drop(handles);
            fresh
        });
        let mut seen = Vec::with_capacity(n as usize);
        for inst in pinned {
            let mut value = inst.write();
            let v = value.get();
            seen.push(v);
            value.set(v + 1_000_000);
        }
        let fresh = churn.join().unwrap();
        seen.sort_unstable();
        assert_eq!(seen, (0..n).collect::<Vec<_>>(), "each its own instance");
        assert_eq!(
            RACED_DROPS.load(Ordering::SeqCst),
            0,
            "all kept while pinned"
        );
        assert!(
            fresh
                .iter()
                .all(|t| t.read().get() >= n && t.read().get() < 2 * n)
        );
        drop(pin);
        assert_eq!(RACED_DROPS.load(Ordering::SeqCst), n as usize);
        assert_eq!(state.live_total(), u64::from(n));
        drop(fresh);
        assert_eq!(RACED_DROPS.load(Ordering::SeqCst), 2 * n as usize);
        assert_eq!(state.live_total(), 0);
    }
}
