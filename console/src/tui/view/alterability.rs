//! The Alterability view, live: every attempt of the focused update with
//! what blocked it (thread, function, depth) — the answer to "why doesn't
//! my update apply?" — and the event log under it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};

use super::boxed::box_titled;
use super::table::{self, Column, TableSpec};
use crate::render::{self, BlockerOf};
use crate::tui::rows::alterability::{SORTS, lines};
use crate::tui::state::AppState;
use crate::tui::table_nav::TableNav;
use crate::tui::theme::Theme;

const COLUMNS: &[Column] = &[
    Column {
        title: "ATTEMPT",
        width: Constraint::Length(12),
    },
    Column {
        title: "THREAD",
        width: Constraint::Length(14),
    },
    Column {
        title: "FUNCTION",
        width: Constraint::Min(16),
    },
    Column {
        title: "DEPTH",
        width: Constraint::Length(5),
    },
    Column {
        title: "DETAIL",
        width: Constraint::Min(10),
    },
];

/// Draws the view.
pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, nav: &mut TableNav, theme: Theme) {
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Min(4)]).areas(area);
    let focus = state.updates.focus();
    let lines = focus.map(|u| lines(u, nav)).unwrap_or_default();
    let title = match focus {
        Some(u) => format!("Alterability: {} #{} ({})", u.name, u.id, u.step.name()),
        None => "Alterability".into(),
    };
    let spec = TableSpec {
        title,
        columns: COLUMNS,
        empty: "no alterability attempt yet",
        sort: SORTS[0],
        highlight: true,
    };
    table::draw(frame, top, spec, nav, lines.len(), theme, |i| {
        let (a, blocker) = lines[i];
        let attempt = format!("r{} {}/{}", a.round, a.attempt, a.max_tries);
        match blocker.map(|b| &a.blockers[b]) {
            None => Row::new(vec![
                Cell::from(attempt),
                Cell::from(Span::styled("alterable", theme.ok())),
            ]),
            Some(b) => {
                let (who, detail) = match render::blocker_of(b) {
                    BlockerOf::Thread => (b.thread.clone(), b.detail.clone()),
                    BlockerOf::Task { label, .. } => {
                        (format!("task {label}"), render::task_detail(&b.detail))
                    }
                    BlockerOf::Rest { group, more } => {
                        (format!("tasks {group}"), format!("+{more} more tasks"))
                    }
                    BlockerOf::Group { group } => (format!("tasks {group}"), b.detail.clone()),
                };
                Row::new(vec![
                    Cell::from(attempt),
                    Cell::from(Span::styled(who, theme.warn())),
                    Cell::from(b.function.clone().unwrap_or_else(|| "-".into())),
                    Cell::from(if b.function.is_some() {
                        b.depth.to_string()
                    } else {
                        "-".into()
                    }),
                    Cell::from(detail),
                ])
            }
        }
    });

    let height = usize::from(bottom.height.saturating_sub(2));
    let events: Vec<Line<'static>> = if state.events.is_empty() {
        vec![Line::styled(" (no event yet)", theme.dim())]
    } else {
        state
            .events
            .newest_first()
            .take(height)
            .map(|e| Line::raw(render::event_line(e)))
            .collect()
    };
    let log = Paragraph::new(events).block(box_titled(" Events (newest first) ".into(), theme));
    frame.render_widget(log, bottom);
}
