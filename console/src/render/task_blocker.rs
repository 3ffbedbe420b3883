//! Blockers of tasks, read back from the protocol's [`Blocker`]: the agent
//! names a few tasks not at an update point (`task conn#12`) and counts
//! the rest of their group (`task group conn`, depth = how many more).
//! Here they are told apart from threads' blockers and summed up, one
//! line per group: `conn: 7 tasks not at a point — conn#12 last passed
//! idle, conn#13 none passed yet, +5 more`.

use moult_protocol::Blocker;

/// How the agent names a task in a blocker: `task <group>#<id>`.
const TASK: &str = "task ";
/// How the agent names the rest of a group: `task group <group>`.
const GROUP: &str = "task group ";

/// What a blocker is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockerOf<'a> {
    /// A thread (a hot function still active, or a DSU thread not parked).
    Thread,
    /// One task of `group`, not at an update point.
    Task {
        /// Its group.
        group: &'a str,
        /// How it is named: `conn#12`.
        label: &'a str,
    },
    /// `more` tasks of `group` not at an update point, besides those named.
    Rest {
        /// The group.
        group: &'a str,
        /// How many.
        more: u32,
    },
    /// The group itself could not be asked (no such group): the detail says why.
    Group {
        /// The group.
        group: &'a str,
    },
}

/// What `b` is about.
pub fn blocker_of(b: &Blocker) -> BlockerOf<'_> {
    if let Some(group) = b.thread.strip_prefix(GROUP) {
        if b.function.is_none() && b.depth > 0 {
            return BlockerOf::Rest {
                group,
                more: b.depth,
            };
        }
        return BlockerOf::Group { group };
    }
    if let Some(label) = b.thread.strip_prefix(TASK)
        && let Some((group, id)) = label.rsplit_once('#')
        && !id.is_empty()
        && id.bytes().all(|c| c.is_ascii_digit())
    {
        return BlockerOf::Task { group, label };
    }
    BlockerOf::Thread
}

/// A task blocker's detail, short: `last passed idle`, `none passed yet`,
/// `rebooting` (anything else as the agent said it).
pub fn task_detail(detail: &str) -> String {
    const NOT_AT: &str = "not at an update point";
    match detail.strip_prefix(NOT_AT).map(str::trim) {
        Some("(none passed yet)") => "none passed yet".into(),
        Some(rest) => match rest
            .strip_prefix("(last passed:")
            .and_then(|r| r.strip_suffix(')'))
        {
            Some(point) => format!("last passed {}", point.trim()),
            None if rest.is_empty() => "not at a point".into(),
            None => detail.into(),
        },
        None => detail.into(),
    }
}

/// The task blockers of one group, summed up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupBlockers<'a> {
    /// The group.
    pub group: &'a str,
    /// The tasks the agent named, with their short detail.
    pub named: Vec<(&'a str, String)>,
    /// How many more it counted.
    pub more: u32,
    /// Why the group could not be asked at all, if so.
    pub error: Option<&'a str>,
}

impl GroupBlockers<'_> {
    /// Tasks not at an update point in all.
    pub fn total(&self) -> u32 {
        self.named.len() as u32 + self.more
    }

    /// `conn: 7 tasks not at a point — conn#12 last passed idle, +6 more`,
    /// naming at most `names` tasks.
    pub fn line(&self, names: usize) -> String {
        if let Some(error) = self.error {
            return format!("tasks {}: {error}", self.group);
        }
        let total = self.total();
        let mut s = format!(
            "{}: {total} task{} not at a point",
            self.group,
            if total == 1 { "" } else { "s" }
        );
        let each: Vec<String> = self
            .named
            .iter()
            .take(names)
            .map(|(label, detail)| format!("{label} {detail}"))
            .collect();
        if !each.is_empty() {
            s.push_str(" — ");
            s.push_str(&each.join(", "));
            let rest = total - each.len() as u32;
            if rest > 0 {
                s.push_str(&format!(", +{rest} more"));
            }
        }
        s
    }

    /// `7 conn tasks not at a point`: for a one-line header.
    pub fn short(&self) -> String {
        match self.error {
            Some(_) => format!("task group {}", self.group),
            None => {
                let total = self.total();
                let s = if total == 1 { "" } else { "s" };
                format!("{total} {} task{s} not at a point", self.group)
            }
        }
    }
}

