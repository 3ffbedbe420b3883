//! The running exercise: the console's header, one line on the exercise
//! (the app, the last check), the console's current view with the app's
//! output under it (or the output alone, zoomed), the footer with the
//! exercise's keys first, and what is open over them: the console's
//! prompts, a question, the hints, the solution, the check pane.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{hints as hint_view, output, solution};
use crate::tui::input::{Scope, exercise_hints, screen_hints};
use crate::tui::theme::Theme;
use crate::tui::view::work;
use crate::tui::view::{confirm, draw_body, draw_prompt, footer, header};
use crate::tutorial::check::Verdict;
use crate::tutorial::screens::running::{AppLife, Overlay, Running};

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, running: &mut Running) {
    let theme = running.console.ui.theme;
    let [head, line, body, foot] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(1),
        Constraint::Min(6),
        Constraint::Length(footer::height(&running.console.ui, frame.area().width)),
    ])
    .areas(frame.area());
    header::draw(frame, head, &running.console.state, &running.console.ui);
    exercise_line(frame, line, running, theme);
    let view = if running.zoom {
        output::draw(frame, body, running, theme);
        None
    } else {
        let output_rows = (body.height * 2 / 5).max(6);
        let [view, out] =
            Layout::vertical([Constraint::Min(4), Constraint::Length(output_rows)]).areas(body);
        draw_body(frame, view, &running.console.state, &mut running.console.ui);
        output::draw(frame, out, running, theme);
        Some(view)
    };
    let hints = match &running.overlay {
        Overlay::None => exercise_hints(running.console.ui.view, running.tutorial),
        Overlay::Solution(_) => screen_hints(Scope::Solution),
        Overlay::Hints(_) => screen_hints(Scope::HintPane),
        Overlay::CheckPane => screen_hints(Scope::CheckPane),
        Overlay::Confirm(_) => Vec::new(),
    };
    footer::draw(frame, foot, &running.console.ui, &hints);
    draw_prompt(frame, body, &mut running.console.ui);
    match &mut running.overlay {
        Overlay::None => {}
        Overlay::Confirm(ask) => confirm::draw(frame, body, &ask.question, theme),
        Overlay::Solution(shown) => solution::draw(frame, body, shown, theme),
        Overlay::Hints(pane) => {
            let label = running.exercise.label();
            hint_view::draw(frame, body, pane, &label, theme);
        }
        Overlay::CheckPane => {
            if let Some(check) = &running.check {
                let needed = work::rows_needed(check, "FAIL", body.width, theme);
                let area = view.filter(|v| v.height >= needed).unwrap_or(body);
                let hint = check_hint(check.running());
                work::draw(frame, area, check, "FAIL", hint, theme);
            }
        }
    }
}

/// What the learner can do from the check pane.
fn check_hint(running: bool) -> &'static str {
    if running {
        "Esc hides this pane; the check goes on"
    } else {
        "Esc closes. u: apply your update again  v: the solution  R: reset the app"
    }
}

/// ` 1.1 Hello world · app running (pid 4242) · last check: FAIL`.
fn exercise_line(frame: &mut Frame, area: Rect, running: &Running, theme: Theme) {
    let sep = theme.sep();
    let mut spans = vec![Span::styled(
        format!(" {} ", running.exercise.label()),
        theme.title(),
    )];
    spans.push(Span::raw(format!("{sep} ")));
    spans.push(match running.life {
        AppLife::Running => Span::styled(format!("app running (pid {})", running.pid), theme.ok()),
        AppLife::Restarting => Span::styled("app restarting", theme.warn()),
        AppLife::Exited => Span::styled("app exited: R starts it again", theme.error()),
    });
    spans.push(Span::raw(format!(" {sep} ")));
    spans.push(match &running.check {
        None => Span::styled("no check yet: edit starter/, then u", theme.dim()),
        Some(check) => match (&check.step, &check.outcome) {
            (Some(step), _) => Span::styled(format!("checking: {step}"), theme.warn()),
            (None, Some(Verdict::Pass(_))) => Span::styled("last check: PASS", theme.ok()),
            (None, Some(Verdict::Fail(why))) => Span::styled(
                format!("last check: FAIL, {}", why.lines().next().unwrap_or("")),
                theme.error(),
            ),
            (None, None) => Span::raw(""),
        },
    });
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
