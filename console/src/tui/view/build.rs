//! The build pane: cargo's output while an update crate builds, its errors
//! when it fails.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::boxed::box_titled;
use crate::tui::build_log::{BuildLog, BuildStatus};
use crate::tui::theme::Theme;

/// Draws the pane over `area`: the last lines that fit.
pub fn draw(frame: &mut Frame, area: Rect, log: &BuildLog, theme: Theme) {
    let (title, status) = match &log.status {
        BuildStatus::Running => (format!(" Building {} ", log.dir.display()), None),
        BuildStatus::Built(lib) => (
            format!(" Built {} ", log.dir.display()),
            Some(Line::styled(
                format!("applying {}", lib.display()),
                theme.ok(),
            )),
        ),
        BuildStatus::Failed(why) => (
            format!(" Build failed: {} (Esc closes) ", log.dir.display()),
            Some(Line::styled(why.clone(), theme.error())),
        ),
    };
    let room = usize::from(area.height.saturating_sub(2)) - usize::from(status.is_some());
    let skip = log.lines.len().saturating_sub(room);
    let mut lines: Vec<Line<'static>> = log
        .lines
        .iter()
        .skip(skip)
        .map(|l| Line::raw(l.clone()))
        .collect();
    lines.extend(status);
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(box_titled(title, theme)), area);
}
