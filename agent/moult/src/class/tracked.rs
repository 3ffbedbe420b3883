//! Tracked instances: a shared handle on a value that updates may replace by
//! a value of a newer version.
//!
//! Access fast path: one atomic load of the instance's version compared with
//! one atomic word of its class (`lazy_top`); only when a lazy conversion is
//! pending does the access take the slow path that converts first.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::Ordering;

use super::inst::InstRef;
use super::lock::{ReadLocked, WriteLocked};

/// A live instance of a tracked class: cheap to clone (shared), counted per
/// version by its class, converted by updates.
///
/// Build one with [`Class::create`](super::Class::create) or adopt a value
/// with [`Class::track`](super::Class::track).
pub struct Tracked<T: ?Sized + 'static>(pub(crate) InstRef<T>);

impl<T: ?Sized + 'static> Clone for Tracked<T> {
    fn clone(&self) -> Self {
        Tracked(self.0.clone())
    }
}

impl<T: ?Sized + Send + Sync + 'static> Tracked<T> {
    /// Shared access to the value, converted first if a lazy conversion of
    /// its class is pending for it.
    ///
    /// Do not call it on the same instance inside a transformer (the
    /// conversion holds the instance's write lock).
    #[inline]
    pub fn read(&self) -> ReadGuard<'_, T> {
        self.catch_up();
        ReadGuard(self.0.read())
    }

    /// Exclusive access to the value, converted first if a lazy conversion
    /// is pending. To replace the value by another type, use [`Tracked::set`].
    #[inline]
    pub fn write(&self) -> WriteGuard<'_, T> {
        self.catch_up();
        WriteGuard(self.0.write())
    }

    /// Replaces the value; its version becomes the one its concrete type
    /// belongs to (as for [`Class::track`](super::Class::track)). Returns the
    /// old value.
    pub fn set(&self, value: Box<T>) -> Box<T> {
        let inst = &self.0;
        let class = inst.class;
        let mut guard = inst.write();
        let old = std::mem::replace(&mut *guard, value);
        class.retype(inst, &**guard);
        old
    }

    /// Version of the current value (no conversion is made).
    pub fn version(&self) -> u32 {
        self.0.version.load(Ordering::Acquire)
    }

    /// Name of the instance's class.
    pub fn class_name(&self) -> &'static str {
        self.0.class.name
    }

    /// `true` if both handles are the same instance.
    pub fn ptr_eq(&self, other: &Tracked<T>) -> bool {
        self.0.ptr_eq(&other.0)
    }

    /// Converts the instance if a lazy conversion is pending for it.
    #[inline(always)]
    fn catch_up(&self) {
        let inst = &*self.0;
        if inst.version.load(Ordering::Relaxed) < inst.class.lazy_top.load(Ordering::Acquire) {
            self.catch_up_slow();
        }
    }

    #[cold]
    #[inline(never)]
    fn catch_up_slow(&self) {
        let class = self.0.class;
        if class
            .next_step(self.0.version.load(Ordering::Acquire))
            .is_none()
        {
            return; // blocked by a failed conversion: no write lock for readers
        }
        let mut guard = self.0.write();
        class.catch_up_locked(&self.0, &mut guard);
    }
}

impl<T: ?Sized + 'static> std::fmt::Debug for Tracked<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Tracked({} v{})",
            self.0.class.name,
            self.0.version.load(Ordering::Relaxed)
        )
    }
}

/// Shared access to a tracked value (holds its read lock).
pub struct ReadGuard<'a, T: ?Sized + 'static>(ReadLocked<'a, Box<T>>);

impl<T: ?Sized + 'static> Deref for ReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Exclusive access to a tracked value (holds its write lock).
pub struct WriteGuard<'a, T: ?Sized + 'static>(WriteLocked<'a, Box<T>>);

impl<T: ?Sized + 'static> Deref for WriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ?Sized + 'static> DerefMut for WriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}
