//! A bordered box with a title in the theme's style: the frame of every
//! pane, prompt and detail.

use ratatui::text::Span;
use ratatui::widgets::{Block, Borders};

use crate::tui::theme::Theme;

/// A bordered box with a title in the theme's style.
pub fn box_titled(title: String, theme: Theme) -> Block<'static> {
    Block::new()
        .borders(Borders::ALL)
        .border_set(theme.border())
        .title(Span::styled(title, theme.title()))
}
