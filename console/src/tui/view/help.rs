//! The `?` help: the whole key table, by where the keys apply.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::boxed::box_titled;
use crate::tui::input::{Scope, compact_hints, help_lines, scope_words};
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

/// Draws the help over `area`, scrolled down `scroll` lines; a scroll past
/// the end is brought back so the last line sits at the bottom.
pub fn draw(frame: &mut Frame, area: Rect, scroll: &mut u16, theme: Theme) {
    let lines = lines(theme);
    let room = area.height.saturating_sub(2);
    let most = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_sub(room);
    *scroll = (*scroll).min(most);
    let title = format!(" Keys ({}) ", compact_hints(Scope::Help));
    let help = Paragraph::new(lines)
        .scroll((*scroll, 0))
        .block(box_titled(title, theme));
    frame.render_widget(Clear, area);
    frame.render_widget(help, area);
}
