//! The context an update acts through: every change recorded for rollback,
//! every hold recorded for release.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use moult_protocol::{Blocker, EventKind};

use super::manager::Control;
use super::{Alterability, ThreadFilter, UpdateId};
use crate::Runtime;
use crate::hot::{FnRecord, Func, blockers, erase};

/// Something `apply` did that a rollback must undo.
///
/// Predefined operations (redefine, conversion, class redefinition...) push
/// their own; custom updates may push theirs with [`UpdateContext::on_rollback`].
pub trait Undo: Send {
    /// Undoes the change; returns what was undone, for the event log.
    fn undo(self: Box<Self>, rt: &Runtime) -> String;
}

/// Something that holds the app still while an update applies (a closed
/// entry gate, threads parked at update points). Released at resume, or when
/// the update fails or is postponed — never left behind.
pub trait Hold: Send {
    /// Lets the app go on.
    fn release(self: Box<Self>, rt: &Runtime);
}

impl<F: FnOnce(&Runtime) -> String + Send> Undo for F {
    fn undo(self: Box<Self>, rt: &Runtime) -> String {
        self(rt)
    }
}

/// Handed to every lifecycle hook of an update.
pub struct UpdateContext {
    pub(crate) rt: &'static Runtime,
    pub(crate) id: UpdateId,
    pub(crate) name: String,
    /// Changes made so far, undone in reverse order on failure.
    pub(crate) undo: Vec<Box<dyn Undo>>,
    /// Holds taken so far, released in reverse order at resume.
    pub(crate) holds: Vec<Box<dyn Hold>>,
    /// Operator requests (postpone / abort) for this update.
    pub(crate) control: Arc<Control>,
}

impl UpdateContext {
    pub(crate) fn new(
        rt: &'static Runtime,
        id: UpdateId,
        name: String,
        control: Arc<Control>,
    ) -> Self {
        UpdateContext {
            rt,
            id,
            name,
            undo: Vec::new(),
            holds: Vec::new(),
            control,
        }
    }

