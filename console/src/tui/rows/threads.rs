//! The Threads table's rows: which DSU threads and task groups pass the
//! filter, in which order, and which one is selected. DSU threads come
//! first, then one row per task group; an expanded group lists its tasks
//! under it.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use moult_protocol::{TaskInfo, ThreadInfo, ThreadState};

use crate::tui::state::{AppState, TaskGroup};
use crate::tui::table_nav::TableNav;

/// What `s` cycles through.
pub const SORTS: &[&str] = &["name", "state", "main"];

/// One row of the Threads table, by index into the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadRow {
    /// `state.threads[i]`.
    Thread(usize),
    /// `state.tasks.groups[g]`.
    Group(usize),
    /// Task `t` of group `g` (shown while the group is expanded).
    Task(usize, usize),
}

/// What the selected row is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Selected<'a> {
    /// A DSU thread.
    Thread(&'a ThreadInfo),
    /// A task group.
    Group(&'a TaskGroup),
    /// One task of a group.
    Task(&'a TaskGroup, &'a TaskInfo),
}

/// The rows shown, filtered and sorted; `expanded` names the task groups
/// whose tasks are listed.
pub fn rows(state: &AppState, nav: &TableNav, expanded: &BTreeSet<String>) -> Vec<ThreadRow> {
    let threads = &state.threads;
    let mut shown: Vec<usize> = (0..threads.len())
        .filter(|&i| nav.matches(&threads[i].name))
        .collect();
    shown.sort_by(|&a, &b| {
        let (a, b) = (&threads[a], &threads[b]);
        by(nav.sort, &a.state, a.main_version, &b.state, b.main_version)
            .then_with(|| a.name.cmp(&b.name))
    });
    if nav.descending {
        shown.reverse();
    }
    let mut rows: Vec<ThreadRow> = shown.into_iter().map(ThreadRow::Thread).collect();

    let groups = &state.tasks.groups;
    let mut listed: Vec<(usize, Vec<usize>)> = groups
        .iter()
        .enumerate()
        .filter_map(|(g, group)| {
            let tasks = tasks(group, nav);
            (nav.matches(&group.name) || !tasks.is_empty()).then_some((g, tasks))
        })
        .collect();
    listed.sort_by(|(a, _), (b, _)| {
        let (a, b) = (&groups[*a], &groups[*b]);
        match nav.sort {
            1 => group_rank(a).cmp(&group_rank(b)),
            2 => a.newest_main().cmp(&b.newest_main()),
            _ => Ordering::Equal,
        }
        .then_with(|| a.name.cmp(&b.name))
    });
    if nav.descending {
        listed.reverse();
    }
    for (g, mut tasks) in listed {
        rows.push(ThreadRow::Group(g));
        if expanded.contains(&groups[g].name) {
            let of = &groups[g].tasks;
            tasks.sort_by(|&a, &b| {
                let (a, b) = (&of[a], &of[b]);
                by(nav.sort, &a.state, a.main_version, &b.state, b.main_version)
                    .then_with(|| a.id.cmp(&b.id))
            });
            if nav.descending {
                tasks.reverse();
            }
            rows.extend(tasks.into_iter().map(|t| ThreadRow::Task(g, t)));
        }
    }
    rows
}

/// The tasks of `group` that pass the filter (all of them when the group's
/// name does), by index.
fn tasks(group: &TaskGroup, nav: &TableNav) -> Vec<usize> {
    if nav.matches(&group.name) {
        return (0..group.tasks.len()).collect();
    }
    (0..group.tasks.len())
        .filter(|&t| nav.matches(&group.label(&group.tasks[t])))
        .collect()
}

/// The row `row` stands for.
pub fn resolve(state: &AppState, row: ThreadRow) -> Selected<'_> {
    match row {
        ThreadRow::Thread(i) => Selected::Thread(&state.threads[i]),
        ThreadRow::Group(g) => Selected::Group(&state.tasks.groups[g]),
        ThreadRow::Task(g, t) => {
            let group = &state.tasks.groups[g];
            Selected::Task(group, &group.tasks[t])
        }
    }
}

/// The selected row.
pub fn selected<'a>(
    state: &'a AppState,
    nav: &TableNav,
    expanded: &BTreeSet<String>,
) -> Option<Selected<'a>> {
    let rows = rows(state, nav, expanded);
    rows.get(nav.selected.min(rows.len().saturating_sub(1)))
        .map(|&row| resolve(state, row))
}

/// Orders two threads or tasks by sort key `sort` (name is the caller's tie-break).
fn by(sort: usize, a: &ThreadState, a_main: u32, b: &ThreadState, b_main: u32) -> Ordering {
    match sort {
        1 => state_rank(a).cmp(&state_rank(b)),
        2 => a_main.cmp(&b_main),
        _ => Ordering::Equal,
    }
}

fn state_rank(state: &ThreadState) -> u8 {
    match state {
        ThreadState::Parked(_) => 0,
        ThreadState::Rebooting => 1,
        ThreadState::Running => 2,
        ThreadState::Finished => 3,
    }
}

/// A group's state for sorting: all parked first, then rebooting, then running.
fn group_rank(group: &TaskGroup) -> u8 {
    if group.parked == group.tasks.len() {
        0
    } else if group.rebooting > 0 {
        1
    } else {
        2
    }
}
