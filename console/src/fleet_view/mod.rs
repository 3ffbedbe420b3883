//! `moult-console fleet` (no subcommand, or `fleet view`): one row per
//! target — host, app, pid, connection state, its hot functions' versions,
//! its current or last update, its health — live; Enter opens the
//! target's full console (the views of `attach`), `q` there comes back.
//!
//! Made of the shared live table ([`crate::live_targets`]): the state is
//! [`screen::FleetScreen`] (the table and the operator's side), drawn by
//! [`view`].

pub mod screen;
pub mod view;

use crate::live_targets::pool::{DEFAULT_WORKERS, REFRESH};
use crate::live_targets::{Member, Probes, screen as live};
use crate::tui::theme::Theme;
use screen::FleetScreen;

/// Runs the fleet view over `members` until the operator quits; at most
/// `workers` connections are being made or polled at once.
pub fn run(members: Vec<Member>, workers: Option<usize>, ascii: bool) -> anyhow::Result<()> {
    let mut screen = FleetScreen::new(members.clone(), Theme::from_env(ascii));
    let probes = Probes {
        snapshots: true,
        command: None,
        workers: workers.unwrap_or(DEFAULT_WORKERS),
        every: REFRESH,
    };
    live::run(&mut screen, members, probes, ascii)
}

#[cfg(test)]
mod tests;