    /// The app's runtime.
    pub fn runtime(&self) -> &'static Runtime {
        self.rt
    }

    /// This update's id.
    pub fn update_id(&self) -> UpdateId {
        self.id
    }

    /// This update's name.
    pub fn update_name(&self) -> &str {
        &self.name
    }

    /// `true` once an update of that name was applied (Pymoult's `isApplied`).
    pub fn is_applied(&self, name: &str) -> bool {
        self.rt.is_applied(name)
    }

    /// Emits an event on the runtime's stream.
    pub fn emit(&self, kind: EventKind) {
        self.rt.events.emit(kind);
    }

    /// Logs a line on the event stream (Pymoult's `log`).
    pub fn log(&self, message: impl Into<String>) {
        self.emit(EventKind::Log {
            level: "info".into(),
            message: message.into(),
        });
    }

    /// Records a change to undo if the update fails.
    pub fn push_undo(&mut self, undo: Box<dyn Undo>) {
        self.undo.push(undo);
    }

    /// Records a closure to run if the update fails.
    pub fn on_rollback(&mut self, f: impl FnOnce(&Runtime) -> String + Send + 'static) {
        self.undo.push(Box::new(f));
    }

    /// Records a hold to release when the app resumes (or the update fails).
    pub fn push_hold(&mut self, hold: Box<dyn Hold>) {
        self.holds.push(hold);
    }

    /// `true` if an operator asked to postpone or abort this update.
    pub fn stop_requested(&self) -> bool {
        self.control.requested().is_some()
    }

    /// Sleeps up to `d`, waking early if an operator stops the update.
    pub fn sleep(&self, d: Duration) {
        self.control.sleep(d);
    }

    /// Retries `attempt` up to `tries` times, `sleep` apart, emitting an
    /// alterability event for each attempt; stops early on an operator request.
    pub fn retry(
        &mut self,
        tries: u32,
        sleep: Duration,
        mut attempt: impl FnMut(&mut UpdateContext) -> Alterability,
    ) -> Alterability {
        let tries = tries.max(1);
        let mut last = Alterability::Blocked(Vec::new());
        for n in 1..=tries {
            if self.stop_requested() {
                break;
            }
            last = attempt(self);
            let blockers = match &last {
                Alterability::Ready => Vec::new(),
                Alterability::Blocked(b) => b.clone(),
            };
            self.emit(EventKind::Alterability {
                update: self.name.clone(),
                id: self.id,
                attempt: n,
                max_tries: tries,
                blockers,
            });
            if last == Alterability::Ready {
                break;
            }
            if n < tries {
                self.sleep(sleep);
            }
        }
        last
    }

    /// Runs every undo entry, newest first; returns what was undone.
    pub(crate) fn rollback(&mut self) -> Vec<String> {
        let mut done = Vec::new();
        while let Some(u) = self.undo.pop() {
            let what = u.undo(self.rt);
            self.emit(EventKind::RolledBack {
                update: self.name.clone(),
                what: what.clone(),
            });
            done.push(what);
        }
        done
    }

    /// Releases every hold, newest first.
    pub(crate) fn release_holds(&mut self) {
        while let Some(h) = self.holds.pop() {
            h.release(self.rt);
        }
    }

    // ----- hot functions -------------------------------------------------

    /// Closes `f`'s entry gate: new callers wait until the update resumes
    /// (Pymoult's force-quiescence). Idempotent within one update.
    ///
    /// Fails if another update holds the gate.
    pub fn close_gate<F: Copy + 'static>(&mut self, f: Func<F>) -> Result<(), super::UpdateError> {
        let record = self.rt.functions.record(f.core);
        match record
            .gate_owner
            .compare_exchange(0, self.id, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => {}
            Err(owner) if owner == self.id => return Ok(()),
            Err(owner) => {
                return Err(super::UpdateError::Failed(format!(
                    "the entry gate of {} is held by update #{owner}",
                    f.name()
                )));
            }
        }
        let current = f.core.slot.swap(std::ptr::null_mut(), Ordering::SeqCst);
        record.gate_restore.store(current, Ordering::Release);
        self.holds.push(Box::new(GateHold(record)));
        Ok(())
    }

    /// Refuses a function whose entry gate another update holds: swapping
    /// its slot would publish a version under that update's feet, and
    /// rolling the swap back would restore the null of its closed gate.
    fn check_gate_owner(&self, record: &FnRecord) -> Result<(), super::UpdateError> {
        match record.gate_owner.load(Ordering::Acquire) {
            0 => Ok(()),
            owner if owner == self.id => Ok(()),
            owner => Err(super::UpdateError::Failed(format!(
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
        let record = self.rt.functions.record(f.core);
        if let Err(e) = self.check_gate_owner(&record) {
            panic!("{e}");
        }
        let new = erase(new);
        let gated = record.gate_owner.load(Ordering::Acquire) == self.id;
        let old = if gated {
            record.gate_restore.swap(new, Ordering::AcqRel)
        } else {
            f.core.slot.swap(new, Ordering::AcqRel)
        };
        let version = record.version.fetch_add(1, Ordering::AcqRel) + 1;
        self.emit(EventKind::FunctionRedefined {
            function: f.name().into(),
            version,
        });
        let (id, core, old) = (self.id, f.core, old as usize);
        self.undo.push(Box::new(move |rt: &Runtime| {
            let old = old as *mut ();
            let record = rt.functions.record(core);
            if record.gate_owner.load(Ordering::Acquire) == id {
                record.gate_restore.store(old, Ordering::Release);
            } else {
                core.slot.store(old, Ordering::Release);
            }
            let v = record.version.fetch_sub(1, Ordering::AcqRel) - 1;
            rt.events.emit(EventKind::FunctionRedefined {
                function: core.name.into(),
                version: v,
            });
            format!("{} back to version {v}", core.name)
        }));
    }
}

/// A closed entry gate: releasing it publishes the pending version.
struct GateHold(Arc<FnRecord>);

impl Hold for GateHold {
    fn release(self: Box<Self>, _rt: &Runtime) {
        let record = self.0;
        let ptr = record
            .gate_restore
            .swap(std::ptr::null_mut(), Ordering::AcqRel);
        record.open_with(ptr);
        record.gate_owner.store(0, Ordering::Release);
    }
}
