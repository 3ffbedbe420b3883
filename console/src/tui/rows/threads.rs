//! The Threads table's rows: which DSU threads pass the filter, in which
//! order, and which one is selected.

use std::cmp::Ordering;

use moult_protocol::{ThreadInfo, ThreadState};

use crate::tui::state::AppState;
use crate::tui::table_nav::TableNav;

/// What `s` cycles through.
pub const SORTS: &[&str] = &["name", "state", "main"];

/// The threads shown, filtered and sorted: indices into `state.threads`.
pub fn rows(state: &AppState, nav: &TableNav) -> Vec<usize> {
    let threads = &state.threads;
    let mut rows: Vec<usize> = (0..threads.len())
        .filter(|&i| nav.matches(&threads[i].name))
        .collect();
    let key = |a: &ThreadInfo, b: &ThreadInfo| -> Ordering {
        match nav.sort {
            1 => state_rank(&a.state).cmp(&state_rank(&b.state)),
            2 => a.main_version.cmp(&b.main_version),
            _ => Ordering::Equal,
        }
        .then_with(|| a.name.cmp(&b.name))
    };
    rows.sort_by(|&a, &b| key(&threads[a], &threads[b]));
    if nav.descending {
        rows.reverse();
    }
    rows
}

/// The selected thread.
pub fn selected<'a>(state: &'a AppState, nav: &TableNav) -> Option<&'a ThreadInfo> {
    let rows = rows(state, nav);
    rows.get(nav.selected.min(rows.len().saturating_sub(1)))
        .map(|&i| &state.threads[i])
}

fn state_rank(state: &ThreadState) -> u8 {
    match state {
        ThreadState::Parked(_) => 0,
        ThreadState::Rebooting => 1,
        ThreadState::Running => 2,
        ThreadState::Finished => 3,
    }
}
