//! Which rows each table shows, in which order, and which one is selected:
//! the filter and the sort keys of every view, as plain functions of the
//! model ([`super::state`]) and the table's navigation ([`super::table_nav`]).
//! The views draw these rows; the controller acts on the selected one; both
//! look down at this module.

pub mod alterability;
pub mod classes;
pub mod functions;
pub mod threads;
pub mod updates;

use super::view_id::ViewId;

/// The names of the sort keys of `view`, in the order `s` cycles through them.
pub fn sort_keys(view: ViewId) -> &'static [&'static str] {
    match view {
        ViewId::Threads => threads::SORTS,
        ViewId::Functions => functions::SORTS,
        ViewId::Classes => classes::SORTS,
        ViewId::Updates => updates::SORTS,
        ViewId::Alterability => alterability::SORTS,
    }
}
