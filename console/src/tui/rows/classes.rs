//! The Classes table's rows: which tracked classes pass the filter, in
//! which order, and which one is selected.

use std::cmp::Ordering;

use crate::tui::state::{AppState, ClassRow};
use crate::tui::table_nav::TableNav;

/// What `s` cycles through.
pub const SORTS: &[&str] = &["name", "live", "pending"];

/// The classes shown, filtered and sorted: indices into the rows.
pub fn rows(state: &AppState, nav: &TableNav) -> Vec<usize> {
    let cs = &state.classes.rows;
    let mut rows: Vec<usize> = (0..cs.len())
        .filter(|&i| nav.matches(&cs[i].info.name))
        .collect();
    let key = |a: &ClassRow, b: &ClassRow| -> Ordering {
        match nav.sort {
            1 => a.live.cmp(&b.live),
            2 => a.info.pending_lazy.cmp(&b.info.pending_lazy),
            _ => Ordering::Equal,
        }
        .then_with(|| a.info.name.cmp(&b.info.name))
    };
    rows.sort_by(|&a, &b| key(&cs[a], &cs[b]));
    if nav.descending {
        rows.reverse();
    }
    rows
}

/// The selected class.
pub fn selected<'a>(state: &'a AppState, nav: &TableNav) -> Option<&'a ClassRow> {
    let rows = rows(state, nav);
    rows.get(nav.selected.min(rows.len().saturating_sub(1)))
        .map(|&i| &state.classes.rows[i])
}
