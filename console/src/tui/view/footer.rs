//! The footer: the filter being typed or the last message, then the keys
//! of what is shown (from the key table).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::input::reminder;
use crate::tui::theme::Theme;
use crate::tui::ui::{Mode, Tone, Ui};

/// Draws the two footer lines, with `hints` (key, word) on the second.
pub fn draw(frame: &mut Frame, area: Rect, ui: &Ui, hints: &[(String, &str)]) {
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
        _ => Line::styled(format!(" {}", reminder()), theme.dim()),
    };
    frame.render_widget(
        Paragraph::new(vec![status, hint_line(hints, ui.theme)]),
        area,
    );
}

/// ` q quit  / filter ...`: keys in the key style, then their word.
pub fn hint_line(hints: &[(String, &str)], theme: Theme) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    for (key, word) in hints {
        spans.push(Span::styled(key.clone(), theme.key()));
        spans.push(Span::raw(format!(" {word}  ")));
    }
    Line::from(spans)
}
