//! The Updates view: the queue and past updates, the selected update's
//! lifecycle (with what blocks it, or why it failed and what was rolled
//! back), and the history from the app's journal.

use moult_protocol::Outcome;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

use super::boxed::box_titled;
use super::lifecycle::{attempts, chain, short_outcome};
use super::table::{self, Column, TableSpec};
use crate::render;
use crate::tui::input::{Action, Scope, key_of};
use crate::tui::rows::updates::{SORTS, rows, selected};
use crate::tui::state::{AppState, UpdateRow};
use crate::tui::table_nav::TableNav;
use crate::tui::theme::Theme;
use crate::tui::view_id::ViewId;

const COLUMNS: &[Column] = &[
    Column {
        title: "ID",
        width: Constraint::Length(4),
    },
    Column {
        title: "NAME",
        width: Constraint::Min(14),
    },
    Column {
        title: "STEP",
        width: Constraint::Length(12),
    },
    Column {
        title: "TRIES",
        width: Constraint::Length(8),
    },
    Column {
        title: "OUTCOME",
        width: Constraint::Min(16),
    },
];

/// What the lifecycle pane says under the line of steps: blockers, the
/// outcome's reason, what a rollback undid.
pub fn explain(u: &UpdateRow, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = vec![chain(u, theme)];
    if !u.last_blockers().is_empty() && !u.is_done() {
        lines.push(Line::styled(
            format!(
                "attempt {}: {}",
                attempts(u),
                render::blockers(u.last_blockers())
            ),
            theme.warn(),
        ));
    }
    if let Some(outcome) = &u.outcome {
        let (text, style) = match outcome {
            Outcome::Applied => ("applied".to_string(), theme.ok()),
            Outcome::Postponed(why) if !u.is_done() => (
                format!("postponed {} time(s), queued again: {why}", u.postponed),
                theme.warn(),
            ),
            other => (render::outcome(other), theme.error()),
        };
        lines.push(Line::styled(text, style));
    }
    for what in &u.rolled_back {
        lines.push(Line::styled(format!("  undid {what}"), theme.warn()));
    }
    if let Some((secs, max)) = u.watch {
        lines.push(Line::styled(
            format!(
                "watched for {secs} s: reverted if its new versions panic more than {max} times"
            ),
            theme.warn(),
        ));
    }
    if let Some(note) = u.revert_note() {
        let key = key_of(Action::Revert, Scope::View(ViewId::Updates));
        let hint = match key {
            Some(k) if u.revertible == Some(true) && u.reverted_by.is_none() => {
                format!(" ({k} reverts it)")
            }
            _ => String::new(),
        };
        lines.push(Line::styled(format!("{note}{hint}"), theme.dim()));
    }
    lines
}

/// Draws the view.
pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, nav: &mut TableNav, theme: Theme) {
    let rows = rows(state, nav);
    let selected_row = selected(state, nav);
    let lines = selected_row.map_or_else(Vec::new, |u| explain(u, theme));
    let table_height = (rows.len().max(1) as u16 + 3).min(area.height / 3).max(4);
    // The lifecycle line may wrap once; the journal keeps at least 3 lines.
    let pane_height = (lines.len() as u16 + 3).min(area.height.saturating_sub(table_height + 3));
    let [top, middle, bottom] = Layout::vertical([
        Constraint::Length(table_height),
        Constraint::Length(pane_height),
        Constraint::Min(3),
    ])
    .areas(area);
    let queued = state.updates.queued().count();
    let spec = TableSpec {
        title: format!("Updates ({queued} queued)"),
        columns: COLUMNS,
        empty: "no update yet: press a to stage one",
        sort: SORTS[nav.sort % SORTS.len()],
        highlight: true,
    };
    table::draw(frame, top, spec, nav, rows.len(), theme, |i| {
        let u = &state.updates.rows[rows[i]];
        let outcome = match &u.outcome {
            Some(o) if u.is_done() => match u.revert_note() {
                Some(note) => format!("{} ({note})", render::outcome(o)),
                None => render::outcome(o),
            },
            Some(o) => format!("(last: {})", short_outcome(o)),
            None => "-".into(),
        };
        let style = match &u.outcome {
            Some(Outcome::Applied) => theme.ok(),
            Some(_) if u.is_done() => theme.error(),
            _ => theme.warn(),
        };
        Row::new(vec![
            Cell::from(u.id.to_string()),
            Cell::from(u.name.clone()),
            Cell::from(u.step.name()),
            Cell::from(attempts(u)),
            Cell::from(Span::styled(outcome, style)),
        ])
    });

    let title = match selected_row {
        Some(u) => format!(" Lifecycle: {} #{} ", u.name, u.id),
        None => " Lifecycle ".into(),
    };
    let pane = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(box_titled(title, theme));
    frame.render_widget(pane, middle);

    let height = usize::from(bottom.height.saturating_sub(2));
    let journal: Vec<Line<'static>> = if state.journal.is_empty() {
        vec![Line::styled(" (the journal is empty)", theme.dim())]
    } else {
        state
            .journal
            .iter()
            .rev()
            .take(height)
            .map(|e| Line::raw(render::journal_entry(e)))
            .collect()
    };
    let history =
        Paragraph::new(journal).block(box_titled(" Journal (newest first) ".into(), theme));
    frame.render_widget(history, bottom);
}
