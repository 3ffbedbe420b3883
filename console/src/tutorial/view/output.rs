//! The app's output: what it printed on stdout, with its stderr lines in
//! between (marked `!`), in the order they came, the newest at the bottom.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::theme::Theme;
use crate::tui::view::boxed::box_titled;
use crate::tutorial::screens::running::Running;

/// Draws the output's last lines that fit in `area`.
pub fn draw(frame: &mut Frame, area: Rect, running: &Running, theme: Theme) {
    let height = usize::from(area.height.saturating_sub(2));
    let mut lines: Vec<(std::time::Instant, bool, String)> = running
        .output
        .tail(height)
        .into_iter()
        .map(|l| (l.at, false, l.text))
        .chain(
            running
                .errors
                .tail(height)
                .into_iter()
                .map(|l| (l.at, true, l.text)),
        )
        .collect();
    lines.sort_by_key(|(at, ..)| *at);
    let skip = lines.len().saturating_sub(height);
    let mut shown: Vec<Line<'static>> = lines
        .into_iter()
        .skip(skip)
        .map(|(_, stderr, text)| {
            if stderr {
                Line::from(vec![
                    Span::styled("!", theme.error()),
                    Span::styled(format!(" {text}"), theme.warn()),
                ])
            } else {
                Line::raw(format!("  {text}"))
            }
        })
        .collect();
    if shown.is_empty() {
        shown.push(Line::styled("  (nothing printed yet)", theme.dim()));
    }
    let title = format!(
        " Output of {} {} pid {} {} stderr marked ! {} o: {} ",
        running.exercise.id,
        theme.sep(),
        running.pid,
        theme.sep(),
        theme.sep(),
        if running.zoom { "smaller" } else { "bigger" }
    );
    frame.render_widget(Paragraph::new(shown).block(box_titled(title, theme)), area);
}
