//! What every applied update changed, kept so it can be reverted (Erlang's
//! release downgrade, `kubectl rollout undo`): which versions of which hot
//! functions, which DSU threads' mains, which class conversions.
//!
//! An update's context records a [`Change`] for each thing it changes
//! through moult (`redefine`, `reboot` / `switch_main`, conversions); the
//! lifecycle files them here when the update commits. A revert
//! (`revert.rs`) replays them backwards as a new update — whose own changes
//! are filed in turn, so a revert can be reverted.

use std::sync::{Arc, Mutex};

use crate::dsu::Main;
use crate::hot::HotFnCore;
use crate::task::TaskMain;
use crate::update::{UpdateContext, UpdateError, UpdateId};

/// Something a class conversion changed, and how to change it back. Built
/// by the copy of moult that ran the conversion (an update library's,
/// typically) and run under that copy's panic catch.
pub(crate) trait RevertStep: Send + Sync {
    /// What is changed back, e.g. "class `app::Data` (eager conversion)".
    fn describe(&self) -> String;
    /// The class it concerns (for conflicts between updates).
    fn class(&self) -> &str;
    /// Why it cannot be reverted, if it cannot.
    fn refusal(&self) -> Option<String>;
    /// Changes it back, through `ctx` (so the revert records its own change).
    fn revert(&self, ctx: &mut UpdateContext) -> Result<(), UpdateError>;
}

/// One thing an update changed.
#[derive(Clone)]
pub(crate) enum Change {
    /// A hot function's version.
    Function {
        /// The function.
        core: &'static HotFnCore,
        /// The version before (its code, erased, and its number).
        before: (usize, u32),
    },
    /// A DSU thread's main (with a reboot, or a switch when the main returns).
    Main {
        /// The thread.
        thread: String,
        /// The main it ran before.
        before: Main,
        /// Whether the update rebooted it (a revert reboots it too).
        reboot: bool,
    },
    /// A task group's main (a task reboot).
    TaskMain {
        /// The group.
        group: String,
        /// The main its tasks ran before; `None` when they were spawned
        /// with futures, which a revert cannot start again.
        before: Option<TaskMain>,
    },
    /// A class conversion or constructor change.
    Class(Arc<dyn RevertStep>),
}

/// What a change concerns, for "a later update touched the same thing".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Touch {
    /// A hot function, by name.
    Function(String),
    /// A DSU thread, by name.
    Thread(String),
    /// A class, by name.
    Class(String),
    /// A task group, by name.
    TaskGroup(String),
}

impl Change {
    pub(crate) fn touch(&self) -> Touch {
        match self {
            Change::Function { core, .. } => Touch::Function(core.name.to_string()),
            Change::Main { thread, .. } => Touch::Thread(thread.clone()),
            Change::Class(step) => Touch::Class(step.class().to_string()),
            Change::TaskMain { group, .. } => Touch::TaskGroup(group.clone()),
        }
    }
}

impl std::fmt::Display for Touch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Touch::Function(n) => write!(f, "function {n}"),
            Touch::Thread(n) => write!(f, "DSU thread {n}"),
            Touch::Class(n) => write!(f, "class {n}"),
            Touch::TaskGroup(n) => write!(f, "task group {n}"),
        }
    }
}

/// An applied update, as the history keeps it.
pub(crate) struct Applied {
    /// Manager id.
    pub(crate) id: UpdateId,
    /// Update name.
    pub(crate) name: String,
    /// What it changed, in order.
    pub(crate) changes: Vec<Change>,
    /// `Err(why)` if the update said it cannot be undone.
    pub(crate) revertible: Result<(), String>,
    /// The update it reverts, if it is a revert.
    pub(crate) reverts: Option<UpdateId>,
    /// The revert that undid it, once one did.
    pub(crate) reverted_by: Option<UpdateId>,
}

