//! Task groups and their tasks, as the runtime keeps them.
//!
//! Tasks are counted per group (`alive`, `parked`), so an update waiting
//! for hundreds of connection tasks to reach a point reads two counters;
//! the per-task records serve the snapshot and the why-blocked diagnosis.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;

use moult_protocol::{TaskInfo, ThreadState};

use super::main_fn::TaskMain;
use crate::handover::Handover;
use crate::update::UpdateId;

pub(crate) use crate::handover::Transform;

/// An update's request to the tasks of a group.
pub(crate) struct Request {
    /// The update that asked.
    pub(crate) owner: UpdateId,
    /// Only this point (any when `None`).
    pub(crate) point: Option<String>,
}

impl Request {
    /// Whether a task at `point` answers this request.
    pub(crate) fn matches(&self, point: &str) -> bool {
        self.point.as_deref().is_none_or(|p| p == point)
    }
}

/// A reboot armed for a group: tasks at a matching point start again on
/// the group's main.
pub(crate) struct Reboot {
    /// Where tasks reboot (and the update that asked).
    pub(crate) at: Request,
    /// What the state handed over becomes.
    pub(crate) transform: Option<Transform>,
}

/// What an update asked of a group, under the group's lock.
#[derive(Default)]
pub(crate) struct Asked {
    /// Park at a point until the update resumes.
    pub(crate) park: Option<Request>,
    /// Reboot at a point (armed at resume).
    pub(crate) reboot: Option<Reboot>,
    /// Tasks waiting at a point: woken when a request changes.
    pub(crate) waiters: Vec<Waker>,
}

/// One named group of tasks (`conn`, `purge`).
pub(crate) struct TaskGroup {
    /// The group's name, as `spawn` was given it.
    pub(crate) name: String,
    /// Non-zero while an update asks something of the group: the update
    /// point's fast path reads only this.
    pub(crate) requests: AtomicU32,
    /// Tasks running now.
    pub(crate) alive: AtomicU32,
    /// Tasks at a point answering a park request now.
    pub(crate) parked: AtomicU32,
    /// Version of the group's main: 0 until an update gives it one.
    pub(crate) main_version: AtomicU32,
    /// The main rebooted tasks start on (`None`: never rebooted).
    pub(crate) main: Mutex<Option<TaskMain>>,
    /// Requests and waiters.
    asked: Mutex<Asked>,
    /// Live tasks by id.
    tasks: Mutex<BTreeMap<u64, Arc<TaskRecord>>>,
}

impl TaskGroup {
    /// Requests and waiters, locked.
    pub(crate) fn asked(&self) -> MutexGuard<'_, Asked> {
        self.asked.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Publishes a change of requests: the fast-path word, then every
    /// waiting task is woken to look again.
    pub(crate) fn publish(&self, asked: &mut Asked) {
        let any = asked.park.is_some() || asked.reboot.is_some();
        self.requests.store(u32::from(any), Ordering::Release);
        for waker in asked.waiters.drain(..) {
            waker.wake();
        }
    }

    /// The live tasks, by id.
    pub(crate) fn tasks(&self) -> Vec<Arc<TaskRecord>> {
        self.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }
}

/// One task.
pub(crate) struct TaskRecord {
    /// Unique in the process.
    pub(crate) id: u64,
    /// Its group.
    pub(crate) group: Arc<TaskGroup>,
    /// The last update point it passed (a `'static` name).
    pub(crate) last_point: AtomicPtr<&'static str>,
    /// Counted in the group's `parked` now.
    pub(crate) parked: AtomicBool,
    /// Version of the main it runs (0: the future it was spawned with).
    pub(crate) main_version: AtomicU32,
    /// Set by its update point when it must reboot: the state it hands over.
    pub(crate) reboot: Mutex<Option<(Handover, Option<Transform>)>>,
    /// Running, parked, rebooting (for the snapshot).
    pub(crate) state: Mutex<ThreadState>,
}

