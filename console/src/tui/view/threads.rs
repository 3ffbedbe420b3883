//! The Threads view: every DSU thread, its state, last update point and
//! the version of the main it runs.

use std::cmp::Ordering;

use moult_protocol::{ThreadInfo, ThreadState};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

use super::Theme;
use super::table::{self, Column, TableSpec};
use crate::render::thread_state;
use crate::tui::state::AppState;
use crate::tui::table_nav::TableNav;

/// What `s` cycles through.
pub const SORTS: &[&str] = &["name", "state", "main"];

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

/// The threads shown, filtered and sorted: indices into `state.threads`.
pub fn rows(state: &AppState, nav: &TableNav) -> Vec<usize> {
    let threads = &state.threads;
    let mut rows: Vec<usize> = (0..threads.len())
        .filter(|&i| nav.matches(&threads[i].name))
        .collect();
    let key = |a: &ThreadInfo, b: &ThreadInfo| -> Ordering {
        match nav.sort {
            1 => state_rank(&a.state).cmp(&state_rank(&b.state)),
            2 => a.main_version.cmp(&b.main_version),
            _ => Ordering::Equal,
        }
        .then_with(|| a.name.cmp(&b.name))
    };
    rows.sort_by(|&a, &b| key(&threads[a], &threads[b]));
    if nav.descending {
        rows.reverse();
    }
    rows
}

/// The selected thread.
pub fn selected<'a>(state: &'a AppState, nav: &TableNav) -> Option<&'a ThreadInfo> {
    let rows = rows(state, nav);
    rows.get(nav.selected.min(rows.len().saturating_sub(1)))
        .map(|&i| &state.threads[i])
}

fn state_rank(state: &ThreadState) -> u8 {
    match state {
        ThreadState::Parked(_) => 0,
        ThreadState::Rebooting => 1,
        ThreadState::Running => 2,
        ThreadState::Finished => 3,
    }
}

/// Draws the view.
pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, nav: &mut TableNav, theme: Theme) {
    let rows = rows(state, nav);
    let spec = TableSpec {
        title: "Threads".into(),
        columns: COLUMNS,
        empty: "no DSU thread (the app spawns them with moult::dsu::spawn)",
        sort: SORTS[nav.sort % SORTS.len()],
        highlight: true,
    };
    table::draw(frame, area, spec, nav, rows.len(), theme, |i| {
        let t = &state.threads[rows[i]];
        let style = match t.state {
            ThreadState::Running => theme.ok(),
            ThreadState::Parked(_) | ThreadState::Rebooting => theme.warn(),
            ThreadState::Finished => theme.dim(),
        };
        Row::new(vec![
            Cell::from(t.name.clone()),
            Cell::from(Span::styled(thread_state(&t.state), style)),
            Cell::from(t.last_point.clone().unwrap_or_else(|| "-".into())),
            Cell::from(format!("v{}", t.main_version)),
            Cell::from(t.reboots.to_string()),
        ])
    });
}
