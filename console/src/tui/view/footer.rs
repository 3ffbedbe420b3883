//! The footer: the filter being typed or the last message — wrapped, so a
//! long refusal and the hint that fixes it are read whole at 80 columns —
//! then the keys of what is shown (from the key table), cut with the
//! theme's ellipsis when they do not fit.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::wrap::{fit, wrap_plain};
use crate::tui::input::{Action, Scope, compact_hints, key_of, reminder};
use crate::tui::theme::Theme;
use crate::tui::ui::{Mode, Tone, Ui};

/// Lines a message may take at most.
pub const MESSAGE_ROWS_MAX: usize = 4;

/// The status lines of the console's footer at `width` columns: the
/// filter prompt, the message, the pause, or the reminder of the keys.
fn status_lines(ui: &Ui, width: u16) -> Vec<Line<'static>> {
    let theme = ui.theme;
    match (&ui.mode, &ui.message) {
        (Mode::Filter, _) => vec![Line::from(vec![
            Span::styled(" filter: ", theme.key()),
            Span::raw(format!("{}_", ui.tables[ui.view.index()].filter)),
            Span::styled(format!("  ({})", compact_hints(Scope::Filter)), theme.dim()),
        ])],
        (_, Some(message)) => message_lines(message, width, theme),
        _ if ui.paused => {
            let resume = key_of(Action::Pause, Scope::Global).unwrap_or_default();
            vec![Line::styled(
                format!(" paused: the screen holds still; {resume} resumes"),
                theme.warn(),
            )]
        }
        _ => vec![Line::styled(format!(" {}", reminder()), theme.dim())],
    }
}

/// `message` wrapped to `width` in its tone's style, at most
/// [`MESSAGE_ROWS_MAX`] lines (the last ends with the ellipsis if more).
pub fn message_lines(message: &(Tone, String), width: u16, theme: Theme) -> Vec<Line<'static>> {
    let (tone, text) = message;
    let style = match tone {
        Tone::Error => theme.error(),
        Tone::Info => theme.ok(),
    };
    let inner = usize::from(width.saturating_sub(1));
    let mut lines = wrap_plain(text, inner, style);
    if lines.len() > MESSAGE_ROWS_MAX {
        lines.truncate(MESSAGE_ROWS_MAX);
        let last = lines.pop().unwrap_or_default();
        let mut text = last.to_string();
        text.push(' ');
        text.push_str(theme.ellipsis());
        lines.push(fit(Line::styled(text, style), inner, theme.ellipsis()));
    }
    lines
        .into_iter()
        .map(|line| {
            let mut spans = vec![Span::raw(" ")];
            spans.extend(line.spans);
            Line::from(spans).style(Style::default())
        })
        .collect()
}

/// The footer's height at `width` columns: its status lines and the keys.
pub fn height(ui: &Ui, width: u16) -> u16 {
    u16::try_from(status_lines(ui, width).len() + 1).unwrap_or(2)
}

/// Draws the footer in `area`, with `hints` (key, word) on its last line.
pub fn draw(frame: &mut Frame, area: Rect, ui: &Ui, hints: &[(String, &str)]) {
    let mut lines = status_lines(ui, area.width);
    lines.push(hint_line(hints, ui.theme, area.width));
    frame.render_widget(Paragraph::new(lines), area);
}

/// ` q quit  / filter ...`: keys in the key style, then their word; cut
/// with the theme's ellipsis at `width` columns.
pub fn hint_line(hints: &[(String, &str)], theme: Theme, width: u16) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    for (key, word) in hints {
        spans.push(Span::styled(key.clone(), theme.key()));
        spans.push(Span::raw(format!(" {word}  ")));
    }
    fit(Line::from(spans), usize::from(width), theme.ellipsis())
}
