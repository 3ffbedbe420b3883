//! The Functions view: every hot function, its version, live activations
//! per thread, calls per second and their recent history.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

use super::sparkline::sparkline;
use super::table::{self, Column, TableSpec};
use crate::tui::rows::functions::{SORTS, rows};
use crate::tui::state::{AppState, FunctionRow};
use crate::tui::table_nav::TableNav;
use crate::tui::theme::Theme;

const SPARK_WIDTH: usize = 8;

const COLUMNS: &[Column] = &[
    Column {
        title: "NAME",
        width: Constraint::Min(20),
    },
    Column {
        title: "VER",
        width: Constraint::Length(4),
    },
    Column {
        title: "ACTIVE",
        width: Constraint::Length(16),
    },
    Column {
        title: "CALLS/S",
        width: Constraint::Length(8),
    },
    Column {
        title: "HISTORY",
        width: Constraint::Length(SPARK_WIDTH as u16),
    },
    Column {
        title: "PANICS",
        width: Constraint::Length(6),
    },
    Column {
        title: "GATE",
        width: Constraint::Length(5),
    },
];

/// Panics of the function's current version, or `-` if none.
pub fn panics(f: &FunctionRow) -> u64 {
    f.info
        .health
        .iter()
        .filter(|h| h.version == f.info.version)
        .map(|h| h.panics)
        .sum()
}

/// Live activations per thread, e.g. `busy-caller:1`, or `-`.
pub fn activity(f: &FunctionRow) -> String {
    let active: Vec<String> = f
        .info
        .threads
        .iter()
        .filter(|t| t.active > 0)
        .map(|t| format!("{}:{}", t.thread, t.active))
        .collect();
    if active.is_empty() {
        "-".into()
    } else {
        active.join(" ")
    }
}

/// Draws the view.
pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, nav: &mut TableNav, theme: Theme) {
    let rows = rows(state, nav);
    let spec = TableSpec {
        title: "Functions".into(),
        columns: COLUMNS,
        empty: "no hot function (mark them #[moult::hot])",
        sort: SORTS[nav.sort % SORTS.len()],
        highlight: true,
    };
    table::draw(frame, area, spec, nav, rows.len(), theme, |i| {
        let f = &state.functions.rows[rows[i]];
        let gate = if f.info.gated {
            Span::styled("gated", theme.warn())
        } else {
            Span::styled("-", theme.dim())
        };
        Row::new(vec![
            Cell::from(f.info.name.clone()),
            Cell::from(format!("v{}", f.info.version)),
            Cell::from(activity(f)),
            Cell::from(f.rate.map_or_else(|| "-".into(), |r| r.to_string())),
            Cell::from(Span::styled(
                sparkline(f.history.tail(SPARK_WIDTH), SPARK_WIDTH, theme),
                theme.ok(),
            )),
            match panics(f) {
                0 => Cell::from(Span::styled("-", theme.dim())),
                n => Cell::from(Span::styled(n.to_string(), theme.error())),
            },
            Cell::from(gate),
        ])
    });
}
