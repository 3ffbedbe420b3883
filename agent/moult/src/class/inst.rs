//! One tracked instance and its reference counting.
//!
//! `std::sync::Arc` would do, but its class's slab would then hold a `Weak`
//! per instance: a second 8-byte counter in every instance, and three more
//! atomic read-modify-writes per create + drop (downgrade, and two weak
//! decrements). Here the slab holds a plain pointer instead, made safe by one
//! rule: **an instance leaves its class's slab, under the slab lock, before
//! its memory is freed**, and the slab upgrades its pointers only under that
//! lock, and only while the strong count is not zero (as `Weak::upgrade`).
//! A weak count remains for the rare holders of a weak handle (a lazy
//! conversion's rollback journal), 4 bytes like the strong count.

use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, Ordering, fence};

use super::lock::{ReadLocked, ValueLock, WriteLocked};

use super::record::ClassState;

/// Strong counts beyond this abort the process (as `Arc` does past `isize::MAX`).
const MAX_REFS: u32 = i32::MAX as u32;

/// One instance, shared by its [`Tracked`](super::Tracked) handles.
pub(crate) struct Inst<T: ?Sized + 'static> {
    /// Strong handles ([`InstRef`]); the value is dropped when it reaches 0.
    strong: AtomicU32,
    /// Weak handles ([`InstWeak`]) plus one held by all strong ones together;
    /// the memory is freed when it reaches 0.
    weak: AtomicU32,
    /// Version of the current value; changed only under the value's write
    /// lock *and* the class's bookkeeping lock (so counts stay exact).
    pub(crate) version: AtomicU32,
    /// Slot in the class's instance table, removed when the value is dropped.
    pub(crate) slot: AtomicU32,
    /// Its class (in the app's heap, lives forever).
    pub(crate) class: &'static ClassState<T>,
    /// The value: boxed, since a conversion replaces it by another concrete
    /// type. Dropped by hand when the strong count reaches 0.
    pub(crate) value: ManuallyDrop<ValueLock<Box<T>>>,
}

impl<T: ?Sized + 'static> Inst<T> {
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
            weak: AtomicU32::new(1),
            version: AtomicU32::new(0),
            slot: AtomicU32::new(u32::MAX),
            class,
            value: ManuallyDrop::new(ValueLock::new(value)),
        });
        InstRef(NonNull::from(Box::leak(inst)))
    }

    /// The instance's address (what the class's slab keeps).
    pub(crate) fn as_ptr(&self) -> NonNull<Inst<T>> {
        self.0
    }

    /// `true` if both are the same instance.
    pub(crate) fn ptr_eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }

    /// A weak handle.
    pub(crate) fn downgrade(&self) -> InstWeak<T> {
        // A strong handle exists, so the memory is not freed meanwhile.
        if self.weak.fetch_add(1, Ordering::Relaxed) >= MAX_REFS {
            std::process::abort();
        }
        InstWeak(self.0)
    }

    /// A strong handle on the instance at `ptr` unless it is being dropped.
    ///
    /// # Safety
    /// `ptr` must be in its class's slab and the caller must hold the slab
    /// lock (so the memory cannot be freed meanwhile: see module docs).
    pub(crate) unsafe fn upgrade_in_slab(ptr: NonNull<Inst<T>>) -> Option<Self> {
        // SAFETY: per the contract, the memory is live.
        let strong = unsafe { &ptr.as_ref().strong };
        upgrade(strong).then_some(InstRef(ptr))
    }

    /// The strong count reached 0: unregister, drop the value, and free the
    /// memory unless weak handles remain.
    #[inline(never)]
    fn drop_slow(&self) {
        let ptr = self.0.as_ptr();
        // SAFETY: no strong handle remains and none can be made (the slab
        // skips instances whose strong count is 0, weak upgrades fail), so
        // this is the only access to the value; the memory is freed once,
        // by whoever brings the weak count to 0.
        unsafe {
            let slot = (*ptr).slot.load(Ordering::Acquire);
            if slot != u32::MAX {
                let mut slab = (*ptr).class.lock();
                slab.remove(slot, (*ptr).version.load(Ordering::Acquire));
            }
            // Out of the slab: nobody else can reach the value now.
            std::ptr::drop_in_place(
                std::ptr::addr_of_mut!((*ptr).value).cast::<ValueLock<Box<T>>>(),
            );
            // Only the strong handles' weak unit left: no weak handle exists,
            // and none can be made without a strong one.
            let weak = &(*ptr).weak;
            if weak.load(Ordering::Acquire) == 1 || weak.fetch_sub(1, Ordering::Release) == 1 {
                fence(Ordering::Acquire);
                drop(Box::from_raw(ptr));
            }
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
        fence(Ordering::Acquire);
        self.drop_slow();
    }
}

/// A weak handle on an instance: does not keep its value alive.
pub(crate) struct InstWeak<T: ?Sized + 'static>(NonNull<Inst<T>>);

// SAFETY: as `std::sync::Weak<Inst<T>>`.
unsafe impl<T: ?Sized + Send + Sync + 'static> Send for InstWeak<T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send + Sync + 'static> Sync for InstWeak<T> {}

impl<T: ?Sized + 'static> InstWeak<T> {
    /// A strong handle, unless the value was dropped.
    pub(crate) fn upgrade(&self) -> Option<InstRef<T>> {
        // SAFETY: a weak handle keeps the memory alive.
        let strong = unsafe { &self.0.as_ref().strong };
        upgrade(strong).then_some(InstRef(self.0))
    }
}

impl<T: ?Sized + 'static> Drop for InstWeak<T> {
    fn drop(&mut self) {
        // SAFETY: a weak handle keeps the memory alive until this decrement.
        let weak = unsafe { &self.0.as_ref().weak };
        if weak.fetch_sub(1, Ordering::Release) == 1 {
            fence(Ordering::Acquire);
            // SAFETY: the last handle of any kind: the value was dropped when
            // the strong count reached 0; only the memory remains.
            drop(unsafe { Box::from_raw(self.0.as_ptr()) });
        }
    }
}
