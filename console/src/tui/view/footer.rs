//! The footer: the filter being typed or the last message, then the keys
//! of the current view (from the key table).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::input::footer_hints;
use crate::tui::ui::{Mode, Tone, Ui};

/// Draws the two footer lines.
pub fn draw(frame: &mut Frame, area: Rect, ui: &Ui) {
    let theme = ui.theme;
    let status = match (&ui.mode, &ui.message) {
        (Mode::Filter, _) => Line::from(vec![
            Span::styled(" filter: ", theme.key()),
            Span::raw(format!("{}_", ui.tables[ui.view.index()].filter)),
            Span::styled("  (Enter keeps it, Esc clears it)", theme.dim()),
        ]),
        (_, Some((Tone::Error, text))) => Line::styled(format!(" {text}"), theme.error()),
        (_, Some((Tone::Info, text))) => Line::styled(format!(" {text}"), theme.ok()),
        _ if ui.paused => Line::styled(" paused: the screen holds still; p resumes", theme.warn()),
        _ => Line::styled(
            " Enter: details  Tab/1-5: views  s: sort  ?: all keys",
            theme.dim(),
        ),
    };
    let mut hints = vec![Span::raw(" ")];
    for (key, word) in footer_hints(ui.view) {
        hints.push(Span::styled(key, theme.key()));
        hints.push(Span::raw(format!(" {word}  ")));
    }
    frame.render_widget(Paragraph::new(vec![status, Line::from(hints)]), area);
}
