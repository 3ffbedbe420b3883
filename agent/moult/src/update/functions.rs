//! What an update does to hot functions through its context: close an
//! entry gate, check quiescence, install a version — each recorded for
//! rollback, and as a [`Change`] the update can later be reverted by.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use moult_protocol::{Blocker, EventKind};

use super::history::Change;
use super::{Hold, ThreadFilter, UpdateContext, UpdateError};
use crate::Runtime;
use crate::hot::{ExitWatch, FnRecord, Func, HotFnCore, blockers, erase};

impl UpdateContext {
    /// Closes `f`'s entry gate: new callers wait until the update resumes
    /// (Pymoult's force-quiescence). Idempotent within one update.
    ///
    /// Fails if another update holds the gate.
    pub fn close_gate<F: Copy + 'static>(&mut self, f: Func<F>) -> Result<(), UpdateError> {
        self.close_gate_of(f.core)
    }

    /// [`Self::close_gate`] for a function known by its core.
    pub(crate) fn close_gate_of(&mut self, core: &'static HotFnCore) -> Result<(), UpdateError> {
        let record = self.rt.functions.record(core);
        match record
            .gate_owner
            .compare_exchange(0, self.id, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => {}
            Err(owner) if owner == self.id => return Ok(()),
            Err(owner) => {
                return Err(UpdateError::Failed(format!(
                    "the entry gate of {} is held by update #{owner}",
                    core.name
                )));
            }
        }
        // Before the slot closes and before any quiescence check's heavy
        // fence: a last activation returning after that check wakes it.
        let watch = ExitWatch::new(core);
        let current = core.slot.swap(std::ptr::null_mut(), Ordering::SeqCst);
        record.gate_restore.store(current, Ordering::Release);
        self.push_hold(Box::new(GateHold(record, watch)));
        Ok(())
    }

    /// Refuses a function whose entry gate another update holds: swapping
    /// its slot would publish a version under that update's feet, and
    /// rolling the swap back would restore the null of its closed gate.
    fn check_gate_owner(&self, record: &FnRecord) -> Result<(), UpdateError> {
        match record.gate_owner.load(Ordering::Acquire) {
            0 => Ok(()),
            owner if owner == self.id => Ok(()),
            owner => Err(UpdateError::Failed(format!(
                "update #{} ({}) cannot redefine {}: its entry gate is held by update #{owner}",
                self.id, self.name, record.core.name
            ))),
        }
    }

    /// Activations of `f` on the selected threads right now: empty = quiescent.
    pub fn quiescence<F: Copy + 'static>(
        &self,
        f: Func<F>,
        threads: &ThreadFilter,
    ) -> Vec<Blocker> {
        blockers(self.rt, f.core, threads)
    }

    /// Installs `new` as `f`'s current version (recorded for rollback).
    ///
    /// With the gate closed by this update, callers get `new` when the update
    /// resumes; otherwise the swap is immediate.
    ///
    /// # Panics
    /// If another update holds `f`'s entry gate (its slot is not this
    /// update's to swap, nor to restore on rollback). The update's boundary
    /// turns the panic into a failed, rolled-back update naming both.
    pub fn redefine<F: Copy + 'static>(&mut self, f: Func<F>, new: F) {
        let number = self
            .rt
            .functions
            .record(f.core)
            .version
            .load(Ordering::Acquire)
            + 1;
        self.install_version(f.core, erase(new), number);
    }

    /// Puts back a version `core` had (`(code, number)`, as a [`Change`]
    /// recorded it): what a revert does.
    pub(crate) fn redefine_core(&mut self, core: &'static HotFnCore, version: (usize, u32)) {
        self.install_version(core, version.0 as *mut (), version.1);
    }

    /// Makes `new` version `number` of `core` (see [`Self::redefine`]),
    /// recorded for rollback and, as a [`Change`], for a later revert.
    fn install_version(&mut self, core: &'static HotFnCore, new: *mut (), number: u32) {
        let record = self.rt.functions.record(core);
        if let Err(e) = self.check_gate_owner(&record) {
            panic!("{e}");
        }
        // The copy of std that compiled `new` catches its panics.
        core.versions
            .push(new, self.rt.copies.owner_of(new), number);
        let gated = record.gate_owner.load(Ordering::Acquire) == self.id;
        let old = if gated {
            record.gate_restore.swap(new, Ordering::AcqRel)
        } else {
            core.slot.swap(new, Ordering::AcqRel)
        };
        let before = record.version.swap(number, Ordering::AcqRel);
        record.version_took_over(self.rt, number);
        self.emit(EventKind::FunctionRedefined {
            function: core.name.into(),
            version: number,
        });
        self.record_change(Change::Function {
            core,
            before: (old as usize, before),
        });
        let (id, old) = (self.id, old as usize);
        self.on_rollback(move |rt: &Runtime| {
            let old = old as *mut ();
            let record = rt.functions.record(core);
            if record.gate_owner.load(Ordering::Acquire) == id {
                record.gate_restore.store(old, Ordering::Release);
            } else {
                core.slot.store(old, Ordering::Release);
            }
            record.version.store(before, Ordering::Release);
            record.version_took_over(rt, before);
            rt.events.emit(EventKind::FunctionRedefined {
                function: core.name.into(),
                version: before,
            });
            format!("{} back to version {before}", core.name)
        });
    }
}

/// A closed entry gate: releasing it publishes the pending version. The
/// gate's update waits for the function's activations to end, so their
/// returns wake it while the gate is closed.
struct GateHold(Arc<FnRecord>, ExitWatch);

impl Hold for GateHold {
    fn release(self: Box<Self>, _rt: &Runtime) {
        let GateHold(record, watch) = *self;
        drop(watch);
        let ptr = record
            .gate_restore
            .swap(std::ptr::null_mut(), Ordering::AcqRel);
        record.open_with(ptr);
        record.gate_owner.store(0, Ordering::Release);
    }
}
