//! The Alterability table's rows: the focused update's attempts, one line
//! per blocker, filtered and ordered.

use crate::tui::state::{Attempt, UpdateRow};
use crate::tui::table_nav::TableNav;

/// What `s` cycles through (attempts read newest first).
pub const SORTS: &[&str] = &["newest"];

/// One line of the table: an attempt and one of its blockers (`None`: it was alterable).
pub type AttemptLine<'a> = (&'a Attempt, Option<usize>);

/// The focused update's attempts, newest first, one line per blocker,
/// filtered on thread and function names.
pub fn lines<'a>(u: &'a UpdateRow, nav: &TableNav) -> Vec<AttemptLine<'a>> {
    let mut out = Vec::new();
    for a in u.tries.iter().rev() {
        if a.blockers.is_empty() {
            if nav.filter.is_empty() {
                out.push((a, None));
            }
            continue;
        }
        for (i, b) in a.blockers.iter().enumerate() {
            let name = format!("{} {}", b.thread, b.function.as_deref().unwrap_or(""));
            if nav.matches(&name) {
                out.push((a, Some(i)));
            }
        }
    }
    if nav.descending {
        out.reverse();
    }
    out
}
