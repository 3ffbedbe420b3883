//! The tutorial's screens: the exercise list, a statement, an app
//! starting, and the running exercise (the console's views with the app's
//! output, the check pane and the solution). Functions of the
//! [`Workshop`], like the console's views.

mod exercise;
mod hints;
mod list;
mod markdown;
mod output;
mod solution;
mod statement;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::input::{Action, Scope, hint_text, key_of, screen_hints};
use crate::tui::theme::Theme;
use crate::tui::ui::Tone;
use crate::tui::view::footer::{hint_line, message_lines};
use crate::tui::view::help;
use crate::tui::view::work;
use crate::tutorial::screens::workshop::{Screen, Workshop};

/// Draws the tutorial (or the demo).
pub fn draw(frame: &mut Frame, shop: &mut Workshop) {
    if let Screen::Running(running) = &mut shop.screen {
        exercise::draw(frame, running);
        return;
    }
    let theme = shop.theme;
    let width = frame.area().width;
    let message_rows = shop
        .message
        .as_ref()
        .map_or(1, |m| message_lines(m, width, theme).len());
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length(u16::try_from(message_rows + 1).unwrap_or(2)),
    ])
    .areas(frame.area());
    let (scope, title) = match &shop.screen {
        Screen::List => (
            Scope::List,
            format!(
                "{} exercises, {} passed",
                crate::tutorial::catalog::EXERCISES.len(),
                shop.progress.passed_count()
            ),
        ),
        Screen::Statement(s) => (
            Scope::Statement,
            format!("{}: statement", s.exercise.label()),
        ),
        Screen::Starting(s) => (Scope::Starting, format!("{}: starting", s.exercise.label())),
        Screen::Running(_) => unreachable!("drawn above"),
    };
    title_line(frame, head, shop.tutorial, &title, theme);
    match &mut shop.screen {
        Screen::List => list::draw(frame, body, &mut shop.list, &shop.progress, theme),
        Screen::Statement(statement) => statement::draw(frame, body, statement, theme),
        Screen::Starting(starting) => {
            let mut hints = screen_hints(Scope::Starting);
            if !shop.tutorial {
                // The demo has no statement to go back to.
                hints.retain(|(key, _)| key != "Esc");
            }
            let hint = hint_text(&hints);
            work::draw(frame, body, &starting.log, "COULD NOT START", &hint, theme);
        }
        Screen::Running(_) => {}
    }
    let mut hints = screen_hints(scope);
    if !shop.tutorial {
        // The demo has no statement to go back to.
        hints.retain(|(key, _)| key != "Esc");
    }
    footer(frame, foot, shop.message.as_ref(), &hints, theme);
    if let Some(scroll) = &mut shop.help {
        help::draw(frame, body, scroll, theme);
    }
}

/// ` moult tutorial · <what>` and a dim line saying what moult is.
fn title_line(frame: &mut Frame, area: Rect, tutorial: bool, what: &str, theme: Theme) {
    let mode = if tutorial { "tutorial" } else { "demo" };
    let lines = vec![
        Line::from(vec![
            Span::styled(format!(" moult {mode} "), theme.title()),
            Span::raw(format!("{} {what}", theme.sep())),
        ]),
        Line::styled(
            " Change a running Rust program without stopping it, one exercise at a time.",
            theme.dim(),
        ),
    ];
    frame.render_widget(Paragraph::new(lines), area);
}

/// The message (or `?` for the keys), then the screen's keys.
fn footer(
    frame: &mut Frame,
    area: Rect,
    message: Option<&(Tone, String)>,
    hints: &[(String, &str)],
    theme: Theme,
) {
    let mut lines = match message {
        Some(message) => message_lines(message, area.width, theme),
        None => {
            let help = key_of(Action::Help, Scope::Global).unwrap_or_default();
            vec![Line::styled(format!(" {help}: all keys"), theme.dim())]
        }
    };
    lines.push(hint_line(hints, theme, area.width));
    frame.render_widget(Paragraph::new(lines), area);
}

#[cfg(test)]
mod tests;
