//! Tasks (`moult::task::spawn`) as the console shows them: grouped by their
//! group name, each group summed up once per snapshot so a group of
//! hundreds of connection tasks costs one row to draw.

use moult_protocol::{TaskInfo, ThreadState};

/// One group of tasks (`conn`, `purge`) and what its tasks have in common.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskGroup {
    /// The group's name: what updates address.
    pub name: String,
    /// Its live tasks, by id.
    pub tasks: Vec<TaskInfo>,
    /// How many are parked at an update point.
    pub parked: usize,
    /// How many are rebooting onto a new main.
    pub rebooting: usize,
    /// The versions of the mains its tasks run, lowest first, each once.
    pub mains: Vec<u32>,
    /// The update points its tasks passed last, sorted, each once.
    pub points: Vec<String>,
}

impl TaskGroup {
    fn new(name: String, mut tasks: Vec<TaskInfo>) -> TaskGroup {
        tasks.sort_by_key(|t| t.id);
        let parked = tasks
            .iter()
            .filter(|t| matches!(t.state, ThreadState::Parked(_)))
            .count();
        let rebooting = tasks
            .iter()
            .filter(|t| t.state == ThreadState::Rebooting)
            .count();
        let mut mains: Vec<u32> = tasks.iter().map(|t| t.main_version).collect();
        mains.sort_unstable();
        mains.dedup();
        let mut points: Vec<String> = tasks.iter().filter_map(|t| t.last_point.clone()).collect();
        points.sort_unstable();
        points.dedup();
        TaskGroup {
            name,
            tasks,
            parked,
            rebooting,
            mains,
            points,
        }
    }

    /// How a task of this group is named in blockers and on screen: `conn#12`.
    pub fn label(&self, task: &TaskInfo) -> String {
        format!("{}#{}", self.name, task.id)
    }

    /// The last point most of its tasks passed (the first by name on a tie).
    pub fn common_point(&self) -> Option<&str> {
        let count = |p: &str| {
            self.tasks
                .iter()
                .filter(|t| t.last_point.as_deref() == Some(p))
                .count()
        };
        self.points
            .iter()
            .map(String::as_str)
            .max_by(|a, b| count(a).cmp(&count(b)).then_with(|| b.cmp(a)))
    }

    /// The newest main version any of its tasks runs (0 if none).
    pub fn newest_main(&self) -> u32 {
        self.mains.last().copied().unwrap_or(0)
    }
}

/// Every task group the last snapshot reported, by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tasks {
    /// The groups, sorted by name; a group with no live task is not listed.
    pub groups: Vec<TaskGroup>,
}

impl Tasks {
    /// The tasks of a new snapshot replace the old ones: tasks that ended
    /// are gone, new ones appear, a group whose last task ended goes.
    pub fn snapshot(&mut self, tasks: &[TaskInfo]) {
        let mut names: Vec<&str> = tasks.iter().map(|t| t.group.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        self.groups = names
            .into_iter()
            .map(|name| {
                let of = tasks.iter().filter(|t| t.group == name).cloned().collect();
                TaskGroup::new(name.to_string(), of)
            })
            .collect();
    }

    /// The group named `name`.
    pub fn group(&self, name: &str) -> Option<&TaskGroup> {
        self.groups.iter().find(|g| g.name == name)
    }

    /// Every task of every group.
    pub fn len(&self) -> usize {
        self.groups.iter().map(|g| g.tasks.len()).sum()
    }

    /// Whether no task is alive.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: u64, group: &str, state: ThreadState, point: Option<&str>, main: u32) -> TaskInfo {
        TaskInfo {
            id,
            group: group.into(),
            state,
            last_point: point.map(str::to_string),
            main_version: main,
        }
    }

    #[test]
    fn tasks_are_grouped_and_summed_up_per_group() {
        let mut tasks = Tasks::default();
        tasks.snapshot(&[
            task(3, "purge", ThreadState::Running, Some("sweep"), 1),
            task(
                2,
                "conn",
                ThreadState::Parked("idle".into()),
                Some("idle"),
                0,
            ),
            task(1, "conn", ThreadState::Running, None, 1),
            task(4, "conn", ThreadState::Rebooting, Some("request"), 1),
        ]);
        let names: Vec<&str> = tasks.groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["conn", "purge"]);
        let conn = tasks.group("conn").unwrap();
        let ids: Vec<u64> = conn.tasks.iter().map(|t| t.id).collect();
        assert_eq!(ids, [1, 2, 4]);
        assert_eq!((conn.parked, conn.rebooting), (1, 1));
        assert_eq!(conn.mains, [0, 1]);
        assert_eq!(conn.points, ["idle", "request"]);
        assert_eq!(conn.newest_main(), 1);
        assert_eq!(
            conn.common_point(),
            Some("idle"),
            "a tie: the first by name"
        );
        assert_eq!(conn.label(&conn.tasks[0]), "conn#1");
        assert_eq!(tasks.len(), 4);
        tasks.snapshot(&[]);
        assert!(tasks.is_empty());
    }
}
