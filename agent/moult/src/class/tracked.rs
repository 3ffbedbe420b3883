//! Tracked instances: a shared handle on a value that updates may replace by
//! a value of a newer version.
//!
//! Access fast path: one atomic load of the instance's version compared with
//! one atomic word of its class (`lazy_top`); only when a lazy conversion is
//! pending does the access take the slow path that converts first. That path
//! never waits without a bound for the write lock it converts under (see
//! [`Tracked::read`]'s `# Deadlocks`).

use std::ops::{Deref, DerefMut};
use std::sync::atomic::Ordering;
use std::time::Instant;

use moult_protocol::EventKind;

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
    /// # Deadlocks
    /// As with [`std::sync::RwLock`], a waiting writer holds new readers
    /// back, so reading an instance this thread already holds a guard on
    /// waits for any writer that waits for it: with an app thread's
    /// [`Tracked::write`], forever. moult's own writers (conversions) wait a
    /// bounded time, then let such readers in.
    ///
    /// Converting first takes the instance's write lock. If that cannot be
    /// had within the class's access wait ([`ACCESS_WAIT`](super::ACCESS_WAIT)
    /// unless set with [`ClassRef::set_access_wait`](super::ClassRef::set_access_wait)),
    /// say because this thread already holds a guard on the instance, or two
    /// lazy transformers running on two threads each read the instance the
    /// other converts, the value is read as it is (a warning event says so)
    /// and the next access tries again.
    ///
    /// # Panics
    /// If a lazy conversion is pending and the value cannot even be
    /// read-locked within a second access wait: its lock is write-held all
    /// that time (two lazy transformers reading each other's instance; the
    /// panic, inside a transformer, stops that conversion with an error
    /// event, and the other goes on). Without a pending conversion this
    /// waits as long as the lock is held.
    #[inline]
    pub fn read(&self) -> ReadGuard<'_, T> {
        if self.pending() {
            return self.read_slow();
        }
        ReadGuard(self.0.read())
    }

    /// Exclusive access to the value, converted first if a lazy conversion
    /// is pending. To replace the value by another type, use [`Tracked::set`].
    ///
    /// # Deadlocks
    /// Taking the write lock of an instance this thread already holds a
    /// guard on waits for itself (forever, as with [`std::sync::RwLock`]),
    /// unless a lazy conversion is pending (then see `# Panics`). A pending
    /// conversion is made as in [`Tracked::read`].
    ///
    /// # Panics
    /// If a lazy conversion is pending and the write lock cannot be had
    /// within twice the class's access wait (see [`Tracked::read`]).
    #[inline]
    pub fn write(&self) -> WriteGuard<'_, T> {
        if self.pending() {
            return self.write_slow();
        }
        WriteGuard(self.0.write())
    }

    /// Replaces the value; its version becomes the one its concrete type
    /// belongs to (as for [`Class::track`](super::Class::track)). Returns the
    /// old value.
    ///
    /// # Deadlocks
    /// As [`Tracked::write`] without a pending conversion.
    pub fn set(&self, value: Box<T>) -> Box<T> {
        let inst = &self.0;
        let class = inst.class();
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
        self.0.class().name
    }

    /// `true` if both handles are the same instance.
    pub fn ptr_eq(&self, other: &Tracked<T>) -> bool {
        self.0.ptr_eq(&other.0)
    }

    /// `true` if a lazy conversion may be pending for the instance: the
    /// access fast path, one load compared with one word of its class.
    #[inline(always)]
    fn pending(&self) -> bool {
        self.0.version.load(Ordering::Relaxed) < self.0.class().lazy_top.load(Ordering::Acquire)
    }

    #[cold]
    #[inline(never)]
    fn read_slow(&self) -> ReadGuard<'_, T> {
        match self.catch_up() {
            Ok(()) => ReadGuard(self.0.read()),
            Err(deadline) => match self.0.value.read_until(deadline) {
                Some(guard) => ReadGuard(guard),
                None => self.stuck("read"),
            },
        }
    }

    #[cold]
    #[inline(never)]
    fn write_slow(&self) -> WriteGuard<'_, T> {
        match self.catch_up() {
            Ok(()) => WriteGuard(self.0.write()),
            Err(deadline) => match self.0.write_until(deadline) {
                Some(guard) => WriteGuard(guard),
                None => self.stuck("write"),
            },
        }
    }

    /// Makes the pending lazy conversions; `Ok` when done (or none can
    /// run), else the deadline of the access that follows: the write lock
    /// was not free within the access wait.
    fn catch_up(&self) -> Result<(), Instant> {
        let class = self.0.class();
        if class
            .next_step(self.0.version.load(Ordering::Acquire))
            .is_none()
        {
            return Ok(()); // blocked by a failed conversion: no write lock for readers
        }
        let wait = class.access_wait();
        match self.0.write_until(Instant::now() + wait) {
            Some(mut guard) => {
                class.catch_up_locked(&self.0, &mut guard);
                Ok(())
            }
            None => {
                crate::runtime().events.emit(EventKind::Log {
                    level: "warn".into(),
                    message: format!(
                        "class `{}`: an access could not take an instance's lock within {wait:?} \
                         to make its pending lazy conversion (held by another thread, or by this \
                         one: a guard kept across the access, or two lazy transformers reading \
                         each other's instance); it sees the value unconverted (version {}), \
                         the next access tries again",
                        class.name,
                        self.version()
                    ),
                });
                Err(Instant::now() + wait)
            }
        }
    }

    /// The access gave up (see `# Panics` of [`Tracked::read`]).
    #[cold]
    fn stuck(&self, access: &str) -> ! {
        panic!(
            "moult: a {access} access to an instance of class `{}` with a pending lazy conversion \
             waited twice its access wait ({:?}) for the instance's lock: another thread holds it \
             for writing all that time (two lazy transformers reading each other's instance?)",
            self.0.class().name,
            self.0.class().access_wait()
        )
    }
}

impl<T: ?Sized + 'static> std::fmt::Debug for Tracked<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Tracked({} v{})",
            self.0.class().name,
            self.0.version.load(Ordering::Relaxed)
        )
    }
}

/// Shared access to a tracked value (holds its read lock).
///
/// # Deadlocks
/// Keep it for the time of one access: a thread that holds it while it waits
/// for an update (parked at an update point, at an entry gate the update
/// closed) makes an eager conversion of its class give up and roll back
/// (after a bounded wait, naming the instance). See [`Tracked::read`] for
/// reading again an instance whose guard this thread holds.
pub struct ReadGuard<'a, T: ?Sized + 'static>(ReadLocked<'a, Box<T>>);

impl<T: ?Sized + 'static> Deref for ReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Exclusive access to a tracked value (holds its write lock).
///
/// # Deadlocks
/// As [`ReadGuard`]; and any access to the same instance from the thread
/// that holds it waits for itself (see [`Tracked::write`]).
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
