//! The `?` help: the whole key table, by where the keys apply.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::boxed::box_titled;
use crate::tui::input::{help_lines, scope_words};
use crate::tui::theme::Theme;

/// Every help line, with a heading where the scope changes.
pub fn lines(theme: Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let mut scope = None;
    for line in help_lines() {
        if scope != Some(line.scope) {
            if scope.is_some() {
                out.push(Line::raw(""));
            }
            let mut heading = scope_words(line.scope);
            heading[..1].make_ascii_uppercase();
            out.push(Line::styled(heading, theme.title()));
            scope = Some(line.scope);
        }
        out.push(Line::from(vec![
            Span::styled(format!("  {:<16}", line.keys), theme.key()),
            Span::raw(line.help),
        ]));
    }
    out
}

/// Draws the help over `area`, scrolled down `scroll` lines.
pub fn draw(frame: &mut Frame, area: Rect, scroll: u16, theme: Theme) {
    let help = Paragraph::new(lines(theme))
        .scroll((scroll, 0))
        .block(box_titled(
            " Keys (Up/Down scroll, any other key closes) ".into(),
            theme,
        ));
    frame.render_widget(Clear, area);
    frame.render_widget(help, area);
}