impl Applied {
    /// Why it cannot be reverted (whatever happened after it), if it cannot.
    pub(crate) fn refusal(&self) -> Option<String> {
        if let Some(by) = self.reverted_by {
            return Some(format!(
                "update #{} ({}) was already reverted by #{by}",
                self.id, self.name
            ));
        }
        if let Err(why) = &self.revertible {
            return Some(format!(
                "update #{} ({}) is not revertible: {why}",
                self.id, self.name
            ));
        }
        self.changes.iter().find_map(|c| match c {
            Change::Class(step) => step.refusal(),
            Change::TaskMain {
                group,
                before: None,
            } => Some(format!(
                "update #{} ({}) rebooted the tasks of `{group}`, which were spawned with futures, not a main: there is no old main to start them on again",
                self.id, self.name
            )),
            _ => None,
        })
    }
}

/// Every applied update of the process, in the order they committed.
#[derive(Default)]
pub(crate) struct History {
    applied: Mutex<Vec<Applied>>,
}

impl History {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Applied>> {
        self.applied.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Files a committed update (a revert also marks its target).
    pub(crate) fn record(&self, applied: Applied) {
        let mut all = self.lock();
        if let Some(t) = applied
            .reverts
            .and_then(|target| all.iter_mut().find(|a| a.id == target))
        {
            t.reverted_by = Some(applied.id);
        }
        all.push(applied);
    }

    /// The revert that undid update `id`, if one did.
    pub(crate) fn reverted_by(&self, id: UpdateId) -> Option<UpdateId> {
        self.lock()
            .iter()
            .find(|a| a.id == id)
            .and_then(|a| a.reverted_by)
    }

    /// The name of applied update `id`.
    pub(crate) fn name_of(&self, id: UpdateId) -> Option<String> {
        self.lock()
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.clone())
    }

    /// The newest applied update not reverted yet.
    pub(crate) fn newest(&self) -> Option<UpdateId> {
        self.lock()
            .iter()
            .rev()
            .find(|a| a.reverted_by.is_none())
            .map(|a| a.id)
    }

    /// Name and changes of update `id` if it can be reverted now; else why
    /// not: unknown, not revertible, already reverted, or a later applied
    /// update (not reverted) touched one of the same things.
    pub(crate) fn revertible(&self, id: UpdateId) -> Result<(String, Vec<Change>), String> {
        let all = self.lock();
        let Some(pos) = all.iter().position(|a| a.id == id) else {
            return Err(format!(
                "no applied update #{id} in this process (see `moult-console log`)"
            ));
        };
        let target = &all[pos];
        if let Some(why) = target.refusal() {
            return Err(why);
        }
        let touches: Vec<Touch> = target.changes.iter().map(Change::touch).collect();
        for later in all[pos + 1..].iter().filter(|a| a.reverted_by.is_none()) {
            if later.reverts == Some(id) {
                continue;
            }
            if let Some(t) = later
                .changes
                .iter()
                .map(Change::touch)
                .find(|t| touches.contains(t))
            {
                return Err(format!(
                    "update #{} ({}) applied later and also changed {t}: revert it first",
                    later.id, later.name
                ));
            }
        }
        Ok((target.name.clone(), target.changes.clone()))
    }

    /// Whether update `id` can be reverted now (`None`: unknown).
    pub(crate) fn can_revert(&self, id: UpdateId) -> Option<bool> {
        let known = self.lock().iter().any(|a| a.id == id);
        known.then(|| self.revertible(id).is_ok())
    }

    /// The hot functions update `id` installed versions of, with the
    /// version numbers it installed (what a watch checks).
    pub(crate) fn installed(&self, id: UpdateId) -> Vec<&'static HotFnCore> {
        self.lock()
            .iter()
            .filter(|a| a.id == id)
            .flat_map(|a| a.changes.iter())
            .filter_map(|c| match c {
                Change::Function { core, .. } => Some(*core),
                _ => None,
            })
            .collect()
    }
}
