//! An exercise's statement, rendered from its Markdown and scrollable.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

use super::markdown;
use crate::tui::theme::Theme;
use crate::tui::view::boxed::box_titled;
use crate::tutorial::screens::workshop::Statement;

/// Draws the statement in `area`.
pub fn draw(frame: &mut Frame, area: Rect, statement: &mut Statement, theme: Theme) {
    let width = usize::from(area.width.saturating_sub(4));
    let lines = markdown::render(&statement.text, width, theme);
    let height = usize::from(area.height.saturating_sub(2));
    let window = statement.scroll.window(lines.len(), height);
    let title = format!(
        " assets/tutorial/{}.md {} lines {}-{} of {} ",
        statement.exercise.id,
        theme.sep(),
        window.start + 1,
        window.end,
        lines.len()
    );
    let shown: Vec<_> = lines[window]
        .iter()
        .cloned()
        .map(|mut l| {
            l.spans.insert(0, Span::raw(" "));
            l
        })
        .collect();
    frame.render_widget(Paragraph::new(shown).block(box_titled(title, theme)), area);
}
