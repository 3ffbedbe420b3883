//! A live table of targets, here or on other hosts: the one piece the
//! fleet view (`moult-console fleet`) and the leader's view (`moult-console
//! workshop`) are both made of.
//!
//! - [`member`]: one target, as the operator named it, and the way to it;
//! - [`report`]: what the connection workers tell the screen;
//! - [`pool`]: a bounded set of workers keeping every target's connection
//!   and polling it (snapshots, or a remote command such as the learners'
//!   `tutorial progress --json`);
//! - [`row`] and [`table`]: the model, built only from those reports, and
//!   [`summary`]: what a row shows of a snapshot (versions, the current or
//!   last update, health);
//! - [`ui`]: the selection, help and message, and the keys both share;
//!   [`frame`]: their layout; [`cells`]: the cells both draw alike
//!   (connection state, the title's counts);
//! - [`read_only`]: the attach console refusing actions, for the leader;
//! - [`screen`]: the loop both views run in, opening a target's full
//!   console (the attach views) on Enter and coming back when it quits.

pub mod cells;
pub mod frame;
pub mod member;
pub mod pool;
pub mod read_only;
pub mod report;
pub mod row;
pub mod screen;
pub mod summary;
pub mod table;
pub mod ui;

pub use member::Member;
pub use pool::{Pool, Probes};
pub use report::{News, Report};
pub use row::{LinkState, TargetRow};
pub use table::TargetTable;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
