//! The exercise's solution, shown after the learner asked for it: the
//! solution crate's `src/lib.rs`, scrollable, with how to apply it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use crate::tui::theme::Theme;
use crate::tui::view::boxed::box_titled;
use crate::tutorial::screens::running::Solution;

/// Draws the solution over `area`.
pub fn draw(frame: &mut Frame, area: Rect, solution: &mut Solution, theme: Theme) {
    let lines: Vec<&str> = solution.text.lines().collect();
    let height = usize::from(area.height.saturating_sub(2));
    let window = solution.scroll.window(lines.len(), height);
    let title = format!(
        " Solution: {} {} lines {}-{} of {} ",
        solution.path.display(),
        theme.sep(),
        window.start + 1,
        window.end,
        lines.len(),
    );
    let shown: Vec<Line<'static>> = lines[window]
        .iter()
        .map(|l| Line::styled(format!(" {l}"), theme.code()))
        .collect();
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(shown).block(box_titled(title, theme)), area);
}
