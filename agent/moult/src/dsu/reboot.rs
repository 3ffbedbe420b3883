//! Reboot and switch of main (Pymoult's `resetThread`, `switchMain`,
//! `ThreadRebootUpdate`).
//!
//! A request is recorded *unarmed*: the thread ignores it until the update
//! resumes (its hold, released at resume, arms it). A failing update rolls
//! back first (its undo cancels the request), then releases its holds, so a
//! cancelled reboot never happens.

use std::time::Duration;

use moult_protocol::ThreadState;

use super::main_fn::Main;
use super::record::{Pending, RecordInner, Restart};
use crate::handover::{Handover, Transform};
use crate::update::{Hold, UpdateId};
use crate::{Alterability, Runtime, ThreadFilter, Update, UpdateContext, UpdateError};

/// Arms the reboot and switch requests of one update when it resumes.
struct ArmHold(UpdateId);

impl Hold for ArmHold {
    fn release(self: Box<Self>, rt: &Runtime) {
        for record in rt.threads.all() {
            let mut inner = record.lock();
            let mut changed = false;
            if let Some(r) = inner.reboot.as_mut().filter(|r| r.owner == self.0) {
                r.armed = true;
                changed = true;
            }
            if let Some(s) = inner.switch.as_mut().filter(|s| s.owner == self.0) {
                s.armed = true;
                changed = true;
            }
            if changed {
                record.publish(&inner);
            }
        }
    }
}

impl UpdateContext {
    /// Reboots DSU thread `thread` at its next update point once this update
    /// resumes: it unwinds to its root, its OS thread exits, and a new OS
    /// thread runs `new_main` (or the main a `switch_main` of this update
    /// installs, or the current one). Cancelled if the update rolls back.
    pub fn reboot(&mut self, thread: &str, new_main: Option<Main>) -> Result<(), UpdateError> {
        self.reboot_restart(thread, new_main, None)
    }

    /// Like [`Self::reboot`], and the state the old main hands over at the
    /// point it reboots from (`dsu::point_with`) goes through `transform`
    /// before the new main gets it (Pymoult's `updateLocalVar`). A main
    /// built with `Main::with_state` takes it.
    pub fn reboot_with_state(
        &mut self,
        thread: &str,
        new_main: Option<Main>,
        transform: impl Fn(Handover) -> Handover + Send + Sync + 'static,
    ) -> Result<(), UpdateError> {
        self.reboot_restart(
            thread,
            new_main,
            Some(crate::handover::transform(transform)),
        )
    }

    fn reboot_restart(
        &mut self,
        thread: &str,
        new_main: Option<Main>,
        transform: Option<Transform>,
    ) -> Result<(), UpdateError> {
        let switches = new_main.is_some();
        let restart = Restart {
            main: new_main,
            transform,
        };
        self.request_pending(thread, "reboot", |inner| &mut inner.reboot, restart, true)?;
        if switches {
            self.record_main_change(thread, true)?;
        }
        Ok(())
    }

    /// Makes `new_main` DSU thread `thread`'s main once this update resumes:
    /// it runs when the current main returns (or at a reboot), on the same
    /// OS thread. Cancelled if the update rolls back.
    pub fn switch_main(&mut self, thread: &str, new_main: Main) -> Result<(), UpdateError> {
        self.request_pending(
            thread,
            "main switch",
            |inner| &mut inner.switch,
            new_main,
            false,
        )?;
        self.record_main_change(thread, false)
    }

    /// Records, for a later revert, the main `thread` runs before this
    /// update changes it.
    fn record_main_change(&mut self, thread: &str, reboot: bool) -> Result<(), UpdateError> {
        let before = self.rt.threads.get(thread)?.lock().main.clone();
        self.record_change(crate::update::history::Change::Main {
            thread: thread.to_string(),
            before,
            reboot,
        });
        Ok(())
    }

    /// Installs a pending `what` on `thread`, inert until this update resumes
    /// (its hold arms it) and restored to what it replaced on rollback.
    /// `exclusive`: refuse if another update already has one pending.
    fn request_pending<V: Send + 'static>(
        &mut self,
        thread: &str,
        what: &'static str,
        slot: fn(&mut RecordInner) -> &mut Option<Pending<V>>,
        value: V,
        exclusive: bool,
    ) -> Result<(), UpdateError> {
        let record = self.rt.threads.get(thread)?;
        let mut inner = record.lock();
        if inner.state == ThreadState::Finished {
            return Err(UpdateError::Failed(format!(
                "DSU thread {thread} has finished: no {what} is possible (spawn it again)"
            )));
        }
        if let Some(other) = slot(&mut inner)
            .as_ref()
            .filter(|p| exclusive && p.owner != self.id)
        {
            return Err(UpdateError::Failed(format!(
                "DSU thread {thread} already has a {what} pending (update #{})",
                other.owner
            )));
        }
        let replaced = slot(&mut inner).replace(Pending {
            owner: self.id,
            value,
            armed: false,
        });
        record.publish(&inner);
        drop(inner);
        let (id, name) = (self.id, thread.to_string());
        self.on_rollback(move |rt: &Runtime| {
            if let Ok(record) = rt.threads.get(&name) {
                let mut inner = record.lock();
                let pending = slot(&mut inner);
                if pending.as_ref().is_some_and(|p| p.owner == id && !p.armed) {
                    *pending = replaced;
                    record.publish(&inner);
                }
            }
            format!("{what} of DSU thread {name} cancelled")
        });
        self.push_hold(Box::new(ArmHold(self.id)));
        self.log(format!("DSU thread {thread}: {what} requested"));
        Ok(())
    }
}

