//! An update's lifecycle as one line: the steps in order, those done, the
//! current one in brackets, those to come dimmed, and how it ended.

use moult_protocol::{LifecycleStep, Outcome};
use ratatui::text::{Line, Span};

use crate::tui::state::UpdateRow;
use crate::tui::theme::Theme;

/// The steps an update goes through, in order (Pymoult's hooks).
pub const STEPS: [LifecycleStep; 7] = [
    LifecycleStep::Requirements,
    LifecycleStep::Setup,
    LifecycleStep::Alterability,
    LifecycleStep::Apply,
    LifecycleStep::Resume,
    LifecycleStep::Over,
    LifecycleStep::Cleanup,
];

fn position(step: LifecycleStep) -> Option<usize> {
    STEPS.iter().position(|&s| s == step)
}

/// `n/max` attempts, `n` when the maximum is not known yet.
pub fn attempts(u: &UpdateRow) -> String {
    match u.max_tries {
        Some(max) => format!("{}/{max}", u.attempts),
        None => u.attempts.to_string(),
    }
}

/// The lifecycle line of `u`.
pub fn chain(u: &UpdateRow, theme: Theme) -> Line<'static> {
    let mut spans = Vec::new();
    if u.step == LifecycleStep::Queued {
        spans.push(Span::styled("[queued]", theme.warn()));
        spans.push(Span::raw(format!(" {} ", theme.arrow())));
    }
    // The step in progress (or where an ended update stopped).
    let at = if u.is_done() {
        position(u.reached)
    } else {
        position(u.step)
    };
    let failed = u.is_done() && !matches!(u.outcome, Some(Outcome::Applied));
    for (i, &step) in STEPS.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(format!(" {} ", theme.arrow()), theme.dim()));
        }
        let mut label = step.name().to_string();
        if step == LifecycleStep::Alterability && u.attempts > 0 {
            label = format!("{label} {}", attempts(u));
        }
        let span = match at {
            Some(at) if i == at && u.is_done() && failed => {
                Span::styled(format!("[{label} x]"), theme.error())
            }
            Some(at) if i == at && !u.is_done() => Span::styled(format!("[{label}]"), theme.warn()),
            Some(at) if i <= at => Span::styled(label, theme.ok()),
            _ if u.is_done() && !failed => Span::styled(label, theme.ok()),
            _ => Span::styled(label, theme.dim()),
        };
        spans.push(span);
    }
    if let Some(outcome) = u.outcome.as_ref().filter(|_| u.is_done()) {
        let style = if failed { theme.error() } else { theme.ok() };
        spans.push(Span::raw(format!(" {} ", theme.arrow())));
        spans.push(Span::styled(short_outcome(outcome), style));
    }
    Line::from(spans)
}

/// The outcome's word, without its reason.
pub fn short_outcome(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Applied => "applied",
        Outcome::Postponed(_) => "postponed",
        Outcome::Aborted(_) => "aborted",
        Outcome::RolledBack(_) => "rolled back",
        Outcome::Failed(_) => "failed",
    }
}
