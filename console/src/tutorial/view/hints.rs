//! The hints revealed so far, over a running exercise: each under its
//! `Hint N` heading, rendered from Markdown like the statement, scrollable,
//! the title saying how many of how many are shown.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Clear, Paragraph};

use super::markdown;
use crate::tui::theme::Theme;
use crate::tui::view::boxed::box_titled;
use crate::tutorial::screens::hint_pane::HintPane;

/// Draws the hints pane over `area`; `label` names the exercise.
pub fn draw(frame: &mut Frame, area: Rect, pane: &mut HintPane, label: &str, theme: Theme) {
    let width = usize::from(area.width.saturating_sub(4));
    let mut text = pane.hints.revealed(pane.shown);
    let left = pane.hints.len() - pane.shown.min(pane.hints.len());
    text.push('\n');
    text.push_str(&match left {
        0 => "That was the last hint: the solution (v) is what is left.".to_string(),
        1 => "One more hint is left: h reveals it.".to_string(),
        n => format!("{n} more hints are left: h reveals the next."),
    });
    let lines = markdown::render(&text, width, theme);
    let height = usize::from(area.height.saturating_sub(2));
    let window = pane.scroll.window(lines.len(), height);
    let title = format!(
        " Hints for {label} {} {} of {} revealed ",
        theme.sep(),
        pane.shown,
        pane.hints.len()
    );
    let shown: Vec<_> = lines[window]
        .iter()
        .cloned()
        .map(|mut l| {
            l.spans.insert(0, Span::raw(" "));
            l
        })
        .collect();
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(shown).block(box_titled(title, theme)), area);
}
