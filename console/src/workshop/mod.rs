//! `moult-console workshop`: the leader's view of a room of learners. One
//! row per learner's machine (reached over ssh like a fleet's targets):
//! the exercise they are on, how many passed, their last check (pass or fail),
//! the hints they used, live. Enter attaches to the exercise app they run,
//! read-only unless the leader allows actions (`a`, or `--allow-actions`).
//!
//! Made of the shared live table ([`crate::live_targets`]): the workers
//! run `moult-console tutorial progress --json` on each learner's machine
//! ([`report`]); [`learner`] reads a row from it; [`roster`] says who is in
//! the room; [`screen`] is the state and keys, [`view`] draws it.

pub mod learner;
pub mod report;
pub mod roster;
pub mod screen;
pub mod view;

use crate::live_targets::pool::{DEFAULT_WORKERS, REFRESH};
use crate::live_targets::{Member, Probes, screen as live};
use crate::tui::theme::Theme;
use screen::WorkshopScreen;

/// What the workers run on each learner's machine.
pub const PROGRESS_ARGS: [&str; 3] = ["tutorial", "progress", "--json"];

/// Runs the leader's view over `members` until the leader quits.
pub fn run(
    members: Vec<Member>,
    allow_actions: bool,
    workers: Option<usize>,
    ascii: bool,
) -> anyhow::Result<()> {
    let mut screen = WorkshopScreen::new(members.clone(), allow_actions, Theme::from_env(ascii));
    let probes = Probes {
        snapshots: false,
        command: Some(PROGRESS_ARGS.iter().map(|a| a.to_string()).collect()),
        workers: workers.unwrap_or(DEFAULT_WORKERS),
        every: REFRESH * 2,
    };
    live::run(&mut screen, members, probes, ascii)
}

#[cfg(test)]
mod tests;
