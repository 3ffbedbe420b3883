//! The Updates table's rows: which updates pass the filter, in which
//! order, and which one is selected.

use std::cmp::Ordering;

use moult_protocol::LifecycleStep;

use crate::tui::state::{AppState, UpdateRow};
use crate::tui::table_nav::TableNav;

/// What `s` cycles through.
pub const SORTS: &[&str] = &["newest", "name", "step"];

/// The updates shown, filtered and sorted: indices into the rows.
pub fn rows(state: &AppState, nav: &TableNav) -> Vec<usize> {
    let us = &state.updates.rows;
    let mut rows: Vec<usize> = (0..us.len())
        .filter(|&i| nav.matches(&us[i].name))
        .collect();
    let key = |a: &UpdateRow, b: &UpdateRow| -> Ordering {
        match nav.sort {
            1 => a.name.cmp(&b.name).then_with(|| b.id.cmp(&a.id)),
            2 => step_rank(a)
                .cmp(&step_rank(b))
                .then_with(|| b.id.cmp(&a.id)),
            _ => b.id.cmp(&a.id),
        }
    };
    rows.sort_by(|&a, &b| key(&us[a], &us[b]));
    if nav.descending {
        rows.reverse();
    }
    rows
}

/// Running first, then queued, then ended.
fn step_rank(u: &UpdateRow) -> u8 {
    match u.step {
        LifecycleStep::Done => 2,
        LifecycleStep::Queued => 1,
        _ => 0,
    }
}

/// The selected update.
pub fn selected<'a>(state: &'a AppState, nav: &TableNav) -> Option<&'a UpdateRow> {
    let rows = rows(state, nav);
    rows.get(nav.selected.min(rows.len().saturating_sub(1)))
        .map(|&i| &state.updates.rows[i])
}
