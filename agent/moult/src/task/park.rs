//! Alterability at the update points of tasks: an update asks a group to
//! park at a point, and waits until every live task of it is there.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use moult_protocol::{Blocker, ThreadState};

use super::group::{Request, TaskGroup};
use crate::update::{Hold, UpdateId};
use crate::{Runtime, UpdateContext, UpdateError};

/// How many not-yet-parked tasks a blocker list names (the rest are counted).
const NAMED_BLOCKERS: usize = 5;

/// Releases one update's park request on a group.
struct TaskParkHold(Arc<TaskGroup>, UpdateId);

impl Hold for TaskParkHold {
    fn release(self: Box<Self>, _rt: &Runtime) {
        release(&self.0, self.1);
    }
}

/// Withdraws `owner`'s park request on `group` and wakes its tasks.
fn release(group: &TaskGroup, owner: UpdateId) {
    let mut asked = group.asked();
    if asked.park.as_ref().is_some_and(|p| p.owner == owner) {
        asked.park = None;
        group.publish(&mut asked);
    }
}

impl UpdateContext {
    /// The task group named `group`.
    pub(crate) fn task_group(&self, group: &str) -> Result<Arc<TaskGroup>, UpdateError> {
        self.rt.tasks.find(group).ok_or_else(|| {
            UpdateError::Failed(format!(
                "no task group `{group}`: spawn its tasks with moult::task::spawn(\"{group}\", ..)"
            ))
        })
    }

    /// Asks every task of `group` to park at its next update point (any,
    /// or only `point`); they wait there (the tasks, not their threads)
    /// until the update resumes, fails or is postponed. Returns how many
    /// tasks are alive now; tasks spawned later are asked too.
    pub fn request_task_park(
        &mut self,
        group: &str,
        point: Option<&str>,
    ) -> Result<u32, UpdateError> {
        let g = self.task_group(group)?;
        {
            let mut asked = g.asked();
            asked.park = Some(Request {
                owner: self.id,
                point: point.map(str::to_string),
            });
            g.publish(&mut asked);
        }
        self.push_hold(Box::new(TaskParkHold(g.clone(), self.id)));
        Ok(g.alive.load(Ordering::Acquire))
    }

    /// One alterability attempt at tasks' update points: empty when every
    /// live task of `group` is parked; otherwise the first few that are
    /// not (with the last point each passed) and a count of the rest.
    pub fn tasks_parked(&self, group: &str) -> Vec<Blocker> {
        let g = match self.task_group(group) {
            Ok(g) => g,
            Err(e) => {
                return vec![Blocker {
                    thread: format!("task group {group}"),
                    function: None,
                    depth: 0,
                    detail: e.to_string(),
                }];
            }
        };
        let alive = g.alive.load(Ordering::Acquire);
        let parked = g.parked.load(Ordering::Acquire);
        if parked >= alive {
            return Vec::new();
        }
        let mut blockers: Vec<Blocker> = g
            .tasks()
            .iter()
            .filter(|t| !t.parked.load(Ordering::Acquire))
            .take(NAMED_BLOCKERS)
            .map(|t| Blocker {
                thread: format!("task {}#{}", g.name, t.id),
                function: None,
                depth: 0,
                detail: match (
                    &*t.state.lock().unwrap_or_else(|e| e.into_inner()),
                    t.last_point(),
                ) {
                    (ThreadState::Rebooting, _) => "rebooting".into(),
                    (_, Some(last)) => format!("not at an update point (last passed: {last})"),
                    (_, None) => "not at an update point (none passed yet)".into(),
                },
            })
            .collect();
        let named = blockers.len() as u32;
        let waiting = alive - parked;
        if waiting > named {
            blockers.push(Blocker {
                thread: format!("task group {}", g.name),
                function: None,
                depth: waiting - named,
                detail: format!("{} more task(s) not at an update point", waiting - named),
            });
        }
        blockers
    }

    /// Withdraws this update's park request on `group` now.
    pub fn clean_failed_task_park(&mut self, group: &str) {
        if let Some(g) = self.rt.tasks.find(group) {
            release(&g, self.id);
        }
    }
}
