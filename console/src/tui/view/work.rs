//! A pane of long work — an app starting, a check — with its lines, the
//! step under way, and its outcome in a badge (PASS, FAIL) with the reason
//! beside it, wrapped, so a verdict cannot be missed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::boxed::box_titled;
use super::wrap::wrap_plain;
use crate::tui::theme::Theme;
use crate::tui::work_log::Verdict;
use crate::tui::work_log::WorkLog;

/// Log lines a pane keeps in sight under its outcome, at least.
const LOG_ROWS_MIN: usize = 4;

/// The rows the pane needs at `width` columns to show its outcome, its
/// hint and a few log lines (the caller gives it more room when it can).
pub fn rows_needed(log: &WorkLog, fail_label: &str, width: u16, theme: Theme) -> u16 {
    let inner_width = usize::from(width.saturating_sub(2));
    let bottom = bottom(log, fail_label, "", inner_width, theme).len();
    (2 + bottom + log.lines.len().min(LOG_ROWS_MIN)) as u16
}

/// The outcome (a blank line, the badge and reason) and the hint.
fn bottom(
    log: &WorkLog,
    fail_label: &str,
    hint: &str,
    inner_width: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    let mut bottom = Vec::new();
    if let Some(outcome) = &log.outcome {
        let (label, badge, text, style) = match outcome {
            Verdict::Pass(seen) => ("PASS", theme.pass(), seen, theme.ok()),
            Verdict::Fail(why) => (fail_label, theme.fail(), why, theme.error()),
        };
        bottom.push(Line::raw(""));
        bottom.extend(verdict(label, badge, text, style, inner_width));
    }
    bottom.push(Line::styled(format!(" {hint}"), theme.dim()));
    bottom
}

/// Draws `log` over `area`; a failure's badge reads `fail_label`; `hint`
/// (what the learner can do now) ends the pane.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    log: &WorkLog,
    fail_label: &str,
    hint: &str,
    theme: Theme,
) {
    let inner_width = usize::from(area.width.saturating_sub(2));
    let inner_height = usize::from(area.height.saturating_sub(2));
    let mut bottom = bottom(log, fail_label, hint, inner_width, theme);
    // The outcome first; the log's last lines in the room left.
    let keep = bottom.len().min(inner_height);
    let bottom = bottom.split_off(bottom.len() - keep);
    let room = inner_height - bottom.len();
    let skip = log.lines.len().saturating_sub(room);
    // The step under way: the last step line, while the work runs.
    let current = log
        .running()
        .then(|| log.lines.iter().rposition(|l| l.step))
        .flatten();
    let mut lines: Vec<Line<'static>> = log
        .lines
        .iter()
        .enumerate()
        .skip(skip)
        .map(|(i, l)| match l.step {
            true if Some(i) == current => {
                Line::styled(format!(" {} {}...", theme.dot(), l.text), theme.warn())
            }
            true => Line::styled(format!(" {} {}", theme.arrow(), l.text), theme.title()),
            false => Line::raw(format!("   {}", l.text)),
        })
        .collect();
    lines.extend(bottom);
    let title = format!(" {} ", log.title);
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(box_titled(title, theme)), area);
}

/// ` FAIL  the reason, wrapped beside the badge`.
fn verdict(
    label: &str,
    badge: ratatui::style::Style,
    text: &str,
    style: ratatui::style::Style,
    width: usize,
) -> Vec<Line<'static>> {
    let badge_text = format!(" {label} ");
    let indent = badge_text.len() + 2;
    let wrapped = wrap_plain(text, width.saturating_sub(indent + 1), style);
    wrapped
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let mut spans = if i == 0 {
                vec![
                    Span::raw(" "),
                    Span::styled(badge_text.clone(), badge),
                    Span::raw(" "),
                ]
            } else {
                vec![Span::raw(" ".repeat(indent))]
            };
            spans.extend(line.spans);
            Line::from(spans)
        })
        .collect()
}