/// The task blockers among `blockers`, one entry per group in the order
/// the groups first appear; threads' blockers are left out.
pub fn group_blockers(blockers: &[Blocker]) -> Vec<GroupBlockers<'_>> {
    let mut groups: Vec<GroupBlockers<'_>> = Vec::new();
    for b in blockers {
        let group = match blocker_of(b) {
            BlockerOf::Thread => continue,
            BlockerOf::Task { group, .. }
            | BlockerOf::Rest { group, .. }
            | BlockerOf::Group { group } => group,
        };
        let i = match groups.iter().position(|g| g.group == group) {
            Some(i) => i,
            None => {
                groups.push(GroupBlockers {
                    group,
                    named: Vec::new(),
                    more: 0,
                    error: None,
                });
                groups.len() - 1
            }
        };
        let entry = &mut groups[i];
        match blocker_of(b) {
            BlockerOf::Task { label, .. } => entry.named.push((label, task_detail(&b.detail))),
            BlockerOf::Rest { more, .. } => entry.more += more,
            BlockerOf::Group { .. } => entry.error = Some(&b.detail),
            BlockerOf::Thread => {}
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocker(thread: &str, depth: u32, detail: &str) -> Blocker {
        Blocker {
            thread: thread.into(),
            function: None,
            depth,
            detail: detail.into(),
        }
    }

    #[test]
    fn tasks_and_the_rest_of_their_group_are_told_from_threads() {
        let task = blocker("task conn#12", 0, "");
        assert_eq!(
            blocker_of(&task),
            BlockerOf::Task {
                group: "conn",
                label: "conn#12"
            }
        );
        let rest = blocker(
            "task group conn",
            3,
            "3 more task(s) not at an update point",
        );
        assert_eq!(
            blocker_of(&rest),
            BlockerOf::Rest {
                group: "conn",
                more: 3
            }
        );
        let missing = blocker("task group nope", 0, "no task group `nope`");
        assert_eq!(blocker_of(&missing), BlockerOf::Group { group: "nope" });
        for thread in ["main", "task runner", "task#x", "tid 42"] {
            assert_eq!(blocker_of(&blocker(thread, 0, "")), BlockerOf::Thread);
        }
    }

    #[test]
    fn a_task_blockers_detail_reads_short() {
        let d = task_detail("not at an update point (last passed: idle)");
        assert_eq!(d, "last passed idle");
        let d = task_detail("not at an update point (none passed yet)");
        assert_eq!(d, "none passed yet");
        assert_eq!(task_detail("rebooting"), "rebooting");
        assert_eq!(task_detail("not at an update point"), "not at a point");
    }

    #[test]
    fn one_line_per_group_with_its_total() {
        let blockers = [
            blocker("busy-caller", 1, ""),
            blocker(
                "task conn#12",
                0,
                "not at an update point (last passed: idle)",
            ),
            blocker(
                "task purge#2",
                0,
                "not at an update point (none passed yet)",
            ),
            blocker("task conn#13", 0, "rebooting"),
            blocker(
                "task group conn",
                5,
                "5 more task(s) not at an update point",
            ),
        ];
        let groups = group_blockers(&blockers);
        assert_eq!(groups.len(), 2);
        assert_eq!(
            groups[0].line(5),
            "conn: 7 tasks not at a point — conn#12 last passed idle, conn#13 rebooting, +5 more"
        );
        assert_eq!(
            groups[0].line(1),
            "conn: 7 tasks not at a point — conn#12 last passed idle, +6 more"
        );
        assert_eq!(groups[0].short(), "7 conn tasks not at a point");
        assert_eq!(
            groups[1].line(5),
            "purge: 1 task not at a point — purge#2 none passed yet"
        );
        let missing = [blocker("task group nope", 0, "no task group `nope`")];
        assert_eq!(
            group_blockers(&missing)[0].line(5),
            "tasks nope: no task group `nope`"
        );
    }
}
