//! The Threads view: every DSU thread, its state, last update point and
//! the version of the main it runs.

use moult_protocol::ThreadState;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

use super::table::{self, Column, TableSpec};
use crate::render::thread_state;
use crate::tui::rows::threads::{SORTS, rows};
use crate::tui::state::AppState;
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
