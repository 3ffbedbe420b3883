//! Drawing the leader's view: a row per learner — who, connection, the
//! exercise they are on, exercises passed, last check (pass or fail), hints
//! used, the exercise app Enter attaches to. The footer gives the selected
//! row's whole story when its cell cannot: why it is unreachable, else why
//! its last check failed.

use ratatui::Frame;
use ratatui::layout::Constraint;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use super::learner::Learner;
use super::screen::WorkshopScreen;
use crate::live_targets::frame::{self, Sheet};
use crate::live_targets::{LinkState, TargetRow, cells};
use crate::render::rfc3339_utc;
use crate::tui::input::{Action, Scope, key_of};
use crate::tui::theme::Theme;
use crate::tui::view::table::Column;
use crate::tutorial::progress::Outcome;

/// The columns.
const COLUMNS: [Column; 7] = [
    Column {
        title: "learner",
        width: Constraint::Max(20),
    },
    Column {
        title: "connection",
        width: Constraint::Fill(1),
    },
    Column {
        title: "exercise",
        width: Constraint::Min(24),
    },
    Column {
        title: "passed",
        width: Constraint::Length(6),
    },
    Column {
        title: "last check",
        width: Constraint::Fill(1),
    },
    Column {
        title: "hints (all)",
        width: Constraint::Length(11),
    },
    Column {
        title: "app",
        width: Constraint::Min(24),
    },
];

/// Draws the leader's view.
pub fn draw(frame: &mut Frame, screen: &mut WorkshopScreen) {
    let theme = screen.ui.theme;
    let rows = screen
        .table
        .rows
        .iter()
        .zip(&screen.learners)
        .map(|(row, learner)| learner_row(row, learner.as_ref(), theme))
        .collect();
    let open = key_of(Action::Open, Scope::Workshop).unwrap_or_default();
    let allow = key_of(Action::AllowActions, Scope::Workshop).unwrap_or_default();
    let status = if screen.allow_actions {
        Line::styled(
            format!(" actions ALLOWED in the consoles {open} opens ({allow}: read-only again)"),
            theme.warn(),
        )
    } else {
        let otherwise =
            format!(" {open} attaches read-only to the learner's app; {allow} allows actions");
        failed_check_line(screen, theme).unwrap_or_else(|| {
            cells::status(&screen.table, screen.ui.nav.selected, &otherwise, theme)
        })
    };
    let sheet = Sheet {
        title: cells::title("Workshop", "learner", &screen.table, theme),
        columns: &COLUMNS,
        rows,
        status,
        scope: Scope::Workshop,
    };
    frame::draw(frame, sheet, &mut screen.ui);
}

/// The selected learner's failed last check, whole: `bob@pc2 FAIL
/// step2-series 12:07: <why>`; `None` when it passed, when there is none, or
/// when the row is unreachable (the footer says why instead).
fn failed_check_line(screen: &WorkshopScreen, theme: Theme) -> Option<Line<'static>> {
    let selected = screen
        .ui
        .nav
        .selected
        .min(screen.table.rows.len().saturating_sub(1));
    let row = screen.table.rows.get(selected)?;
    if matches!(row.link, LinkState::Unreachable(_)) {
        return None;
    }
    let Some(Some(Ok(learner))) = screen.learners.get(selected) else {
        return None;
    };
    let (id, check) = learner.last_check.as_ref()?;
    let Outcome::Fail { why } = &check.outcome else {
        return None;
    };
    Some(Line::styled(
        format!(
            " {} FAIL {id} {}: {}",
            row.member.host(),
            hh_mm(check.at_ms),
            cells::one_line(why)
        ),
        theme.error(),
    ))
}

/// `12:07` (UTC) of a unix time in ms.
fn hh_mm(at_ms: u64) -> String {
    rfc3339_utc(at_ms)[11..16].to_string()
}

/// One learner's row: their machine's connection, then what their last
/// report said (kept, dimmed, while the machine is unreachable).
fn learner_row(
    row: &TargetRow,
    learner: Option<&Result<Learner, String>>,
    theme: Theme,
) -> Row<'static> {
    let mut cells = vec![
        Cell::from(row.member.host()),
        Cell::from(cells::link(&row.link, theme)),
    ];
    let stale = !matches!(row.link, LinkState::Connected);
    let style = |s: ratatui::style::Style| if stale { theme.dim() } else { s };
    match learner {
        None => cells.extend((0..5).map(|_| Cell::from(Span::styled("-", theme.dim())))),
        Some(Err(why)) => {
            cells.push(Cell::from(Span::styled(
                cells::one_line(why),
                theme.error(),
            )));
        }
        Some(Ok(l)) => {
            let exercise = match (&l.current, &l.problem) {
                (_, Some(problem)) => Span::styled(cells::one_line(problem), style(theme.error())),
                (Some(id), None) if l.current_passed => {
                    Span::styled(format!("{id} (passed)"), style(theme.ok()))
                }
                (Some(id), None) => Span::styled(format!("{id} (working)"), style(theme.warn())),
                (None, None) => Span::styled("not started", theme.dim()),
            };
            let last = match &l.last_check {
                Some((id, check)) => {
                    let how = if check.with_solution {
                        " (solution)"
                    } else {
                        ""
                    };
                    let (word, tone) = match check.outcome {
                        Outcome::Pass => ("PASS", theme.pass()),
                        Outcome::Fail { .. } => ("FAIL", theme.fail()),
                    };
                    Span::styled(
                        format!("{word} {id} {}{how}", hh_mm(check.at_ms)),
                        style(tone),
                    )
                }
                None => Span::styled("no check yet", theme.dim()),
            };
            let app = match &l.app {
                Some(app) => {
                    Span::styled(format!("{} pid {}", app.app, app.pid), style(theme.ok()))
                }
                None => Span::styled("none running", theme.dim()),
            };
            cells.extend([
                Cell::from(exercise),
                Cell::from(Span::styled(
                    format!("{}/{}", l.passed.0, l.passed.1),
                    style(ratatui::style::Style::default()),
                )),
                Cell::from(last),
                Cell::from(Span::styled(
                    format!("{} ({})", l.hints_here, l.hints_total),
                    style(ratatui::style::Style::default()),
                )),
                Cell::from(app),
            ]);
        }
    }
    Row::new(cells)
}
