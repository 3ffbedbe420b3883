//! The lock on a tracked value: a reader-writer lock in one 32-bit futex word.
//!
//! `std::sync::RwLock` takes 16 bytes before its data on Linux (two futex
//! words and a poison flag, padded); tracked values never use poisoning
//! (moult only ever replaces a value whole), so this lock keeps the state in
//! one word: 8 bytes less per instance. It waits on that word with
//! `futex(2)`, which the kernel keys by address: an update library's copy of
//! moult shares it with the app's (docs/ARCHITECTURE.md, fact 1), as with std's locks.
//!
//! Writers are preferred (a waiting writer holds new readers back, as std's
//! futex lock does), so a stream of readers cannot starve a conversion; a
//! thread that read-locks a value it already read-locks may therefore wait
//! for a writer that waits for it. moult's own writers (conversions) never
//! wait without a bound ([`ValueLock::write_until`]): when one gives up it
//! withdraws its claim and wakes the readers it held back, so such a
//! recursive read only waits that long. Unlocking wakes every sleeper, which
//! then retries: sleepers are rare (a value is locked for the time of one
//! access).

use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

/// Write-locked.
const WRITER: u32 = 1 << 31;
/// Someone sleeps on the word: unlocking must wake.
const WAITING: u32 = 1 << 30;
/// A writer waits: new readers hold back.
const WRITER_WAITING: u32 = 1 << 29;
/// Readers holding the lock.
const READERS: u32 = WRITER_WAITING - 1;

/// A value under a one-word reader-writer lock.
pub(crate) struct ValueLock<X> {
    state: AtomicU32,
    /// A word for the owner, free of the lock: it would be padding otherwise
    /// (an instance keeps its slot there).
    pub(crate) spare: AtomicU32,
    data: UnsafeCell<X>,
}

// SAFETY: as `std::sync::RwLock<X>`.
unsafe impl<X: Send> Send for ValueLock<X> {}
// SAFETY: as `std::sync::RwLock<X>`: readers share `&X`, a writer has it alone.
unsafe impl<X: Send + Sync> Sync for ValueLock<X> {}

impl<X> ValueLock<X> {
    /// An unlocked value, with `spare` in the owner's word (instances are
    /// filled in place instead: see [`ValueLock::fill`]).
    #[cfg(test)]
    pub(crate) fn new(data: X, spare: u32) -> Self {
        ValueLock {
            state: AtomicU32::new(0),
            spare: AtomicU32::new(spare),
            data: UnsafeCell::new(data),
        }
    }

    /// Puts `data` in the cell, unlocked (a slot being reused).
    ///
    /// # Safety
    /// Nobody else may access the lock until the caller publishes it, and
    /// the cell must be empty (never filled, or emptied by [`ValueLock::take`]).
    pub(crate) unsafe fn fill(&self, data: X) {
        self.state.store(0, Ordering::Relaxed);
        // SAFETY: per the contract, nobody else accesses the cell, which
        // holds nothing to drop.
        unsafe { self.data.get().write(data) }
    }

    /// Moves the value out, leaving the cell empty (a slot being freed).
    ///
    /// # Safety
    /// Nobody else may access the lock, and the cell must be full; it must
    /// not be used again before [`ValueLock::fill`].
    pub(crate) unsafe fn take(&self) -> X {
        // SAFETY: per the contract.
        unsafe { self.data.get().read() }
    }

    /// Shared access (waits while a writer holds or waits for the lock).
    #[inline]
    pub(crate) fn read(&self) -> ReadLocked<'_, X> {
        let s = self.state.load(Ordering::Relaxed);
        if s & (WRITER | WRITER_WAITING) == 0
            && s & READERS < READERS - 1
            && self
                .state
                .compare_exchange_weak(s, s + 1, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
        {
            return ReadLocked(self);
        }
        self.read_slow(None);
        ReadLocked(self)
    }

