//! Creations that race an eager conversion.
//!
//! `create` loads the constructor of record, runs it (user code, of any
//! length), then publishes the instance in a slot of its thread's chunk. An
//! eager conversion installs the new constructor, then converts the instances
//! it enumerates. A creation that loaded the old constructor and publishes
//! after the enumeration passed its slot would stay in the old version while
//! the conversion reports success.
//!
//! So every eager conversion is an [`EagerStep`] with an *epoch* (the class's
//! `eager_epoch`, bumped when it begins, before it installs its constructor),
//! and every constructor of record remembers the epoch it was installed in.
//! A creation publishes its instance (visible to enumeration from then on),
//! then compares the class's epoch with its constructor's; if a later eager
//! conversion began, it brings its instance through every eager step of a
//! later epoch (pending lazy conversions first, as the eager conversion does)
//! under the instance's write lock, and checks again.
//!
//! Why nothing is missed: the creation stores (publishes), then loads the
//! epoch; the conversion stores the epoch, then loads slots (enumerates),
//! with a full barrier between store and load on both sides (the classic
//! Dekker pairing; the updater's barrier is `membarrier`, which runs one on
//! every thread of the process, so creations pay none unless the kernel
//! lacks it: see `fence.rs`). So the enumeration sees the instance, or the
//! creation sees the new epoch, or both. Both converting is harmless: each
//! converts under the instance's write lock and only if its version is not
//! the step's target yet. Either way the instance is in the new version when
//! `create` returns.
//!
//! A late conversion is recorded in the step's journal while the update is not
//! committed, so a rollback restores it; one that finds the step withdrawn
//! (rolled back) or failed keeps its value. A transformer that panics on a
//! late instance fails the step: the conversion, if still running, rolls back
//! and reports it; after the update committed, the instance keeps its old
//! version and an error event says so.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use moult_protocol::EventKind;

use super::inst::InstRef;
use super::record::ClassState;
use super::tracked::Tracked;
use super::transform::Transform;

const ACTIVE: u8 = 0;
const FAILED: u8 = 1;
const WITHDRAWN: u8 = 2;

/// Old values of instances converted late, kept for rollback while the
/// conversion's update is not committed: handle, old value, old version.
pub(crate) type Journal<T> = Vec<(InstRef<T>, Box<T>, u32)>;

/// One eager conversion, as creations that raced it see it.
pub(crate) struct EagerStep<T: ?Sized + 'static> {
    /// Its place among the class's eager conversions (1, 2, ...).
    pub(crate) epoch: u32,
    /// Version instances reach through it.
    pub(crate) target: u32,
    /// The (panic-safe) transformer.
    pub(crate) transform: Transform<T>,
    /// `ACTIVE`, `FAILED` (a late transformer panicked) or `WITHDRAWN`.
    state: AtomicU8,
    /// Why it failed, for the conversion's error.
    failure: Mutex<Option<String>>,
    /// `Some` until the conversion's update commits.
    journal: Mutex<Option<Journal<T>>>,
}

impl<T: ?Sized + 'static> EagerStep<T> {
    /// `true` unless failed or withdrawn.
    pub(crate) fn is_active(&self) -> bool {
        self.state.load(Ordering::Acquire) == ACTIVE
    }

    /// Why a late conversion failed it, if one did.
    pub(crate) fn failure(&self) -> Option<String> {
        self.failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Rolled back: no creation applies it any more; returns the late
    /// conversions to undo.
    pub(crate) fn withdraw(&self) -> Journal<T> {
        let mut journal = self.journal.lock().unwrap_or_else(|e| e.into_inner());
        self.state.store(WITHDRAWN, Ordering::Release);
        journal.take().unwrap_or_default()
    }

    /// Committed: late conversions no longer keep old values.
    pub(crate) fn commit(&self) {
        let journal = self
            .journal
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        drop(journal); // user code (old values' drops): outside the lock
    }
}

