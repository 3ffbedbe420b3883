//! The build pane: cargo's output while an update crate builds, its errors
//! when it fails — the long-work pane with the build's own hint.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::work;
use crate::tui::input::{Scope, hint_text, screen_hints};
use crate::tui::theme::Theme;
use crate::tui::work_log::WorkLog;

/// Draws the pane over `area`.
pub fn draw(frame: &mut Frame, area: Rect, log: &WorkLog, theme: Theme) {
    let hint = hint_text(&screen_hints(Scope::Build));
    work::draw(frame, area, log, "FAIL", &hint, theme);
}
