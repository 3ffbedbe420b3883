//! One update at a time per process, and which thread runs it.
//!
//! Every manager (the threaded one, any number of [`super::PolledManager`]s
//! polling from any threads) takes the runtime's single [`Turn`] before it
//! picks an update and keeps it until that update's lifecycle is over. Two
//! updates never interleave their hooks, so an update never meets a gate or
//! a slot half-changed by another one.
//!
//! While it runs, the update's id and the OS thread running its hooks are
//! published, so a hot call made by the update's own code at a gate it holds
//! closed can be told apart from an app call (see `hot/registry.rs`).

use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::UpdateId;
use crate::thread_table::current_tid;

/// The runtime's right to run an update (see the module docs).
#[derive(Default)]
pub(crate) struct Turn {
    /// Held by whoever runs an update, from picking it to its outcome.
    lock: Mutex<()>,
    /// OS thread running the current update's hooks; 0 when none runs.
    tid: AtomicI32,
    /// Id of the update running on `tid`; 0 when none runs.
    update: AtomicU64,
}

/// Proof that the caller holds the [`Turn`]; dropping it lets the next update run.
pub(crate) struct TurnGuard<'a> {
    turn: &'a Turn,
    _lock: MutexGuard<'a, ()>,
}

impl Turn {
    /// Waits until no other update runs and takes the turn; `None` if the
    /// calling thread already runs an update (an update's hook polling the
    /// manager: updates do not nest, and waiting would wait for itself).
    pub(crate) fn take(&self) -> Option<TurnGuard<'_>> {
        if self.held_here() {
            return None;
        }
        let lock = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        Some(TurnGuard {
            turn: self,
            _lock: lock,
        })
    }

    /// `true` if the calling thread runs an update's hooks right now.
    pub(crate) fn held_here(&self) -> bool {
        self.tid.load(Ordering::Acquire) == current_tid()
    }

    /// The update whose hooks the calling thread is running, if any.
    ///
    /// Only the thread itself stores its tid and the id (in
    /// [`TurnGuard::running`]), so on that thread the pair is consistent;
    /// any other thread reads a tid that is not its own.
    pub(crate) fn update_on_this_thread(&self) -> Option<UpdateId> {
        if !self.held_here() {
            return None;
        }
        match self.update.load(Ordering::Acquire) {
            0 => None,
            id => Some(id),
        }
    }
}

impl TurnGuard<'_> {
    /// Publishes that update `id` runs on the calling thread until the
    /// returned marker is dropped.
    pub(crate) fn running(&self, id: UpdateId) -> Running<'_> {
        self.turn.update.store(id, Ordering::Release);
        self.turn.tid.store(current_tid(), Ordering::Release);
        Running(self.turn)
    }
}

/// Marks an update as running on this thread; cleared on drop (or unwind).
pub(crate) struct Running<'a>(&'a Turn);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.tid.store(0, Ordering::Release);
        self.0.update.store(0, Ordering::Release);
    }
}
