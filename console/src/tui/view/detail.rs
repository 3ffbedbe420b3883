//! The detail view (Enter on a row, Esc back): everything known about one
//! thread, function, class or update.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::boxed::box_titled;
use super::classes::live_per_version;
use super::sparkline::{gauge, sparkline};
use super::updates::explain;
use crate::render;
use crate::tui::state::AppState;
use crate::tui::theme::Theme;
use crate::tui::ui::Detail;

/// A `label: value` line.
fn field(label: &str, value: String, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<14}"), theme.title()),
        Span::raw(value),
    ])
}

/// Draws the detail of `detail`.
pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, detail: &Detail, theme: Theme) {
    let wide = usize::from(area.width.saturating_sub(18)).max(8);
    let (title, lines) = match detail {
        Detail::Thread(name) => (format!("Thread {name}"), thread(state, name, theme)),
        Detail::Task { group, id } => {
            (format!("Task {group}#{id}"), task(state, group, *id, theme))
        }
        Detail::Function(name) => (
            format!("Function {name}"),
            function(state, name, wide, theme),
        ),
        Detail::Class(name) => (format!("Class {name}"), class(state, name, wide, theme)),
        Detail::Update(id) => (format!("Update #{id}"), update(state, *id, theme)),
    };
    let lines = lines.unwrap_or_else(|| {
        vec![Line::styled(
            "gone: the app no longer reports it (Esc to go back)",
            theme.warn(),
        )]
    });
    let pane = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(box_titled(format!(" {title} (Esc: back) "), theme));
    frame.render_widget(pane, area);
}

fn thread(state: &AppState, name: &str, theme: Theme) -> Option<Vec<Line<'static>>> {
    let t = state.threads.iter().find(|t| t.name == name)?;
    let mut lines = vec![
        field("state", render::thread_state(&t.state), theme),
        field(
            "last point",
            t.last_point.clone().unwrap_or_else(|| "-".into()),
            theme,
        ),
        field("main", format!("v{}", t.main_version), theme),
        field("reboots", t.reboots.to_string(), theme),
        Line::raw(""),
        Line::styled("hot functions called on this thread:", theme.title()),
    ];
    for f in &state.functions.rows {
        if let Some(a) = f.info.threads.iter().find(|a| a.thread == name) {
            lines.push(Line::raw(format!(
                "  {}  v{}  active {}  calls {}",
                f.info.name, f.info.version, a.active, a.calls
            )));
        }
    }
    Some(lines)
}

fn task(state: &AppState, group: &str, id: u64, theme: Theme) -> Option<Vec<Line<'static>>> {
    let g = state.tasks.group(group)?;
    let t = g.tasks.iter().find(|t| t.id == id)?;
    let label = g.label(t);
    let mut lines = vec![
        field("group", group.to_string(), theme),
        field("state", render::thread_state(&t.state), theme),
        field(
            "last point",
            t.last_point.clone().unwrap_or_else(|| "-".into()),
            theme,
        ),
        field("main", format!("v{}", t.main_version), theme),
        field(
            "its group",
            format!("{} task(s), {} parked", g.tasks.len(), g.parked),
            theme,
        ),
    ];
    if let Some(u) = state.updates.current() {
        let blockers = u.last_blockers();
        if let Some(b) = render::group_blockers(blockers)
            .into_iter()
            .find(|b| b.group == group)
        {
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                format!("blocks update {} #{}:", u.name, u.id),
                theme.title(),
            ));
            lines.push(Line::styled(format!("  {}", b.line(5)), theme.warn()));
            if let Some((_, why)) = b.named.iter().find(|(l, _)| *l == label) {
                lines.push(Line::styled(format!("  this task: {why}"), theme.warn()));
            }
        }
    }
    Some(lines)
}

fn function(state: &AppState, name: &str, wide: usize, theme: Theme) -> Option<Vec<Line<'static>>> {
    let f = state.functions.rows.iter().find(|f| f.info.name == name)?;
    let mut lines = vec![
        field("signature", f.info.signature.clone(), theme),
        field("version", format!("v{}", f.info.version), theme),
        field(
            "entry gate",
            if f.info.gated {
                "closed: an update holds new callers".into()
            } else {
                "open".into()
            },
            theme,
        ),
        field(
            "calls/s",
            f.rate.map_or_else(|| "-".into(), |r| r.to_string()),
            theme,
        ),
        field(
            "history",
            sparkline(f.history.tail(wide), wide, theme),
            theme,
        ),
        Line::raw(""),
        Line::styled("per thread:  ACTIVE (depth)  CALLS", theme.title()),
    ];
    for a in &f.info.threads {
        lines.push(Line::raw(format!(
            "  {:<20} {:>6}  {}",
            a.thread, a.active, a.calls
        )));
    }
    if !f.info.health.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("per version:  CALLS  PANICS", theme.title()));
        for h in &f.info.health {
            let text = format!("  v{:<10} {:>6}  {}", h.version, h.calls, h.panics);
            lines.push(if h.panics > 0 {
                Line::styled(text, theme.warn())
            } else {
                Line::raw(text)
            });
        }
    }
    Some(lines)
}

fn class(state: &AppState, name: &str, wide: usize, theme: Theme) -> Option<Vec<Line<'static>>> {
    let c = state.classes.rows.iter().find(|c| c.info.name == name)?;
    let mut lines = vec![
        field(
            "version",
            format!("v{} (new instances)", c.info.version),
            theme,
        ),
        field(
            "live",
            format!("{} ({})", c.live, live_per_version(c)),
            theme,
        ),
        field("pending lazy", c.info.pending_lazy.to_string(), theme),
    ];
    if let Some(conv) = c.conversion {
        lines.push(field(
            if conv.lazy {
                "lazy conv."
            } else {
                "eager conv."
            },
            format!(
                "{} {}/{}",
                gauge(conv.ratio(), wide.saturating_sub(16).max(4), theme),
                conv.converted,
                conv.total
            ),
            theme,
        ));
    }
    lines.push(field(
        "instances",
        sparkline(c.history.tail(wide), wide, theme),
        theme,
    ));
    lines.push(Line::raw(""));
    lines.push(Line::styled("per version:  LIVE  TYPE", theme.title()));
    for v in &c.info.versions {
        lines.push(Line::raw(format!(
            "  v{:<4} {:>8}  {}",
            v.version, v.live, v.type_name
        )));
    }
    Some(lines)
}

fn update(state: &AppState, id: u64, theme: Theme) -> Option<Vec<Line<'static>>> {
    let u = state.updates.get(id)?;
    let mut lines = vec![
        field("name", u.name.clone(), theme),
        field("step", u.step.name().into(), theme),
        field("postponed", format!("{} time(s)", u.postponed), theme),
        Line::raw(""),
    ];
    lines.extend(explain(u, theme));
    if !u.tries.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("attempts (newest first):", theme.title()));
        for a in u.tries.iter().rev().take(50) {
            lines.push(Line::raw(format!(
                "  r{} {}/{}: {}",
                a.round,
                a.attempt,
                a.max_tries,
                render::blockers(&a.blockers)
            )));
        }
    }
    Some(lines)
}
