//! Reverting an applied update: its recorded changes replayed backwards, as
//! an update of its own through the whole lifecycle — requirements (still
//! revertible?), alterability (the functions it changed quiescent behind
//! closed gates, the threads it changed parked at an update point), apply,
//! resume — and rolled back like any update if it fails.

use std::time::Duration;

use super::history::Change;
use super::{
    Alterability, Requirements, ThreadFilter, Update, UpdateContext, UpdateError, UpdateId,
};

/// The update that reverts update `target` (see the module docs).
pub struct Revert {
    /// `revert #N (name)`.
    name: String,
    /// The update undone.
    target: UpdateId,
    /// Why (an operator's request, or a watch's verdict), for the journal.
    reason: String,
    /// The target's changes, read at `check_requirements` (a later update
    /// may have made it unrevertible since the revert was queued).
    changes: Vec<Change>,
    /// The DSU threads to park while the mains change.
    threads: Vec<String>,
    /// The task groups to park while their mains change.
    groups: Vec<String>,
    /// Whether the park was requested (once per alterability round).
    parks_asked: bool,
}

impl Revert {
    /// Reverts update `target`; `reason` is journaled with it.
    pub fn new(target: UpdateId, reason: impl Into<String>) -> Revert {
        let name = match crate::runtime().history.name_of(target) {
            Some(n) => format!("revert #{target} ({n})"),
            None => format!("revert #{target}"),
        };
        Revert {
            name,
            target,
            reason: reason.into(),
            changes: Vec::new(),
            threads: Vec::new(),
            groups: Vec::new(),
            parks_asked: false,
        }
    }

    /// The update it reverts.
    pub fn target(&self) -> UpdateId {
        self.target
    }
}

impl Update for Revert {
    fn name(&self) -> &str {
        &self.name
    }
    fn max_tries(&self) -> u32 {
        40
    }
    fn sleep_time(&self) -> Duration {
        Duration::from_millis(50)
    }
    fn check_requirements(&mut self, ctx: &mut UpdateContext) -> Requirements {
        match ctx.rt.history.revertible(self.target) {
            Ok((_, changes)) => {
                self.threads = changes
                    .iter()
                    .filter_map(|c| match c {
                        Change::Main { thread, .. } => Some(thread.clone()),
                        _ => None,
                    })
                    .collect();
                self.groups = changes
                    .iter()
                    .filter_map(|c| match c {
                        Change::TaskMain { group, .. } => Some(group.clone()),
                        _ => None,
                    })
                    .collect();
                self.changes = changes;
                Requirements::Yes
            }
            Err(why) => Requirements::Never(why),
        }
    }
    fn check_alterability(&mut self, ctx: &mut UpdateContext) -> Alterability {
        let mut blockers = Vec::new();
        for change in &self.changes {
            if let Change::Function { core, .. } = change {
                if let Err(e) = ctx.close_gate_of(core) {
                    return Alterability::Blocked(vec![moult_protocol::Blocker {
                        thread: String::new(),
                        function: Some(core.name.into()),
                        depth: 0,
                        detail: e.to_string(),
                    }]);
                }
                blockers.extend(crate::hot::blockers(ctx.rt, core, &ThreadFilter::All));
            }
        }
        let threads = ThreadFilter::Named(self.threads.clone());
        if !self.parks_asked {
            self.parks_asked = true;
            if let Err(e) = self.ask_parks(ctx, &threads) {
                let parked: Vec<&str> = self
                    .threads
                    .iter()
                    .chain(&self.groups)
                    .map(String::as_str)
                    .collect();
                return Alterability::Blocked(vec![moult_protocol::Blocker {
                    thread: parked.join(", "),
                    function: None,
                    depth: 0,
                    detail: e.to_string(),
                }]);
            }
        }
        if !self.threads.is_empty() {
            blockers.extend(ctx.parked(&threads, None));
        }
        for group in &self.groups {
            blockers.extend(ctx.tasks_parked(group));
        }
        Alterability::from_blockers(blockers)
    }
    fn clean_failed_alterability(&mut self, ctx: &mut UpdateContext) {
        ctx.clean_failed_park();
        for group in &self.groups {
            ctx.clean_failed_task_park(group);
        }
        self.parks_asked = false;
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        for change in self.changes.iter().rev() {
            match change {
                Change::Function { core, before } => ctx.redefine_core(core, *before),
                Change::Main {
                    thread,
                    before,
                    reboot,
                } => {
                    if *reboot {
                        ctx.reboot(thread, Some(before.clone()))?;
                    } else {
                        ctx.switch_main(thread, before.clone())?;
                    }
                }
                Change::Class(step) => step.revert(ctx)?,
                Change::TaskMain { group, before } => {
                    let before = before.clone().ok_or_else(|| {
                        UpdateError::Failed(format!("task group {group} had no main before"))
                    })?;
                    ctx.reboot_tasks_restart(group, None, before, None)?;
                }
            }
        }
        ctx.reverting(self.target, &self.reason);
        Ok(())
    }
    fn check_over(&mut self, ctx: &mut UpdateContext) -> bool {
        self.groups.iter().all(|g| ctx.tasks_rebooted(g))
    }
    fn revertible(&self) -> super::Revertible {
        super::Revertible::Recorded
    }
}

impl Revert {
    /// Asks the DSU threads and the task groups the target changed to park
    /// at their next update point.
    fn ask_parks(
        &self,
        ctx: &mut UpdateContext,
        threads: &ThreadFilter,
    ) -> Result<(), UpdateError> {
        if !self.threads.is_empty() {
            ctx.request_park(threads, None)?;
        }
        for group in &self.groups {
            ctx.request_task_park(group, None)?;
        }
        Ok(())
    }
}
