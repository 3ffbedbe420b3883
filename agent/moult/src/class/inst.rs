//! One tracked instance and its reference counting.
//!
//! An instance lives in a slot of one of its class's chunks (`chunk.rs`),
//! which gives it its class (the chunk's header) and makes it enumerable
//! (conversions walk the chunks). Its count works as `Arc`'s strong count,
//! with no weak count: enumeration upgrades slots directly, only while the
//! count is not 0, and since chunks are never freed, looking at a slot whose
//! instance is gone (or was replaced by another) is harmless.
//!
//! Lifecycle of a slot: free (state word [`FREE`]) → taken by the thread
//! owning the chunk, which writes the version and value, then publishes the
//! instance with a release store of count 1 → handles come and go → the last
//! one's drop takes the value out, marks the slot free (release) and drops
//! the value. While an eager conversion pins the class, that last drop
//! leaves the instance in its slot instead, and the last pin frees it
//! (`pin.rs`). A slot's atomics are only ever written atomically, so
//! enumeration may read them at any time.

use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, Ordering};

use std::time::Instant;

use super::chunk::{Chunk, FREE, TAKEN};
use super::lock::{ReadLocked, ValueLock, WriteLocked};
use super::record::ClassState;

/// Strong counts beyond this abort the process (as `Arc` does past `isize::MAX`).
const MAX_REFS: u32 = i32::MAX as u32;

/// One instance, shared by its [`Tracked`](super::Tracked) handles: 32 bytes
/// for a `dyn` value (count, version, lock word, slot state, fat `Box`).
#[repr(C)]
pub(crate) struct Inst<T: ?Sized + 'static> {
    /// Handles ([`InstRef`]); the instance is gone when it reaches 0.
    strong: AtomicU32,
    /// Version of the current value. Changed only under the value's write
    /// lock, right after the mover moved the live count (every mover takes
    /// that lock). The one reader without it is the instance's own
    /// `drop_slow`, which runs when no handle is left, hence with no mover.
    pub(crate) version: AtomicU32,
    /// The value: boxed, since a conversion replaces it by another concrete
    /// type (and constructors return `Box<T>`). The lock's spare word is the
    /// slot's state ([`FREE`] or [`TAKEN`]).
    pub(crate) value: ValueLock<Box<T>>,
}

impl<T: ?Sized + 'static> Inst<T> {
    /// The slot's state: [`FREE`] or [`TAKEN`] (see `chunk.rs`).
    #[inline]
    pub(crate) fn slot_state(&self) -> &AtomicU32 {
        &self.value.spare
    }

    /// The value, for writing.
    #[inline]
    pub(crate) fn write(&self) -> WriteLocked<'_, Box<T>> {
        self.value.write()
    }

    /// The value, for reading.
    #[inline]
    pub(crate) fn read(&self) -> ReadLocked<'_, Box<T>> {
        self.value.read()
    }

    /// The value, for writing, if its lock is free now.
    #[inline]
    pub(crate) fn try_write(&self) -> Option<WriteLocked<'_, Box<T>>> {
        self.value.try_write()
    }

    /// The value, for writing, if its lock is free by `deadline`.
    pub(crate) fn write_until(&self, deadline: Instant) -> Option<WriteLocked<'_, Box<T>>> {
        self.value.write_until(deadline)
    }

    /// The count of the instance in `slot`.
    ///
    /// # Safety
    /// `slot` must be a slot of a chunk (its atomics are always initialised).
    #[inline]
    pub(crate) unsafe fn count_of<'a>(slot: NonNull<Inst<T>>) -> &'a AtomicU32 {
        // SAFETY: per the contract; chunks are never freed. A place
        // projection: no reference to the (maybe empty) value is made.
        unsafe { &(*slot.as_ptr()).strong }
    }

    /// Frees the instance in `slot`: its value out, the slot marked free,
    /// its version uncounted, then the value dropped.
    ///
    /// # Safety
    /// Its count must be 0 and every use of it by a handle over (their
    /// decrements acquired), and this must be its one free.
    pub(crate) unsafe fn free(slot: NonNull<Inst<T>>) {
        let class = Chunk::of(slot).class();
        // SAFETY: per the contract, this is the only access to the value
        // until the slot is marked free; the value was written by `publish`.
        let value = unsafe {
            let inst = slot.as_ref();
            let version = inst.version.load(Ordering::Relaxed);
            let value = inst.value.take();
            inst.slot_state().store(FREE, Ordering::Release);
            class.population.count(version, 1u64.wrapping_neg());
            value
        };
        drop(value); // user code: after the slot is given back
    }
}

