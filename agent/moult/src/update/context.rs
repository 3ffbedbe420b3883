//! The context an update acts through: every change recorded for rollback,
//! every hold recorded for release.
//!
//! `impl UpdateContext` is split by what it acts on; the methods live in:
//! - here: identity, events, undo steps and holds, `sleep`;
//! - `update/retry.rs`: waiting for alterability (`retry`), woken by progress;
//! - `update/functions.rs`: hot functions (`close_gate`, `quiescence`, `redefine`);
//! - `dsu/park.rs`: update points (`request_park`, `parked`, `clean_failed_park`);
//! - `dsu/reboot.rs`: mains (`reboot`, `switch_main`);
//! - `dsu/active.rs`: closures run in a DSU thread (`run_in_thread`);
//! - `class/eager.rs`, `class/lazy.rs`: conversions (`convert_eager`, `convert_lazy`);
//! - `class/accessor.rs`: Pymoult's low-level class API (`update_to_class`, `redefine_class`);
//! - `class/traversal.rs`: heap traversal (`visit_instances`).

use std::sync::Arc;
use std::time::Duration;

use moult_protocol::EventKind;

use super::UpdateId;
use super::control::Control;
use super::history::Change;
use crate::Runtime;
use crate::boundary::guard;

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

/// An undo entry or a hold as recorded: run, released or dropped only under
/// the panic catch of the copy of moult (and `std`) that recorded it — an
/// update library's closure may panic, and the manager runs in the app.
///
/// The vtable of `Recorded<_>` is made where the entry is boxed, in
/// [`UpdateContext::push_undo`] / [`UpdateContext::push_hold`] of the
/// recording copy, so `guard` below is that copy's.
trait Guarded: Send {
    /// Undoes (or releases); a panic comes back as its message.
    fn run(self: Box<Self>, rt: &Runtime) -> Result<String, String>;
    /// Drops the entry unrun (a committed update's undo entries).
    fn discard(self: Box<Self>) -> Result<(), String>;
}

struct Recorded<T: ?Sized>(Box<T>);

impl Guarded for Recorded<dyn Undo> {
    fn run(self: Box<Self>, rt: &Runtime) -> Result<String, String> {
        guard(move || self.0.undo(rt))
    }
    fn discard(self: Box<Self>) -> Result<(), String> {
        guard(move || drop(self))
    }
}

impl Guarded for Recorded<dyn Hold> {
    fn run(self: Box<Self>, rt: &Runtime) -> Result<String, String> {
        guard(move || {
            self.0.release(rt);
            String::new()
        })
    }
    fn discard(self: Box<Self>) -> Result<(), String> {
        guard(move || drop(self))
    }
}

/// Handed to every lifecycle hook of an update.
pub struct UpdateContext {
    pub(crate) rt: &'static Runtime,
    pub(crate) id: UpdateId,
    pub(crate) name: String,
    /// Changes made so far, undone in reverse order on failure.
    undo: Vec<Box<dyn Guarded>>,
    /// Holds taken so far, released in reverse order at resume.
    holds: Vec<Box<dyn Guarded>>,
    /// Operator requests (postpone / abort) for this update.
    pub(crate) control: Arc<Control>,
    /// What it changed, filed in the history when it commits (see
    /// `history.rs`): what a revert replays backwards.
    changes: Vec<Change>,
    /// The update this one reverts, and why (set by a revert's apply).
    pub(crate) reverts: Option<(UpdateId, String)>,
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
            changes: Vec::new(),
            reverts: None,
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
    ///
    /// A panic of the undo (or of dropping it) is caught, logged as an
    /// error event, and the rollback goes on with the next entry.
    pub fn push_undo(&mut self, undo: Box<dyn Undo>) {
        self.undo.push(Box::new(Recorded(undo)));
    }

    /// Records a closure to run if the update fails (see [`Self::push_undo`]).
    pub fn on_rollback(&mut self, f: impl FnOnce(&Runtime) -> String + Send + 'static) {
        self.push_undo(Box::new(f));
    }

    /// Records a hold to release when the app resumes (or the update fails).
    ///
    /// A panic of the release is caught and logged; the other holds are
    /// released all the same.
    pub fn push_hold(&mut self, hold: Box<dyn Hold>) {
        self.holds.push(Box::new(Recorded(hold)));
    }

    /// Logs an error event for a panic of update code moult ran on its own.
    fn log_panic(&self, what: &str, message: &str) {
        self.emit(EventKind::Log {
            level: "error".into(),
            message: format!("{}: {what} panicked: {message}", self.name),
        });
    }

    /// `true` if an operator asked to postpone or abort this update.
    pub fn stop_requested(&self) -> bool {
        self.control.requested().is_some()
    }

    /// Sleeps up to `d`, waking early if an operator stops the update.
    pub fn sleep(&self, d: Duration) {
        self.control.sleep(d);
    }

    /// Runs every undo entry, newest first; returns what was undone. An
    /// entry that panics is reported (in the list too) and skipped.
    pub(crate) fn rollback(&mut self) -> Vec<String> {
        let mut done = Vec::new();
        while let Some(u) = self.undo.pop() {
            let what = match u.run(self.rt) {
                Ok(what) => what,
                Err(message) => {
                    self.log_panic("an undo step", &message);
                    format!("an undo step panicked ({message})")
                }
            };
            self.emit(EventKind::RolledBack {
                update: self.name.clone(),
                what: what.clone(),
            });
            done.push(what);
        }
        done
    }

    /// Records something this update changed, for a later revert.
    pub(crate) fn record_change(&mut self, change: Change) {
        self.changes.push(change);
    }

    /// The changes recorded so far (taken when the update commits).
    pub(crate) fn take_changes(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.changes)
    }

    /// Marks this update as the revert of `target` (journaled with `reason`).
    pub(crate) fn reverting(&mut self, target: UpdateId, reason: &str) {
        self.reverts = Some((target, reason.to_string()));
    }

    /// How many undo steps are recorded (for tests).
    #[cfg(test)]
    pub(crate) fn undo_steps(&self) -> usize {
        self.undo.len()
    }

    /// The update is committed: its undo entries are dropped unrun.
    pub(crate) fn commit(&mut self) {
        while let Some(u) = self.undo.pop() {
            if let Err(message) = u.discard() {
                self.log_panic("dropping an undo step", &message);
            }
        }
    }

    /// Releases every hold, newest first, whatever any of them does.
    pub(crate) fn release_holds(&mut self) {
        while let Some(h) = self.holds.pop() {
            if let Err(message) = h.run(self.rt) {
                self.log_panic("releasing a hold", &message);
            }
        }
    }
}
