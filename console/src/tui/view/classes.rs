//! The Classes view: every tracked class, its version, live instances per
//! version, a pending lazy conversion's gauge, and the instance count over time.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

use super::sparkline::{gauge, sparkline};
use super::table::{self, Column, TableSpec};
use crate::tui::rows::classes::{SORTS, rows};
use crate::tui::state::{AppState, ClassRow};
use crate::tui::table_nav::TableNav;
use crate::tui::theme::Theme;

const SPARK_WIDTH: usize = 8;
const GAUGE_WIDTH: usize = 6;

const COLUMNS: &[Column] = &[
    Column {
        title: "NAME",
        width: Constraint::Min(16),
    },
    Column {
        title: "VER",
        width: Constraint::Length(4),
    },
    Column {
        title: "LIVE",
        width: Constraint::Length(16),
    },
    Column {
        title: "CONVERSION",
        width: Constraint::Length(18),
    },
    Column {
        title: "HISTORY",
        width: Constraint::Length(SPARK_WIDTH as u16),
    },
];

/// Live instances per version, e.g. `v0:5000 v1:5000`.
pub fn live_per_version(c: &ClassRow) -> String {
    let live: Vec<String> = c
        .info
        .versions
        .iter()
        .filter(|v| v.live > 0)
        .map(|v| format!("v{}:{}", v.version, v.live))
        .collect();
    if live.is_empty() {
        "-".into()
    } else {
        live.join(" ")
    }
}

/// The conversion cell: a gauge and converted/total, or `-`.
pub fn conversion(c: &ClassRow, width: usize, theme: Theme) -> String {
    match c.conversion {
        Some(conv) => format!(
            "{} {}/{}",
            gauge(conv.ratio(), width, theme),
            conv.converted,
            conv.total
        ),
        None => "-".into(),
    }
}

/// Draws the view.
pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, nav: &mut TableNav, theme: Theme) {
    let rows = rows(state, nav);
    let spec = TableSpec {
        title: "Classes".into(),
        columns: COLUMNS,
        empty: "no tracked class (declare them with moult::class!)",
        sort: SORTS[nav.sort % SORTS.len()],
        highlight: true,
    };
    table::draw(frame, area, spec, nav, rows.len(), theme, |i| {
        let c = &state.classes.rows[rows[i]];
        let conv_style = if c.lazy_pending() {
            theme.warn()
        } else {
            theme.ok()
        };
        Row::new(vec![
            Cell::from(c.info.name.clone()),
            Cell::from(format!("v{}", c.info.version)),
            Cell::from(live_per_version(c)),
            Cell::from(Span::styled(conversion(c, GAUGE_WIDTH, theme), conv_style)),
            Cell::from(Span::styled(
                sparkline(c.history.tail(SPARK_WIDTH), SPARK_WIDTH, theme),
                theme.ok(),
            )),
        ])
    });
}