/// A strong handle on an instance (what `Arc<Inst<T>>` was).
pub(crate) struct InstRef<T: ?Sized + 'static>(NonNull<Inst<T>>);

// SAFETY: as `Arc<Inst<T>>`: the instance is shared between threads, its
// mutable parts are atomics and a lock, and the value is `Send + Sync`.
unsafe impl<T: ?Sized + Send + Sync + 'static> Send for InstRef<T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send + Sync + 'static> Sync for InstRef<T> {}

impl<T: ?Sized + 'static> InstRef<T> {
    /// Publishes a new instance of `version` holding `value` in `slot`;
    /// returns its one handle.
    ///
    /// # Safety
    /// `slot` must be a free slot of a chunk of its class that only the
    /// caller writes (its chunk's owner).
    #[inline]
    pub(crate) unsafe fn publish(slot: NonNull<Inst<T>>, value: Box<T>, version: u32) -> Self {
        // SAFETY: the slot's atomics are initialised (zeroed or written);
        // the value cell is unoccupied (free slot) and nobody reads it
        // before the count, stored last with `Release`, says it is there.
        unsafe {
            let inst = slot.as_ref();
            inst.version.store(version, Ordering::Relaxed);
            inst.value.fill(value);
            inst.slot_state().store(TAKEN, Ordering::Relaxed);
            inst.strong.store(1, Ordering::Release);
        }
        InstRef(slot)
    }

    /// The instance's class (its chunk's).
    #[inline]
    pub(crate) fn class(&self) -> &'static ClassState<T> {
        Chunk::of(self.0).class()
    }

    /// The instance's address (the instance stays alive only while a
    /// handle does).
    pub(crate) fn as_ptr(&self) -> NonNull<Inst<T>> {
        self.0
    }

    /// `true` if both are the same instance.
    pub(crate) fn ptr_eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }

    /// A strong handle on the instance in slot `ptr`, unless the slot is
    /// free or its instance is being dropped.
    ///
    /// # Safety
    /// `ptr` must be a slot of a chunk (chunks are never freed).
    pub(crate) unsafe fn upgrade_slot(ptr: NonNull<Inst<T>>) -> Option<Self> {
        // SAFETY: per the contract, the memory is live and its atomics
        // initialised.
        let strong = unsafe { &ptr.as_ref().strong };
        // Not `then_some(InstRef(ptr))`: that builds the handle either way,
        // and dropping it when the upgrade failed decrements a count that is
        // already 0 (an instance being dropped), which wrapped it to u32::MAX.
        if upgrade(strong) {
            Some(InstRef(ptr))
        } else {
            None
        }
    }

    /// The count reached 0: free the instance, unless an eager conversion
    /// pinned its class (then it is left as an orphan, see `pin.rs`).
    #[inline(never)]
    fn drop_slow(&self) {
        let class = self.class();
        // The drop's half of the pairing with the pin (see `pin.rs`): the
        // decrement above, this barrier, then the pin's load.
        class.app_barrier();
        if class.pins.keep(self.0) {
            return;
        }
        // SAFETY: the count is 0, so no handle remains and none can be made
        // (upgrades skip 0), and this drop is the one that reached 0.
        unsafe { Inst::free(self.0) };
    }
}

