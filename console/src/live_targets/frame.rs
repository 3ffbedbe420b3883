//! How a live view is laid out: its table (title, columns, rows) over the
//! whole screen but the footer — the last message and the keys of the
//! view, from the key table — and the `?` help over it when shown.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Row, Table, TableState};

use super::ui::LiveUi;
use crate::tui::input::{Scope, screen_hints};
use crate::tui::view::footer::{hint_line, message_lines};
use crate::tui::view::help;
use crate::tui::view::table::Column;

/// What a live view draws.
pub struct Sheet<'a> {
    /// The box's title.
    pub title: Line<'static>,
    /// The columns.
    pub columns: &'a [Column],
    /// The rows (every one: a live table has as many as targets).
    pub rows: Vec<Row<'static>>,
    /// What the footer says when there is no message.
    pub status: Line<'static>,
    /// The view's keys (the footer's hints).
    pub scope: Scope,
}

/// Draws `sheet` with `ui`'s selection, message and help.
pub fn draw(frame: &mut Frame, sheet: Sheet<'_>, ui: &mut LiveUi) {
    let theme = ui.theme;
    let width = frame.area().width;
    let status = match &ui.message {
        Some(message) => message_lines(message, width, theme),
        None => vec![sheet.status],
    };
    let foot = u16::try_from(status.len() + 1).unwrap_or(2);
    let [body, footer] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(foot)]).areas(frame.area());
    let len = sheet.rows.len();
    let height = usize::from(body.height.saturating_sub(3));
    let window = ui.nav.window(len, height);
    let selected = (len > 0).then(|| ui.nav.selected - window.start);
    let rows: Vec<Row<'static>> = sheet
        .rows
        .into_iter()
        .skip(window.start)
        .take(window.len())
        .collect();
    let header = Row::new(sheet.columns.iter().map(|c| c.title)).style(theme.title());
    let table = Table::new(rows, sheet.columns.iter().map(|c| c.width))
        .header(header)
        .block(
            Block::new()
                .borders(Borders::ALL)
                .border_set(theme.border())
                .title(sheet.title),
        )
        .row_highlight_style(theme.selected());
    frame.render_stateful_widget(
        table,
        body,
        &mut TableState::default().with_selected(selected),
    );
    let mut lines = status;
    lines.push(hint_line(&screen_hints(sheet.scope), theme, width));
    frame.render_widget(ratatui::widgets::Paragraph::new(lines), footer);
    if let Some(scroll) = &mut ui.help {
        help::draw(frame, body, scroll, theme);
    }
}