    /// Shared access, waiting at most until `deadline`; `None` if the lock
    /// stayed write-locked (or claimed by a waiting writer) until then.
    pub(crate) fn read_until(&self, deadline: Instant) -> Option<ReadLocked<'_, X>> {
        // Not `then_some`: that builds the guard either way, and dropping it
        // when the wait gave up released a read lock never taken.
        if self.read_slow(Some(deadline)) {
            Some(ReadLocked(self))
        } else {
            None
        }
    }

    /// Takes a read lock; `false` if `deadline` passed first.
    #[cold]
    fn read_slow(&self, deadline: Option<Instant>) -> bool {
        loop {
            let s = self.state.load(Ordering::Relaxed);
            if s & (WRITER | WRITER_WAITING) == 0 {
                if s & READERS == READERS - 1 {
                    std::process::abort(); // as many readers as a u32 counts
                }
                if self
                    .state
                    .compare_exchange_weak(s, s + 1, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
                {
                    return true;
                }
                continue;
            }
            if !self.sleep(s, s | WAITING, deadline) {
                return false;
            }
        }
    }

    /// Exclusive access.
    #[inline]
    pub(crate) fn write(&self) -> WriteLocked<'_, X> {
        if self
            .state
            .compare_exchange(0, WRITER, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.write_slow(None);
        }
        WriteLocked(self)
    }

    /// Exclusive access if the lock is free now (no wait, no trace).
    #[inline]
    pub(crate) fn try_write(&self) -> Option<WriteLocked<'_, X>> {
        self.state
            .compare_exchange(0, WRITER, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
            // Not `then_some`: that builds the guard either way, and dropping
            // it when the lock was not taken unlocks someone else's lock.
            .then(|| WriteLocked(self))
    }

    /// Exclusive access, waiting at most until `deadline`; `None` if the
    /// lock was still held then (the attempt leaves no trace: readers it held
    /// back are let in).
    pub(crate) fn write_until(&self, deadline: Instant) -> Option<WriteLocked<'_, X>> {
        if self
            .state
            .compare_exchange(0, WRITER, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
            || self.write_slow(Some(deadline))
        {
            Some(WriteLocked(self))
        } else {
            None
        }
    }

    /// Who holds the lock now (for reports; stale as soon as it returns).
    pub(crate) fn holders(&self) -> Holders {
        let s = self.state.load(Ordering::Relaxed);
        if s & WRITER != 0 {
            Holders::Writer
        } else {
            Holders::Readers(s & READERS)
        }
    }

    /// Takes the write lock; `false` if `deadline` passed first.
    #[cold]
    fn write_slow(&self, deadline: Option<Instant>) -> bool {
        loop {
            let s = self.state.load(Ordering::Relaxed);
            if s & (WRITER | READERS) == 0 {
                // Free: take it, keeping `WAITING` so that unlocking wakes
                // the others (`WRITER_WAITING` is set again by any writer
                // still waiting).
                if self
                    .state
                    .compare_exchange_weak(
                        s,
                        WRITER | (s & WAITING),
                        Ordering::Acquire,
                        Ordering::Relaxed,
                    )
                    .is_ok()
                {
                    return true;
                }
                continue;
            }
            if !self.sleep(s, s | WAITING | WRITER_WAITING, deadline) {
                // Giving up: withdraw the `WRITER_WAITING` claim and let the
                // sleepers look again (other waiting writers set it back),
                // or readers held back by it would wait for the holder.
                self.wake_all();
                return false;
            }
        }
    }

    /// Marks the word `want` (from `seen`) and sleeps while it stays so, at
    /// most until `deadline`; `false` once `deadline` has passed.
    fn sleep(&self, seen: u32, want: u32, deadline: Option<Instant>) -> bool {
        let timeout = match deadline {
            None => None,
            Some(d) => match d.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Some(libc::timespec {
                    tv_sec: left.as_secs().min(i32::MAX as u64) as libc::time_t,
                    tv_nsec: left.subsec_nanos() as libc::c_long,
                }),
                _ => return false,
            },
        };
        if want != seen
            && self
                .state
                .compare_exchange(seen, want, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return true; // changed meanwhile: look again
        }
        let timeout = timeout
            .as_ref()
            .map_or(std::ptr::null(), |t| t as *const libc::timespec);
        // SAFETY: FUTEX_WAIT on a live, aligned u32 with a relative timeout
        // (or none); returns at once if the word is no longer `want`
        // (spurious returns and timeouts are sorted out by callers).
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                self.state.as_ptr(),
                libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
                want,
                timeout,
            );
        }
        true
    }

    /// Clears the waiting marks and wakes every sleeper if there were any.
    #[cold]
    fn wake_all(&self) {
        let prev = self
            .state
            .fetch_and(!(WAITING | WRITER_WAITING), Ordering::Relaxed);
        if prev & WAITING != 0 {
            self.futex_wake();
        }
    }

    fn futex_wake(&self) {
        // SAFETY: FUTEX_WAKE on a live, aligned u32.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                self.state.as_ptr(),
                libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
                i32::MAX,
            );
        }
    }

    #[inline]
    fn read_unlock(&self) {
        let now = self.state.fetch_sub(1, Ordering::Release) - 1;
        if now & READERS == 0 && now & WAITING != 0 {
            self.wake_all();
        }
    }

    #[inline]
    fn write_unlock(&self) {
        if self.state.swap(0, Ordering::Release) & WAITING != 0 {
            self.futex_wake();
        }
    }
}

/// Who holds a [`ValueLock`], as far as its word tells: a writer, or how
/// many readers (not which threads: the word has no room for them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Holders {
    /// Write-locked.
    Writer,
    /// Read-locked by this many readers (0: free).
    Readers(u32),
}

/// Shared access to a locked value.
pub(crate) struct ReadLocked<'a, X>(&'a ValueLock<X>);

