//! Cells both live views draw alike: a target's connection state and the
//! table's title, so a fleet and a room of learners read the same way.

use ratatui::text::{Line, Span};

use super::row::LinkState;
use super::table::TargetTable;
use crate::tui::theme::Theme;

/// `connecting`, `connected`, `unreachable: <reason>`, coloured.
pub fn link(state: &LinkState, theme: Theme) -> Span<'static> {
    match state {
        LinkState::Connecting => Span::styled("connecting", theme.dim()),
        LinkState::Connected => Span::styled("connected", theme.ok()),
        LinkState::Unreachable(why) => {
            Span::styled(format!("unreachable: {}", one_line(why)), theme.error())
        }
    }
}

/// The table's title: `Fleet  3 targets: 2 connected, 1 unreachable`.
pub fn title(what: &str, noun: &str, table: &TargetTable, theme: Theme) -> Line<'static> {
    let (connected, unreachable) = table.counts();
    let total = table.rows.len();
    let plural = if total == 1 { "" } else { "s" };
    let mut spans = vec![
        Span::styled(format!(" {what} "), theme.title()),
        Span::raw(format!(" {total} {noun}{plural}: ")),
        Span::styled(format!("{connected} connected"), theme.ok()),
    ];
    if unreachable > 0 {
        spans.push(Span::raw(", "));
        spans.push(Span::styled(
            format!("{unreachable} unreachable"),
            theme.error(),
        ));
    }
    let connecting = total - connected - unreachable;
    if connecting > 0 {
        spans.push(Span::styled(
            format!(", {connecting} connecting"),
            theme.dim(),
        ));
    }
    Line::from(spans)
}

/// The footer's line: the selected row's whole reason when it is
/// unreachable (its cell is cut to the column), else `otherwise`.
pub fn status(
    table: &TargetTable,
    selected: usize,
    otherwise: &str,
    theme: Theme,
) -> Line<'static> {
    let row = table
        .rows
        .get(selected.min(table.rows.len().saturating_sub(1)));
    match row.map(|r| (&r.link, r.member.host())) {
        Some((LinkState::Unreachable(why), host)) => Line::styled(
            format!(" {host} unreachable: {}", one_line(why)),
            theme.error(),
        ),
        _ => Line::styled(otherwise.to_string(), theme.dim()),
    }
}

/// A multi-line reason (ssh's stderr) on one line.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
