//! One tracked instance and its reference counting.
//!
//! `std::sync::Arc` would do, but its class's shard (`slab.rs`) would then
//! hold a `Weak` per instance: a second 8-byte counter in every instance, and
//! three more atomic read-modify-writes per create + drop (downgrade, and two
//! weak decrements). Here the shard holds a plain pointer instead, made safe
//! by one rule: **an instance leaves its shard, under the shard's lock,
//! before its memory is freed**, and the shard upgrades its pointers only
//! under that lock, and only while the count is not zero (as `Weak::upgrade`).
//! There are no weak handles at all: the only other holder, a lazy
//! conversion's rollback journal, holds strong ones (see `lazy.rs`).

use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, Ordering};

use std::time::Instant;

use super::lock::{ReadLocked, ValueLock, WriteLocked};

use super::record::ClassState;

/// Strong counts beyond this abort the process (as `Arc` does past `isize::MAX`).
const MAX_REFS: u32 = i32::MAX as u32;

/// One instance, shared by its [`Tracked`](super::Tracked) handles.
pub(crate) struct Inst<T: ?Sized + 'static> {
    /// Handles ([`InstRef`]); the instance is freed when it reaches 0.
    strong: AtomicU32,
    /// Version of the current value. Changed only under the value's write
    /// lock, right after the instance's shard moved its count under the
    /// shard's lock (`ClassState::move_to`), so every mover sees the count
    /// and the version agree. The one reader without that lock is the
    /// instance's own `drop_slow`, which runs when no handle is left, hence
    /// with no mover (a mover holds a handle).
    pub(crate) version: AtomicU32,
    /// Its class (in the app's heap, lives forever).
    pub(crate) class: &'static ClassState<T>,
    /// The value: boxed, since a conversion replaces it by another concrete
    /// type (and constructors return `Box<T>`). The lock's spare word is the
    /// instance's slot in its class's table ([`Inst::slot`]).
    pub(crate) value: ValueLock<Box<T>>,
}

impl<T: ?Sized + 'static> Inst<T> {
    /// Slot in the class's instance table (`u32::MAX`: not registered).
    #[inline]
    pub(crate) fn slot(&self) -> &AtomicU32 {
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
}

/// A strong handle on an instance (what `Arc<Inst<T>>` was).
pub(crate) struct InstRef<T: ?Sized + 'static>(NonNull<Inst<T>>);

// SAFETY: as `Arc<Inst<T>>`: the instance is shared between threads, its
// mutable parts are atomics and a lock, and the value is `Send + Sync`.
unsafe impl<T: ?Sized + Send + Sync + 'static> Send for InstRef<T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send + Sync + 'static> Sync for InstRef<T> {}

impl<T: ?Sized + 'static> InstRef<T> {
    /// A new instance (one strong handle, not registered in its class yet:
    /// version 0, no slot).
    pub(crate) fn new(class: &'static ClassState<T>, value: Box<T>) -> Self {
        let inst = Box::new(Inst {
            strong: AtomicU32::new(1),
            version: AtomicU32::new(0),
            class,
            value: ValueLock::new(value, u32::MAX),
        });
        InstRef(NonNull::from(Box::leak(inst)))
    }

    /// The instance's address (what its class's shard keeps).
    pub(crate) fn as_ptr(&self) -> NonNull<Inst<T>> {
        self.0
    }

    /// `true` if both are the same instance.
    pub(crate) fn ptr_eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }

    /// A strong handle on the instance at `ptr` unless it is being dropped.
    ///
    /// # Safety
    /// `ptr` must be in its class's shard and the caller must hold that shard's
    /// lock (so the memory cannot be freed meanwhile: see module docs).
    pub(crate) unsafe fn upgrade_in_shard(ptr: NonNull<Inst<T>>) -> Option<Self> {
        // SAFETY: per the contract, the memory is live.
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

    /// The count reached 0: unregister, then free the instance and its value.
    #[inline(never)]
    fn drop_slow(&self) {
        let ptr = self.0.as_ptr();
        // SAFETY: no handle remains and none can be made (the shard skips
        // instances whose count is 0), so once out of the shard this is the
        // only access; the memory is a leaked `Box` from `new`.
        unsafe {
            let slot = (*ptr).slot().load(Ordering::Acquire);
            if slot != u32::MAX {
                let version = (*ptr).version.load(Ordering::Acquire);
                (*ptr).class.shards.remove(slot, version);
            }
            drop(Box::from_raw(ptr));
        }
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
    /// (count 0, still in its shard) skips it and leaves its count at 0: the
    /// count wrapped to u32::MAX, and a later enumeration aborted the
    /// process on it (seen in the `class_interleave` test).
    #[test]
    fn a_failed_upgrade_leaves_a_dying_instance_alone() {
        let tracked = PROBES.create(7);
        let ptr = tracked.0.as_ptr();
        // SAFETY: `tracked` keeps the instance alive throughout.
        let strong = unsafe { &ptr.as_ref().strong };
        strong.store(0, Ordering::SeqCst); // as if its last handle were dropping
        // SAFETY: the instance is live (held by `tracked`), as the shard's
        // lock would guarantee.
        let upgraded = unsafe { InstRef::upgrade_in_shard(ptr) };
        assert!(upgraded.is_none());
        assert_eq!(
            strong.load(Ordering::SeqCst),
            0,
            "the dying instance's count is untouched"
        );
        strong.store(1, Ordering::SeqCst); // give `tracked` its handle back
    }

    /// What one instance costs beyond its value (its shard adds 8 bytes):
    /// count 4 + version 4 + class 8 + lock word 4 + slot 4 + `Box<dyn _>` 16.
    #[test]
    fn an_instance_is_40_bytes() {
        trait Api: Send + Sync {}
        assert_eq!(std::mem::size_of::<super::Inst<dyn Api>>(), 40);
    }
}
