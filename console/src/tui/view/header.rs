//! The header: who the app is and the connection state with warnings, the
//! view tabs, and one line on the update in progress.

use std::time::Duration;

use moult_protocol::Blocker;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::lifecycle::attempts;
use super::wrap::fit;
use crate::render;
use crate::tui::state::{AppState, Link};
use crate::tui::theme::Theme;
use crate::tui::ui::Ui;
use crate::tui::view_id::ViewId;

/// Draws the three header lines.
pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, ui: &Ui) {
    let theme = ui.theme;
    let width = usize::from(area.width);
    let lines: Vec<Line<'static>> = [
        identity(state, ui, theme),
        tabs(state, ui, theme),
        news(state, theme),
    ]
    .into_iter()
    .map(|line| fit(line, width, theme.ellipsis()))
    .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

fn identity(state: &AppState, ui: &Ui, theme: Theme) -> Line<'static> {
    let sep = theme.sep();
    let mut spans = vec![Span::styled(" moult ", theme.title())];
    spans.push(Span::raw(match &state.agent {
        Some(a) => format!("{} pid {} {sep} ", a.app, a.pid),
        None => format!("? {sep} "),
    }));
    let link_style = match state.link {
        Link::Connected => theme.ok(),
        Link::Reconnecting { .. } => theme.warn(),
        Link::Detached { .. } => theme.error(),
    };
    spans.push(Span::styled(
        format!("{} {}", theme.dot(), state.link.word()),
        link_style,
    ));
    if ui.paused {
        spans.push(Span::styled(format!(" {sep} PAUSED"), theme.warn()));
    }
    if state.dropped_events > 0 {
        spans.push(Span::styled(
            format!(
                " {} {} events dropped",
                theme.warn_mark(),
                state.dropped_events
            ),
            theme.warn(),
        ));
    }
    if state.dropped_subscribers > 0 {
        spans.push(Span::styled(
            format!(
                " {} {} subscriber(s) dropped",
                theme.warn_mark(),
                state.dropped_subscribers
            ),
            theme.warn(),
        ));
    }
    for u in state.updates.rows.iter().filter(|u| u.watch.is_some()) {
        spans.push(Span::styled(
            format!(" {sep} watching {} #{}", u.name, u.id),
            theme.warn(),
        ));
    }
    // Last: what matters least when the line is cut at 80 columns.
    if let Some(a) = &state.agent {
        spans.push(Span::styled(
            format!(
                " {sep} moult {} {} {sep} up {}",
                a.moult_version,
                a.cargo_profile,
                render::duration(Duration::from_millis(state.uptime_ms))
            ),
            theme.dim(),
        ));
    }
    Line::from(spans)
}

fn tabs(state: &AppState, ui: &Ui, theme: Theme) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    for (i, view) in ViewId::ALL.into_iter().enumerate() {
        let count = match view {
            ViewId::Threads => Some(state.threads.len() + state.tasks.groups.len()),
            ViewId::Functions => Some(state.functions.rows.len()),
            ViewId::Classes => Some(state.classes.rows.len()),
            ViewId::Updates => Some(state.updates.rows.len()),
            ViewId::Alterability => None,
        };
        let label = match count {
            Some(n) => format!("{} {} {n}", i + 1, view.title()),
            None => format!("{} {}", i + 1, view.title()),
        };
        if view == ui.view && ui.detail.is_none() {
            spans.push(Span::styled(format!("[{label}]"), theme.selected()));
        } else {
            spans.push(Span::styled(format!(" {label} "), theme.dim()));
        }
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

/// The one line that matters most now: a lost connection, else the
/// update in progress (and what blocks it), else the last one's outcome.
fn news(state: &AppState, theme: Theme) -> Line<'static> {
    match &state.link {
        Link::Reconnecting { reason } => {
            return Line::styled(format!(" reconnecting: {reason}"), theme.warn());
        }
        Link::Detached { reason } => {
            return Line::styled(
                format!(" detached: {reason}; showing its last state"),
                theme.error(),
            );
        }
        Link::Connected => {}
    }
    let queued = state.updates.queued().count();
    if let Some(u) = state.updates.current() {
        let mut text = format!(" {} #{}: {}", u.name, u.id, u.step.name());
        if u.attempts > 0 {
            text.push_str(&format!(" {}", attempts(u)));
        }
        if let Some((first, more)) = first_blocker(u.last_blockers()) {
            // The first blocker, short: the detail and the Alterability view have them all.
            text.push_str(&format!(", blocked by {first}"));
            if more > 0 {
                text.push_str(&format!(" +{more}"));
            }
            return Line::styled(text, theme.warn());
        }
        return Line::styled(text, theme.ok());
    }
    match state.updates.rows.last() {
        _ if queued > 0 => Line::styled(format!(" {queued} update(s) queued"), theme.warn()),
        Some(u) => {
            let outcome = u
                .outcome
                .as_ref()
                .map_or_else(|| "-".into(), render::outcome);
            Line::styled(
                format!(" last update {} #{}: {outcome}", u.name, u.id),
                theme.dim(),
            )
        }
        None => Line::styled(" no update yet: press a to stage one", theme.dim()),
    }
}

/// The first of `blockers` in a few words (`busy-caller in app::f (depth
/// 1)`, `7 conn tasks not at a point`), and how many more there are (a
/// task group counts once).
fn first_blocker(blockers: &[Blocker]) -> Option<(String, usize)> {
    let groups = render::group_blockers(blockers);
    let threads: Vec<&Blocker> = blockers
        .iter()
        .filter(|b| render::blocker_of(b) == render::BlockerOf::Thread)
        .collect();
    let more = (threads.len() + groups.len()).checked_sub(1)?;
    let first = match threads.first() {
        Some(b) => match &b.function {
            Some(function) => format!("{} in {function} (depth {})", b.thread, b.depth),
            None => b.thread.clone(),
        },
        None => groups.first()?.short(),
    };
    Some((first, more))
}