impl<T: ?Sized + 'static> ClassState<T> {
    /// Starts an eager conversion to `target`: from now on, creations that
    /// loaded an older constructor go through it (see module docs).
    pub(crate) fn begin_eager(&self, target: u32, transform: Transform<T>) -> Arc<EagerStep<T>> {
        let mut steps = self.eager.write().unwrap_or_else(|e| e.into_inner());
        let epoch = self.eager_epoch.load(Ordering::Relaxed) + 1;
        let step = Arc::new(EagerStep {
            epoch,
            target,
            transform,
            state: AtomicU8::new(ACTIVE),
            failure: Mutex::new(None),
            journal: Mutex::new(Some(Vec::new())),
        });
        steps.push(step.clone());
        self.eager_epoch.store(epoch, Ordering::Release);
        drop(steps);
        // The updater's half of the Dekker pairing (see module docs): the
        // enumeration that follows sees every instance published before a
        // creation could miss the new epoch.
        crate::runtime().fence.heavy();
        step
    }

    /// Returns `inst`, built by a constructor of record of eager epoch
    /// `epoch` and just published, once it went through every eager
    /// conversion begun since.
    #[inline]
    pub(crate) fn register_created(&'static self, inst: InstRef<T>, epoch: u32) -> Tracked<T> {
        self.app_barrier();
        if self.eager_epoch.load(Ordering::Acquire) == epoch {
            return Tracked(inst);
        }
        self.register_late(inst, epoch)
    }

    /// [`ClassState::register_created`] for an instance an eager conversion
    /// began after: converted here, under its write lock (which the
    /// conversion, if it found the instance, waits for, then finds it done).
    #[cold]
    #[inline(never)]
    fn register_late(&'static self, inst: InstRef<T>, mut epoch: u32) -> Tracked<T> {
        let mut value = inst.write();
        loop {
            let (steps, now) = {
                let all = self.eager.read().unwrap_or_else(|e| e.into_inner());
                let later: Vec<Arc<EagerStep<T>>> =
                    all.iter().filter(|s| s.epoch > epoch).cloned().collect();
                (later, self.eager_epoch.load(Ordering::Acquire))
            };
            for step in steps {
                self.convert_late(&step, &inst, &mut value);
            }
            epoch = now;
            if self.eager_epoch.load(Ordering::Acquire) == epoch {
                break;
            }
        }
        drop(value);
        Tracked(inst)
    }

    /// Brings `inst` (write lock `value`) through `step` as the conversion
    /// would have: pending lazy conversions first, then the transformer.
    fn convert_late(&self, step: &EagerStep<T>, inst: &InstRef<T>, value: &mut Box<T>) {
        if !step.is_active() {
            return;
        }
        self.catch_up_locked(inst, value);
        let from = inst.version.load(Ordering::Acquire);
        if from == step.target {
            return;
        }
        let new = match (step.transform)(&**value) {
            Ok(new) => new,
            Err(message) => return self.fail_eager(step, message),
        };
        let mut journal = step.journal.lock().unwrap_or_else(|e| e.into_inner());
        let unused = if step.is_active() {
            let old = std::mem::replace(value, new);
            self.set_version(inst, step.target, &**value);
            match journal.as_mut() {
                Some(j) => {
                    j.push((inst.clone(), old, from));
                    None
                }
                None => Some(old),
            }
        } else {
            Some(new) // withdrawn or failed meanwhile: keep the old value
        };
        drop(journal);
        drop(unused); // user code: outside every moult lock
    }

    /// A transformer panicked on an instance built late: the step is failed
    /// (the conversion, if still running, rolls back and reports it).
    fn fail_eager(&self, step: &EagerStep<T>, message: String) {
        if step
            .state
            .compare_exchange(ACTIVE, FAILED, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return;
        }
        let report = format!(
            "class `{}`: the eager conversion to version {} panicked on an instance built while it \
             ran: {message}; that instance keeps its version",
            self.name, step.target
        );
        *step.failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(message);
        crate::runtime().events.emit(EventKind::Log {
            level: "error".into(),
            message: report,
        });
    }
}
