//! Drawing the fleet view: a row per target — target, app, pid,
//! connection, hot functions' versions, current or last update, health.

use ratatui::Frame;
use ratatui::layout::Constraint;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use crate::live_targets::frame::{self, Sheet};
use crate::live_targets::ui::LiveUi;
use crate::live_targets::{LinkState, TargetRow, TargetTable, cells};
use crate::remote::link::target_word;
use crate::tui::input::{Action, Scope, key_of};
use crate::tui::theme::Theme;
use crate::tui::view::table::Column;

/// The columns.
const COLUMNS: [Column; 7] = [
    Column {
        title: "host",
        width: Constraint::Max(22),
    },
    Column {
        title: "app",
        width: Constraint::Max(14),
    },
    Column {
        title: "pid",
        width: Constraint::Length(7),
    },
    Column {
        title: "connection",
        width: Constraint::Fill(1),
    },
    Column {
        title: "versions",
        width: Constraint::Fill(1),
    },
    Column {
        title: "update",
        width: Constraint::Fill(2),
    },
    Column {
        title: "panics/calls",
        width: Constraint::Length(12),
    },
];

/// Draws the fleet view.
pub fn draw(frame: &mut Frame, table: &TargetTable, ui: &mut LiveUi) {
    let theme = ui.theme;
    let open = key_of(Action::Open, Scope::Fleet).unwrap_or_default();
    let sheet = Sheet {
        title: cells::title("Fleet", "target", table, theme),
        columns: &COLUMNS,
        rows: table.rows.iter().map(|r| row(r, theme)).collect(),
        status: cells::status(
            table,
            ui.nav.selected,
            &format!(" live: each target polled every second; {open} opens its console"),
            theme,
        ),
        scope: Scope::Fleet,
    };
    frame::draw(frame, sheet, ui);
}

/// One target's row; what is known of an unreachable one is kept, dimmed.
fn row(row: &TargetRow, theme: Theme) -> Row<'static> {
    let stale = !matches!(row.link, LinkState::Connected);
    let known = |text: String| {
        if stale {
            Cell::from(Span::styled(text, theme.dim()))
        } else {
            Cell::from(text)
        }
    };
    let (app, pid) = match &row.agent {
        Some(agent) => (agent.app.clone(), agent.pid.to_string()),
        None => (target_word(row.member.route.target()), "-".into()),
    };
    let (versions, update, health) = match &row.summary {
        Some(s) => {
            let update = match &s.update {
                Some(u) => {
                    let style = if u.bad { theme.error() } else { theme.ok() };
                    Cell::from(Line::from(vec![
                        Span::raw(format!("{} ", u.name)),
                        Span::styled(u.state.clone(), if stale { theme.dim() } else { style }),
                    ]))
                }
                None => known("none yet".into()),
            };
            let health = format!("{}/{}", s.panics, s.calls);
            let health = if s.panics > 0 && !stale {
                Cell::from(Span::styled(health, theme.error()))
            } else {
                known(health)
            };
            (known(s.versions_text()), update, health)
        }
        None => (known("-".into()), known("-".into()), known("-".into())),
    };
    Row::new(vec![
        Cell::from(row.member.host()),
        known(app),
        known(pid),
        Cell::from(cells::link(&row.link, theme)),
        versions,
        update,
        health,
    ])
}
