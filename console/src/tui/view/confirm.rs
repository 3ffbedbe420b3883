//! The yes/no question before a destructive action.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::boxed::box_titled;
use crate::tui::theme::Theme;

/// Draws the question in a box across the middle of `area`.
pub fn draw(frame: &mut Frame, area: Rect, question: &str, theme: Theme) {
    let [_, middle, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(5),
        Constraint::Fill(1),
    ])
    .areas(area);
    let text = Paragraph::new(vec![
        Line::raw(question.to_string()),
        Line::styled("y / Enter: yes    n / Esc: no", theme.key()),
    ])
    .wrap(Wrap { trim: false })
    .block(box_titled(" Confirm ".into(), theme));
    frame.render_widget(Clear, middle);
    frame.render_widget(text, middle);
}
