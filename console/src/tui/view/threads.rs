//! The Threads view: every DSU thread, its state, last update point and
//! the version of the main it runs; then one row per task group (how many
//! tasks, how many parked, the points they passed, their mains), which
//! unfolds into one row per task.

use std::collections::BTreeSet;

use moult_protocol::{TaskInfo, ThreadState};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use super::table::{self, Column, TableSpec};
use crate::render::{self, GroupBlockers, thread_state};
use crate::tui::input::{Action, Scope, key_of};
use crate::tui::rows::threads::{SORTS, Selected, resolve, rows};
use crate::tui::state::{AppState, TaskGroup};
use crate::tui::table_nav::TableNav;
use crate::tui::theme::Theme;

const COLUMNS: &[Column] = &[
    Column {
        title: "NAME",
        width: Constraint::Min(12),
    },
    Column {
        title: "STATE",
        width: Constraint::Length(24),
    },
    Column {
        title: "LAST POINT",
        width: Constraint::Length(16),
    },
    Column {
        title: "MAIN",
        width: Constraint::Length(5),
    },
    Column {
        title: "REBOOTS",
        width: Constraint::Length(7),
    },
];

/// The columns once there are tasks: a group's last points and counts need
/// room that thread names give up.
const TASK_COLUMNS: &[Column] = &[
    Column {
        title: "NAME",
        width: Constraint::Min(12),
    },
    Column {
        title: "STATE",
        width: Constraint::Length(22),
    },
    Column {
        title: "LAST POINT",
        width: Constraint::Length(22),
    },
    Column {
        title: "MAIN",
        width: Constraint::Length(5),
    },
    Column {
        title: "REBOOTS",
        width: Constraint::Length(7),
    },
];

/// Draws the view; `expanded` names the task groups unfolded into their tasks.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &AppState,
    nav: &mut TableNav,
    expanded: &BTreeSet<String>,
    theme: Theme,
) {
    let rows = rows(state, nav, expanded);
    let (title, columns) = if state.tasks.is_empty() {
        ("Threads".to_string(), COLUMNS)
    } else {
        // Unfolding is what Enter does on a group row: say so where it shows.
        let enter = key_of(Action::Detail, Scope::Global).unwrap_or_default();
        let title = format!(
            "Threads and {} tasks ({enter} on a group unfolds it)",
            state.tasks.len()
        );
        (title, TASK_COLUMNS)
    };
    let spec = TableSpec {
        title,
        columns,
        empty: "no DSU thread or task (moult::dsu::spawn, moult::task::spawn)",
        sort: SORTS[nav.sort % SORTS.len()],
        highlight: true,
    };
    // The current update's blocking tasks, marked on their rows.
    let blockers = state
        .updates
        .current()
        .map(|u| u.last_blockers())
        .unwrap_or_default();
    let blocking = render::group_blockers(blockers);
    let blocks = |group: &str| blocking.iter().find(|b| b.group == group);
    table::draw(
        frame,
        area,
        spec,
        nav,
        rows.len(),
        theme,
        |i| match resolve(state, rows[i]) {
            Selected::Thread(t) => Row::new(vec![
                Cell::from(t.name.clone()),
                Cell::from(Span::styled(thread_state(&t.state), style(&t.state, theme))),
                Cell::from(t.last_point.clone().unwrap_or_else(|| "-".into())),
                Cell::from(format!("v{}", t.main_version)),
                Cell::from(t.reboots.to_string()),
            ]),
            Selected::Group(g) => group_row(g, expanded.contains(&g.name), blocks(&g.name), theme),
            Selected::Task(g, t) => Row::new(vec![
                task_name(g.label(t), blocks(&g.name), theme),
                Cell::from(Span::styled(task_state(t), style(&t.state, theme))),
                Cell::from(t.last_point.clone().unwrap_or_else(|| "-".into())),
                Cell::from(format!("v{}", t.main_version)),
                Cell::from("-"),
            ]),
        },
    );
}

/// A task's name, indented under its group; marked if the current update
/// names it among its blockers.
fn task_name(label: String, blocking: Option<&GroupBlockers<'_>>, theme: Theme) -> Cell<'static> {
    match blocking.filter(|b| b.named.iter().any(|(l, _)| *l == label)) {
        Some(_) => Cell::from(Line::from(vec![
            Span::styled(format!("{} ", theme.warn_mark()), theme.warn()),
            Span::raw(label),
        ])),
        None => Cell::from(format!("  {label}")),
    }
}

/// A group's row: `▸ conn  tasks 300, 298 parked  idle, request  v0,v1`,
/// with how many of its tasks block the current update, if any do.
fn group_row(
    g: &TaskGroup,
    open: bool,
    blocking: Option<&GroupBlockers<'_>>,
    theme: Theme,
) -> Row<'static> {
    let n = g.tasks.len();
    let s = if n == 1 { "" } else { "s" };
    let mut counts = format!("{n} task{s}, {} parked", g.parked);
    if g.rebooting > 0 {
        counts.push_str(&format!(", {} rebooting", g.rebooting));
    }
    let busy = g.parked > 0 || g.rebooting > 0;
    let points = match g.points.as_slice() {
        [] => "-".to_string(),
        [one] => one.clone(),
        [..] => format!(
            "{} +{}",
            g.common_point().unwrap_or("-"),
            g.points.len() - 1
        ),
    };
    let mains: Vec<String> = g.mains.iter().map(|v| format!("v{v}")).collect();
    let mut name = vec![Span::styled(
        format!("{} {}", theme.fold(open), g.name),
        theme.title(),
    )];
    if let Some(b) = blocking {
        name.push(Span::styled(
            format!(" {}{}", theme.warn_mark(), b.total()),
            theme.warn(),
        ));
    }
    Row::new(vec![
        Cell::from(Line::from(name)),
        Cell::from(Span::styled(
            counts,
            if busy { theme.warn() } else { theme.ok() },
        )),
        Cell::from(points),
        Cell::from(mains.join(",")),
        Cell::from("-"),
    ])
}

/// A task's state: `parked` when it is parked at the point its LAST POINT
/// column shows already.
fn task_state(t: &TaskInfo) -> String {
    match &t.state {
        ThreadState::Parked(point) if t.last_point.as_ref() == Some(point) => "parked".into(),
        other => thread_state(other),
    }
}

fn style(state: &ThreadState, theme: Theme) -> Style {
    match state {
        ThreadState::Running => theme.ok(),
        ThreadState::Parked(_) | ThreadState::Rebooting => theme.warn(),
        ThreadState::Finished => theme.dim(),
    }
}