/// Increments `strong` unless it is 0; `true` if it did.
fn upgrade(strong: &AtomicU32) -> bool {
    let mut n = strong.load(Ordering::Relaxed);
    loop {
        if n == 0 {
            return false;
        }
        if n >= MAX_REFS {
            std::process::abort();
        }
        match strong.compare_exchange_weak(n, n + 1, Ordering::Acquire, Ordering::Relaxed) {
            Ok(_) => return true,
            Err(now) => n = now,
        }
    }
}

/// Makes every other handle's use of the instance happen before it is freed
/// (their `Release` decrements of `strong`), as `Arc`'s drop does.
///
/// An `Acquire` fence is enough and cheapest, but ThreadSanitizer does not
/// model standalone fences and reports a race on the freed memory; under it
/// an `Acquire` load of the counter does the same (std's `Arc` does likewise).
/// Stable Rust cannot test `cfg(sanitize = "thread")` (an unstable cfg), so a
/// ThreadSanitizer build sets `--cfg moult_tsan` next to the sanitizer:
/// `RUSTFLAGS="-Zsanitizer=thread --cfg moult_tsan"` (declared to check-cfg in
/// this crate's `Cargo.toml`).
#[inline(always)]
fn acquire_all_drops(strong: &AtomicU32) {
    #[cfg(not(moult_tsan))]
    {
        let _ = strong;
        std::sync::atomic::fence(Ordering::Acquire);
    }
    #[cfg(moult_tsan)]
    {
        strong.load(Ordering::Acquire);
    }
}

impl<T: ?Sized + 'static> Deref for InstRef<T> {
    type Target = Inst<T>;
    #[inline]
    fn deref(&self) -> &Inst<T> {
        // SAFETY: a strong handle keeps the memory (and the value) alive.
        unsafe { self.0.as_ref() }
    }
}

impl<T: ?Sized + 'static> Clone for InstRef<T> {
    #[inline]
    fn clone(&self) -> Self {
        if self.strong.fetch_add(1, Ordering::Relaxed) >= MAX_REFS {
            std::process::abort();
        }
        InstRef(self.0)
    }
}

impl<T: ?Sized + 'static> Drop for InstRef<T> {
    #[inline]
    fn drop(&mut self) {
        if self.strong.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        acquire_all_drops(&self.strong);
        self.drop_slow();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::InstRef;

    trait Probe: std::any::Any + Send + Sync {}
    impl Probe for u32 {}

    crate::class!(static PROBES: dyn Probe, u32 = "Probe", |v| Box::new(v));

    /// An enumeration meeting an instance whose last handle is being dropped
    /// (count 0, still in its slot) skips it and leaves its count at 0: the
    /// count wrapped to u32::MAX, and a later enumeration aborted the
    /// process on it (seen in the `class_interleave` test).
    #[test]
    fn a_failed_upgrade_leaves_a_dying_instance_alone() {
        let tracked = PROBES.create(7);
        let ptr = tracked.0.as_ptr();
        // SAFETY: `tracked` keeps the instance alive throughout.
        let strong = unsafe { &ptr.as_ref().strong };
        strong.store(0, Ordering::SeqCst); // as if its last handle were dropping
        // SAFETY: a slot of a chunk.
        let upgraded = unsafe { InstRef::upgrade_slot(ptr) };
        assert!(upgraded.is_none());
        assert_eq!(
            strong.load(Ordering::SeqCst),
            0,
            "the dying instance's count is untouched"
        );
        strong.store(1, Ordering::SeqCst); // give `tracked` its handle back
    }

    /// What one instance costs beyond its value (nothing else holds it; its
    /// chunk's header is shared by all its slots): count 4 + version 4 +
    /// lock word 4 + slot state 4 + `Box<dyn _>` 16.
    #[test]
    fn an_instance_is_32_bytes() {
        trait Api: Send + Sync {}
        assert_eq!(std::mem::size_of::<super::Inst<dyn Api>>(), 32);
    }
}
