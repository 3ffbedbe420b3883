//! `workshop`: the leader's view of a room of learners.

use std::path::Path;

use moult_console::exit::Exit;
use moult_console::workshop::{self, roster};

use crate::cli::WorkshopArgs;

/// Runs the leader's view until the leader quits.
pub fn run(args: &WorkshopArgs, dir: &Path) -> anyhow::Result<Exit> {
    let members = roster::members(
        &args.targets,
        args.workshop.as_deref(),
        &args.group,
        dir,
        &args.remote.options(),
    )
    .map_err(anyhow::Error::msg)?;
    let workers = args.workers.map(|n| n as usize);
    workshop::run(members, args.allow_actions, workers, args.ascii)?;
    Ok(Exit::Success)
}