impl TaskRecord {
    /// The last update point passed, if any.
    pub(crate) fn last_point(&self) -> Option<&'static str> {
        let p = self.last_point.load(Ordering::Relaxed);
        // SAFETY: only ever set from `&'static &'static str` (update points).
        (!p.is_null()).then(|| unsafe { *p })
    }

    /// Sets the state shown in the snapshot.
    pub(crate) fn set_state(&self, state: ThreadState) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = state;
    }

    /// Counts this task as parked (once), and wakes the update waiting
    /// for the group to be parked.
    pub(crate) fn park(&self, point: &str) {
        if !self.parked.swap(true, Ordering::AcqRel) {
            self.group.parked.fetch_add(1, Ordering::AcqRel);
            crate::runtime().progress.bump();
        }
        self.set_state(ThreadState::Parked(point.to_string()));
    }

    /// No longer parked.
    pub(crate) fn unpark(&self) {
        if self.parked.swap(false, Ordering::AcqRel) {
            self.group.parked.fetch_sub(1, Ordering::AcqRel);
        }
        self.set_state(ThreadState::Running);
    }

    /// The task ended (completed, panicked or was cancelled).
    pub(crate) fn finish(&self) {
        self.unpark();
        self.group.alive.fetch_sub(1, Ordering::AcqRel);
        if self.group.requests.load(Ordering::Acquire) != 0 {
            crate::runtime().progress.bump(); // one fewer task to wait for
        }
        self.group
            .tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.id);
    }

    /// What the snapshot shows of it.
    pub(crate) fn info(&self) -> TaskInfo {
        TaskInfo {
            id: self.id,
            group: self.group.name.clone(),
            state: self.state.lock().unwrap_or_else(|e| e.into_inner()).clone(),
            last_point: self.last_point().map(str::to_string),
            main_version: self.main_version.load(Ordering::Relaxed),
        }
    }
}

/// Every task group of the process.
#[derive(Default)]
pub(crate) struct TaskRegistry {
    groups: Mutex<HashMap<String, Arc<TaskGroup>>>,
    next_id: AtomicU64,
}

impl TaskRegistry {
    /// The group named `name`, created empty if new.
    pub(crate) fn group(&self, name: &str) -> Arc<TaskGroup> {
        let mut groups = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        groups
            .entry(name.to_string())
            .or_insert_with(|| {
                Arc::new(TaskGroup {
                    name: name.to_string(),
                    requests: AtomicU32::new(0),
                    alive: AtomicU32::new(0),
                    parked: AtomicU32::new(0),
                    main_version: AtomicU32::new(0),
                    main: Mutex::new(None),
                    asked: Mutex::new(Asked::default()),
                    tasks: Mutex::new(BTreeMap::new()),
                })
            })
            .clone()
    }

    /// The group named `name`, if any task of it was ever spawned.
    pub(crate) fn find(&self, name: &str) -> Option<Arc<TaskGroup>> {
        self.groups
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()
    }

    /// A new task in `group`, counted alive.
    pub(crate) fn register(&self, group: Arc<TaskGroup>) -> Arc<TaskRecord> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let record = Arc::new(TaskRecord {
            id,
            group: group.clone(),
            last_point: AtomicPtr::new(std::ptr::null_mut()),
            parked: AtomicBool::new(false),
            // Spawned after a reboot: it already runs what the update wanted.
            main_version: AtomicU32::new(group.main_version.load(Ordering::Acquire)),
            reboot: Mutex::new(None),
            state: Mutex::new(ThreadState::Running),
        });
        group.alive.fetch_add(1, Ordering::AcqRel);
        group
            .tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, record.clone());
        record
    }

    /// Every live task, group by group, for the snapshot.
    pub(crate) fn infos(&self) -> Vec<TaskInfo> {
        let mut groups: Vec<Arc<TaskGroup>> = self
            .groups
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect();
        groups.sort_by(|a, b| a.name.cmp(&b.name));
        groups
            .iter()
            .flat_map(|g| g.tasks())
            .map(|t| t.info())
            .collect()
    }
}

impl crate::Runtime {
    /// Every live task, group by group (what the snapshot lists).
    pub fn task_infos(&self) -> Vec<TaskInfo> {
        self.tasks.infos()
    }
}
