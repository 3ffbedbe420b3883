//! The exercise list: every exercise in tutorial order, what it asks, and
//! the learner's progress (not started, started, passed and when) and how
//! many hints they revealed; the selected exercise's summary in full under
//! it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};

use crate::tui::table_nav::TableNav;
use crate::tui::theme::Theme;
use crate::tui::view::table::{self, Column, TableSpec};
use crate::tutorial::catalog::EXERCISES;
use crate::tutorial::progress::{Progress, Status};

/// The columns on a wide screen.
const WIDE: &[Column] = &[
    Column {
        title: "#",
        width: Constraint::Length(4),
    },
    Column {
        title: "EXERCISE",
        width: Constraint::Length(30),
    },
    Column {
        title: "WHAT YOU DO",
        width: Constraint::Min(16),
    },
    HINTS,
    PROGRESS,
];

/// The columns below [`WIDE_FROM`] columns: the summary is under the table.
const NARROW: &[Column] = &[
    Column {
        title: "#",
        width: Constraint::Length(4),
    },
    Column {
        title: "EXERCISE",
        width: Constraint::Min(20),
    },
    PROGRESS,
];

/// The hints revealed (blank for none); below [`WIDE_FROM`] columns the
/// line under the table says it for the selected exercise.
const HINTS: Column = Column {
    title: "HINTS",
    width: Constraint::Length(5),
};

/// The progress column, as wide as its widest entry when drawn.
const PROGRESS: Column = Column {
    title: "PROGRESS",
    width: Constraint::Length(8),
};

/// The width from which the summary has a column.
const WIDE_FROM: u16 = 110;

/// Draws the list in `area`.
pub fn draw(frame: &mut Frame, area: Rect, nav: &mut TableNav, progress: &Progress, theme: Theme) {
    let [table_area, about] =
        Layout::vertical([Constraint::Min(4), Constraint::Length(2)]).areas(area);
    let widest = EXERCISES
        .iter()
        .map(|e| progress.status(e.id).words().len())
        .max()
        .unwrap_or(0);
    let mut columns = if area.width >= WIDE_FROM {
        WIDE
    } else {
        NARROW
    }
    .to_vec();
    if let Some(last) = columns.last_mut() {
        last.width = Constraint::Length(widest.max(PROGRESS.title.len()) as u16);
    }
    let spec = TableSpec {
        title: "Exercises".into(),
        columns: &columns,
        empty: "no exercise",
        sort: "tutorial order",
        highlight: true,
    };
    table::draw(frame, table_area, spec, nav, EXERCISES.len(), theme, |i| {
        let e = EXERCISES[i];
        let status = progress.status(e.id);
        let style = match status {
            Status::NotStarted => theme.dim(),
            Status::Started => theme.warn(),
            Status::Passed { .. } => theme.ok(),
        };
        let mut cells = vec![
            Cell::from(format!("{}.{}", e.step, e.number)),
            Cell::from(e.title),
        ];
        if area.width >= WIDE_FROM {
            cells.push(Cell::from(e.summary));
        }
        if area.width >= WIDE_FROM {
            let hints = match progress.hints_used(e.id) {
                0 => String::new(),
                n => n.to_string(),
            };
            cells.push(Cell::from(hints));
        }
        cells.push(Cell::from(Span::styled(status.words(), style)));
        Row::new(cells)
    });
    let e = EXERCISES[nav.selected.min(EXERCISES.len() - 1)];
    let hints = match progress.hints_used(e.id) {
        0 => String::new(),
        1 => " 1 hint used.".to_string(),
        n => format!(" {n} hints used."),
    };
    let lines = vec![
        Line::from(vec![
            Span::styled(format!(" {} ", e.label()), theme.title()),
            Span::raw(format!("({}): {}", e.id, e.summary)),
        ]),
        Line::styled(
            format!(" Enter reads its statement; from there, Enter starts its app.{hints}"),
            theme.dim(),
        ),
    ];
    frame.render_widget(Paragraph::new(lines), about);
}