/// Reboots a DSU thread, optionally onto a new main (Pymoult's
/// `ThreadRebootUpdate`): waits until the thread is parked at an update point
/// (unless [`ThreadReboot::without_park`]), requests the reboot, and is over
/// once the thread runs again on its new OS thread.
pub struct ThreadReboot {
    /// Unique update name.
    name: String,
    /// The DSU thread to reboot.
    thread: String,
    /// Main to restart on (`None`: the current one).
    new_main: Option<Main>,
    /// What the state the old main hands over becomes.
    transform: Option<Transform>,
    /// Wait for the thread to be parked before requesting the reboot.
    park_first: bool,
    /// Alterability (and wait-over) budget.
    max_tries: u32,
    /// Pause between attempts.
    sleep_time: Duration,
    /// Reboot count seen by `apply`; over when it grew.
    reboots_before: u32,
}

impl ThreadReboot {
    /// Reboots `thread` onto its current main; named `reboot <thread>`.
    pub fn new(thread: impl Into<String>) -> Self {
        let thread = thread.into();
        ThreadReboot {
            name: format!("reboot {thread}"),
            thread,
            new_main: None,
            transform: None,
            park_first: true,
            max_tries: 20,
            sleep_time: Duration::from_millis(50),
            reboots_before: 0,
        }
    }

    /// Restarts the thread on `main` instead.
    pub fn onto(mut self, main: Main) -> Self {
        self.new_main = Some(main);
        self
    }

    /// Transforms the state the old main hands over at its reboot point
    /// (`dsu::point_with`) before the new main (`Main::with_state`) gets it.
    pub fn with_state(
        mut self,
        transform: impl Fn(Handover) -> Handover + Send + Sync + 'static,
    ) -> Self {
        self.transform = Some(crate::handover::transform(transform));
        self
    }

    /// Renames the update.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Requests the reboot without waiting for the thread to park first
    /// (it reboots at whatever update point it reaches next).
    pub fn without_park(mut self) -> Self {
        self.park_first = false;
        self
    }

    /// Budget: `max_tries` attempts, `sleep_time` apart (alterability and wait-over).
    pub fn tries(mut self, max_tries: u32, sleep_time: Duration) -> Self {
        self.max_tries = max_tries;
        self.sleep_time = sleep_time;
        self
    }

    fn filter(&self) -> ThreadFilter {
        ThreadFilter::Named(vec![self.thread.clone()])
    }
}

impl Update for ThreadReboot {
    fn name(&self) -> &str {
        &self.name
    }
    fn max_tries(&self) -> u32 {
        self.max_tries
    }
    fn revertible(&self) -> crate::update::Revertible {
        crate::update::Revertible::Recorded
    }
    fn sleep_time(&self) -> Duration {
        self.sleep_time
    }
    fn preupdate_setup(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        if self.park_first {
            ctx.request_park(&self.filter(), None)?;
        } else {
            ctx.runtime().threads.get(&self.thread)?;
        }
        Ok(())
    }
    fn check_alterability(&mut self, ctx: &mut UpdateContext) -> Alterability {
        if !self.park_first {
            return Alterability::Ready;
        }
        Alterability::from_blockers(ctx.parked(&self.filter(), None))
    }
    fn clean_failed_alterability(&mut self, ctx: &mut UpdateContext) {
        ctx.clean_failed_park();
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        self.reboots_before = ctx.runtime().threads.get(&self.thread)?.lock().reboots;
        ctx.reboot_restart(&self.thread, self.new_main.clone(), self.transform.clone())
    }
    fn check_over(&mut self, ctx: &mut UpdateContext) -> bool {
        let Ok(record) = ctx.runtime().threads.get(&self.thread) else {
            return true;
        };
        let inner = record.lock();
        (inner.reboots > self.reboots_before && inner.state != ThreadState::Rebooting)
            || inner.state == ThreadState::Finished
    }
}
