//! The Functions table's rows: which hot functions pass the filter, in
//! which order, and which one is selected.

use std::cmp::Ordering;

use crate::tui::state::{AppState, FunctionRow};
use crate::tui::table_nav::TableNav;

/// What `s` cycles through: the columns, left to right.
pub const SORTS: &[&str] = &["name", "version", "active", "calls/s"];

/// The functions shown, filtered and sorted: indices into the rows.
pub fn rows(state: &AppState, nav: &TableNav) -> Vec<usize> {
    let fs = &state.functions.rows;
    let mut rows: Vec<usize> = (0..fs.len())
        .filter(|&i| nav.matches(&fs[i].info.name))
        .collect();
    let key = |a: &FunctionRow, b: &FunctionRow| -> Ordering {
        match nav.sort {
            1 => a.info.version.cmp(&b.info.version),
            2 => a.active().cmp(&b.active()),
            3 => a.rate.cmp(&b.rate),
            _ => Ordering::Equal,
        }
        .then_with(|| a.info.name.cmp(&b.info.name))
    };
    rows.sort_by(|&a, &b| key(&fs[a], &fs[b]));
    if nav.descending {
        rows.reverse();
    }
    rows
}

/// The selected function.
pub fn selected<'a>(state: &'a AppState, nav: &TableNav) -> Option<&'a FunctionRow> {
    let rows = rows(state, nav);
    rows.get(nav.selected.min(rows.len().saturating_sub(1)))
        .map(|&i| &state.functions.rows[i])
}