impl<X> Deref for ReadLocked<'_, X> {
    type Target = X;
    #[inline]
    fn deref(&self) -> &X {
        // SAFETY: read-locked: no writer.
        unsafe { &*self.0.data.get() }
    }
}

impl<X> Drop for ReadLocked<'_, X> {
    #[inline]
    fn drop(&mut self) {
        self.0.read_unlock();
    }
}

/// Exclusive access to a locked value.
pub(crate) struct WriteLocked<'a, X>(&'a ValueLock<X>);

impl<X> Deref for WriteLocked<'_, X> {
    type Target = X;
    #[inline]
    fn deref(&self) -> &X {
        // SAFETY: write-locked: nobody else.
        unsafe { &*self.0.data.get() }
    }
}

impl<X> DerefMut for WriteLocked<'_, X> {
    #[inline]
    fn deref_mut(&mut self) -> &mut X {
        // SAFETY: write-locked: nobody else.
        unsafe { &mut *self.0.data.get() }
    }
}

impl<X> Drop for WriteLocked<'_, X> {
    #[inline]
    fn drop(&mut self) {
        self.0.write_unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::{Holders, ValueLock};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    /// A writer that gives up leaves no claim behind: a reader it held back
    /// gets in, and the lock ends free. A reader gives up on a writer.
    #[test]
    fn bounded_waits_give_up_and_leave_the_lock_usable() {
        let lock = Arc::new(ValueLock::new(1u32, 0));
        let held = lock.read();
        assert_eq!(lock.holders(), Holders::Readers(1));
        let writer = {
            let lock = lock.clone();
            std::thread::spawn(move || {
                lock.write_until(Instant::now() + Duration::from_millis(50))
                    .is_some()
            })
        };
        // Re-reading while the writer waits: let in once it gives up.
        let again = lock.read();
        assert_eq!(*again, 1);
        assert!(!writer.join().unwrap(), "the writer gave up");
        drop((again, held));
        assert_eq!(lock.holders(), Holders::Readers(0));

        let mut w = lock.write_until(Instant::now()).expect("free");
        *w = 2;
        assert_eq!(lock.holders(), Holders::Writer);
        let reader = {
            let lock = lock.clone();
            std::thread::spawn(move || {
                lock.read_until(Instant::now() + Duration::from_millis(20))
                    .map(|r| *r)
            })
        };
        assert_eq!(reader.join().unwrap(), None, "the reader gave up");
        drop(w);
        assert_eq!(*lock.read_until(Instant::now()).expect("free"), 2);
        assert_eq!(lock.state.load(std::sync::atomic::Ordering::Relaxed), 0);
    }

    /// A read that gives up leaves the count of readers as it was: it
    /// released a read lock it never took, so a waiting writer got the
    /// lock while a reader still held it.
    #[test]
    fn a_read_that_gives_up_leaves_the_readers_alone() {
        let lock = Arc::new(ValueLock::new(1u32, 0));
        let held = lock.read();
        let writer = {
            let lock = lock.clone();
            std::thread::spawn(move || {
                lock.write_until(Instant::now() + Duration::from_secs(10))
                    .is_some()
            })
        };
        // Held back by the waiting writer until the deadline.
        while lock.state.load(std::sync::atomic::Ordering::Relaxed) & super::WRITER_WAITING == 0 {
            std::thread::yield_now();
        }
        assert!(
            lock.read_until(Instant::now() + Duration::from_millis(5))
                .is_none()
        );
        assert_eq!(
            lock.holders(),
            Holders::Readers(1),
            "the reader still holds it"
        );
        drop(held);
        assert!(
            writer.join().unwrap(),
            "the writer got it once the reader left"
        );
        assert_eq!(lock.state.load(std::sync::atomic::Ordering::Relaxed), 0);
    }

    /// Writers and readers contend: no increment is lost, no reader sees a
    /// half-written pair, and nobody sleeps forever.
    #[test]
    fn readers_and_writers_contend_without_loss() {
        const ROUNDS: u64 = if cfg!(miri) { 200 } else { 100_000 };
        let lock = Arc::new(ValueLock::new((0u64, 0u64), 0));
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let lock = lock.clone();
                std::thread::spawn(move || {
                    for i in 0..ROUNDS {
                        if (i + t) % 3 == 0 {
                            let mut w = lock.write();
                            let v = &mut *w;
                            v.0 += 1;
                            if i % 64 == 0 {
                                std::thread::yield_now(); // others sleep on the word
                            }
                            v.1 += 1;
                        } else {
                            let (a, b) = *lock.read();
                            assert_eq!(a, b);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let writes: u64 = (0..4u64)
            .map(|t| (0..ROUNDS).filter(|i| (i + t) % 3 == 0).count() as u64)
            .sum();
        assert_eq!(*lock.read(), (writes, writes));
        assert_eq!(lock.state.load(std::sync::atomic::Ordering::Relaxed), 0);
    }
}
