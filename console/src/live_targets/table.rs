//! The live table's model: a row per target, in the operator's order,
//! changed only by the workers' reports.

use super::member::Member;
use super::report::Report;
use super::row::{LinkState, TargetRow};

/// Every target's row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TargetTable {
    /// The rows, in the order the targets were given (the fleet file's
    /// order is the operator's own).
    pub rows: Vec<TargetRow>,
}

impl TargetTable {
    /// A table of `members`, none reached yet.
    pub fn new(members: Vec<Member>) -> TargetTable {
        TargetTable {
            rows: members.into_iter().map(TargetRow::new).collect(),
        }
    }

    /// Takes in `report` (a report about no row is ignored).
    pub fn apply(&mut self, report: &Report) {
        if let Some(row) = self.rows.get_mut(report.index) {
            row.apply(&report.news);
        }
    }

    /// `(connected, unreachable)` counts, for the title.
    pub fn counts(&self) -> (usize, usize) {
        self.rows.iter().fold((0, 0), |(c, u), r| match r.link {
            LinkState::Connected => (c + 1, u),
            LinkState::Unreachable(_) => (c, u + 1),
            LinkState::Connecting => (c, u),
        })
    }
}
