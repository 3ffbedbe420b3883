//! A virtualised table in a box: only the rows in the window around the
//! selection are built, so a table of 10 000 rows draws as fast as one of ten.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, TableState};

use crate::tui::input::{Action, Scope, key_of};
use crate::tui::table_nav::TableNav;
use crate::tui::theme::Theme;

/// One column: its title and width.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The header.
    pub title: &'static str,
    /// Its width (the layout's constraint).
    pub width: Constraint,
}

/// What a table shows, besides its rows.
pub struct TableSpec<'a> {
    /// The box's title.
    pub title: String,
    /// The columns.
    pub columns: &'a [Column],
    /// What the box says when there is no row.
    pub empty: &'a str,
    /// Name of the sort key, for the title.
    pub sort: &'a str,
    /// Whether the selected row is highlighted (not while typing a path
    /// above a picker's list, say).
    pub highlight: bool,
}

/// Draws `len` rows in `area`, building only those [`TableNav::window`]
/// shows, with `row(i)` for the `i`-th row (of the filtered, sorted list).
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    spec: TableSpec<'_>,
    nav: &mut TableNav,
    len: usize,
    theme: Theme,
    row: impl Fn(usize) -> Row<'static>,
) {
    let mut title = vec![Span::styled(format!(" {} ", spec.title), theme.title())];
    if len > 0 && spec.highlight {
        let shown = nav.selected.min(len - 1) + 1;
        title.push(Span::styled(format!("{shown}/{len} "), theme.dim()));
    } else if len > 0 {
        // Nothing highlighted: no row is "1/n".
        title.push(Span::styled(format!("{len} "), theme.dim()));
    }
    let reversed = if nav.descending { ", reversed" } else { "" };
    title.push(Span::styled(
        format!("sort: {}{reversed} ", spec.sort),
        theme.dim(),
    ));
    if !nav.filter.is_empty() {
        title.push(Span::styled(
            format!("filter: {} ", nav.filter),
            theme.warn(),
        ));
    }
    let block = Block::new()
        .borders(Borders::ALL)
        .border_set(theme.border())
        .title(Line::from(title));
    // Borders and the header line.
    let height = usize::from(area.height.saturating_sub(3));
    let window = nav.window(len, height);
    if len == 0 {
        let empty = if nav.filter.is_empty() {
            spec.empty.to_string()
        } else {
            let clear = key_of(Action::Back, Scope::Global).unwrap_or_default();
            format!(
                "no row matches the filter \"{}\" ({clear} clears it)",
                nav.filter
            )
        };
        let text = Paragraph::new(Line::styled(format!(" {empty}"), theme.dim())).block(block);
        frame.render_widget(text, area);
        return;
    }
    let rows: Vec<Row<'static>> = window.clone().map(row).collect();
    let header = Row::new(spec.columns.iter().map(|c| c.title)).style(theme.title());
    let table = Table::new(rows, spec.columns.iter().map(|c| c.width))
        .header(header)
        .block(block)
        .row_highlight_style(theme.selected());
    let selected = spec.highlight.then(|| nav.selected - window.start);
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, area, &mut state);
}
