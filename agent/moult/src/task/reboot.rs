//! Rebooting the tasks of a group onto a new main at an update point, with
//! the state each old main hands over, and [`TaskReboot`], the predefined
//! update doing it.

use std::sync::atomic::Ordering;
use std::time::Duration;

use super::group::{Reboot, Request, Transform};
use super::main_fn::TaskMain;
use crate::handover::Handover;
use crate::update::Revertible;
use crate::{Alterability, Update, UpdateContext, UpdateError};

impl UpdateContext {
    /// Makes `main` the main of `group` (version + 1) and arms a reboot:
    /// each task of the group at `point` (any point when `None`) drops its
    /// future — destructors run — and starts again on `main` with the state
    /// it handed over (`task::point_with`). Tasks spawned from now on keep
    /// the future they are spawned with. Undone on rollback; recorded for a
    /// revert, which reboots the tasks onto the main they ran before (a
    /// group spawned with futures has none: such an update is not
    /// revertible).
    pub fn reboot_tasks(
        &mut self,
        group: &str,
        point: Option<&str>,
        main: TaskMain,
    ) -> Result<u32, UpdateError> {
        self.reboot_tasks_restart(group, point, main, None)
    }

    /// Like [`Self::reboot_tasks`], and each task's handed-over state goes
    /// through `transform` before the new main gets it.
    pub fn reboot_tasks_with_state(
        &mut self,
        group: &str,
        point: Option<&str>,
        main: TaskMain,
        transform: impl Fn(Handover) -> Handover + Send + Sync + 'static,
    ) -> Result<u32, UpdateError> {
        let transform = crate::handover::transform(transform);
        self.reboot_tasks_restart(group, point, main, Some(transform))
    }

    pub(crate) fn reboot_tasks_restart(
        &mut self,
        group: &str,
        point: Option<&str>,
        main: TaskMain,
        transform: Option<Transform>,
    ) -> Result<u32, UpdateError> {
        let g = self.task_group(group)?;
        let old_main = g
            .main
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .replace(main);
        let version = g.main_version.fetch_add(1, Ordering::AcqRel) + 1;
        self.record_change(crate::update::history::Change::TaskMain {
            group: group.to_string(),
            before: old_main.clone(),
        });
        {
            let mut asked = g.asked();
            asked.reboot = Some(Reboot {
                at: Request {
                    owner: self.id,
                    point: point.map(str::to_string),
                },
                transform,
            });
            g.publish(&mut asked);
        }
        self.log(format!("task group {group}: main v{version}, reboot armed"));
        let undo = g.clone();
        self.on_rollback(move |_| {
            *undo.main.lock().unwrap_or_else(|e| e.into_inner()) = old_main;
            undo.main_version.fetch_sub(1, Ordering::AcqRel);
            let mut asked = undo.asked();
            asked.reboot = None;
            undo.publish(&mut asked);
            format!("task group {}: main back to v{}", undo.name, version - 1)
        });
        Ok(version)
    }

    /// Whether every live task of `group` runs its group's current main;
    /// when so, the armed reboot is withdrawn (update points get their
    /// fast path back).
    pub fn tasks_rebooted(&self, group: &str) -> bool {
        let Ok(g) = self.task_group(group) else {
            return true;
        };
        let version = g.main_version.load(Ordering::Acquire);
        let done = g
            .tasks()
            .iter()
            .all(|t| t.main_version.load(Ordering::Acquire) >= version);
        if done {
            let mut asked = g.asked();
            if asked.reboot.as_ref().is_some_and(|r| r.at.owner == self.id) {
                asked.reboot = None;
                g.publish(&mut asked);
            }
        }
        done
    }
}

/// Reboots every task of a group onto a new main at an update point:
/// setup asks them to park there, alterability waits until all are, apply
/// installs the main and arms the reboot, resume lets them go (each starts
/// again on the new main with the state it handed over), and the update is
/// over when every task runs it.
pub struct TaskReboot {
    name: String,
    group: String,
    point: Option<String>,
    main: TaskMain,
    transform: Option<Transform>,
    max_tries: u32,
    sleep_time: Duration,
}

impl TaskReboot {
    /// Reboots the tasks of `group` onto `main` at their next update point.
    pub fn new(group: impl Into<String>, main: TaskMain) -> TaskReboot {
        let group = group.into();
        TaskReboot {
            name: format!("reboot tasks {group}"),
            group,
            point: None,
            main,
            transform: None,
            max_tries: 20,
            sleep_time: Duration::from_millis(50),
        }
    }

    /// Reboots the tasks of `group` onto the group's current main (what
    /// the console's reboot asks); `None` when the group has none (its
    /// tasks were spawned with futures, not a main) or does not exist.
    pub fn onto_current(group: &str) -> Option<TaskReboot> {
        let g = crate::runtime().tasks.find(group)?;
        let main = g.main.lock().unwrap_or_else(|e| e.into_inner()).clone()?;
        Some(TaskReboot::new(group, main))
    }

    /// Only at the update point `point`.
    pub fn at_point(mut self, point: impl Into<String>) -> TaskReboot {
        self.point = Some(point.into());
        self
    }

    /// Transforms the state each old main hands over before the new main
    /// gets it (Pymoult's `updateLocalVar`).
    pub fn with_state(
        mut self,
        transform: impl Fn(Handover) -> Handover + Send + Sync + 'static,
    ) -> TaskReboot {
        self.transform = Some(crate::handover::transform(transform));
        self
    }

    /// Renames the update.
    pub fn named(mut self, name: impl Into<String>) -> TaskReboot {
        self.name = name.into();
        self
    }

    /// Budget: `max_tries` attempts, `sleep_time` apart.
    pub fn tries(mut self, max_tries: u32, sleep_time: Duration) -> TaskReboot {
        self.max_tries = max_tries;
        self.sleep_time = sleep_time;
        self
    }
}

impl Update for TaskReboot {
    fn name(&self) -> &str {
        &self.name
    }
    fn max_tries(&self) -> u32 {
        self.max_tries
    }
    fn sleep_time(&self) -> Duration {
        self.sleep_time
    }
    fn revertible(&self) -> Revertible {
        Revertible::Recorded
    }
    fn preupdate_setup(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.request_task_park(&self.group, self.point.as_deref())?;
        Ok(())
    }
    fn check_alterability(&mut self, ctx: &mut UpdateContext) -> Alterability {
        Alterability::from_blockers(ctx.tasks_parked(&self.group))
    }
    fn clean_failed_alterability(&mut self, ctx: &mut UpdateContext) {
        ctx.clean_failed_task_park(&self.group);
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.reboot_tasks_restart(
            &self.group,
            self.point.as_deref(),
            self.main.clone(),
            self.transform.clone(),
        )?;
        Ok(())
    }
    fn check_over(&mut self, ctx: &mut UpdateContext) -> bool {
        ctx.tasks_rebooted(&self.group)
    }
}
