//! Drawing the leader's view: a row per learner — who, connection, the
//! exercise they are on, exercises passed, last passing check, hints used,
//! the exercise app Enter attaches to.

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
        cells::status(
            &screen.table,
            screen.ui.nav.selected,
            &format!(" {open} attaches read-only to the learner's app; {allow} allows actions"),
            theme,
        )
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
            let last = match &l.last_pass {
                Some((id, at, solution)) => {
                    let time = rfc3339_utc(*at);
                    let how = if *solution { " (solution)" } else { "" };
                    Span::styled(
                        format!("PASS {id} {}{how}", &time[11..16]),
                        style(theme.pass()),
                    )
                }
                None => Span::styled("no pass yet", theme.dim()),
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
