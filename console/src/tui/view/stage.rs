//! The stage prompt: a path to type and the file picker under it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Clear, Paragraph, Row};

use super::table::{self, Column, TableSpec};
use crate::tui::input::{Scope, compact_hints};
use crate::tui::picker::{EntryKind, Picker};
use crate::tui::theme::Theme;

const COLUMNS: &[Column] = &[
    Column {
        title: "KIND",
        width: Constraint::Length(7),
    },
    Column {
        title: "NAME",
        width: Constraint::Min(10),
    },
];

/// Draws the prompt over `area`.
pub fn draw(frame: &mut Frame, area: Rect, picker: &mut Picker, theme: Theme) {
    frame.render_widget(Clear, area);
    let [prompt, list, hint] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(4),
        Constraint::Length(1),
    ])
    .areas(area);
    let cursor = if picker.in_list { "" } else { "_" };
    frame.render_widget(
        Paragraph::new(vec![
            Line::styled(
                format!(
                    " Stage an update: an update crate (built with cargo) or a built .so, from {}",
                    picker.root.display()
                ),
                theme.title(),
            ),
            Line::from(vec![
                Span::styled(" path: ", theme.key()),
                Span::raw(format!("{}{cursor}", picker.input)),
            ]),
        ]),
        prompt,
    );
    let entries = &picker.entries;
    let spec = TableSpec {
        title: "Pick".into(),
        columns: COLUMNS,
        empty: "nothing here: no crate, .so or directory matches",
        sort: "kind, name",
        highlight: picker.in_list,
    };
    let mut nav = picker.nav.clone();
    table::draw(frame, list, spec, &mut nav, entries.len(), theme, |i| {
        let e = &entries[i];
        let (kind, style) = match e.kind {
            EntryKind::Parent => ("up", theme.dim()),
            EntryKind::Crate => ("crate", theme.ok()),
            EntryKind::Library => ("lib", theme.ok()),
            EntryKind::Dir => ("dir", theme.dim()),
            EntryKind::OtherCrate => ("no upd", theme.dim()),
        };
        let slash = if matches!(e.kind, EntryKind::Library) {
            ""
        } else {
            "/"
        };
        Row::new(vec![
            Cell::from(Span::styled(kind, style)),
            Cell::from(format!("{}{slash}", e.name)),
        ])
    });
    picker.nav.offset = nav.offset;
    picker.nav.selected = nav.selected;
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!(" {}", compact_hints(Scope::Prompt)),
            theme.dim(),
        )),
        hint,
    );
}
