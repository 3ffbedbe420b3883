//! `list`: the agents running for this user.

use std::io::Write;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use moult_console::exit::Exit;
use moult_console::{render, target};

use crate::cli::ListArgs;

/// Prints the live agents in `dir` (removing the files of dead ones).
pub fn run(args: &ListArgs, dir: &Path) -> anyhow::Result<Exit> {
    let agents = target::list_agents(dir)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&agents)?)?;
    } else if agents.is_empty() {
        writeln!(
            out,
            "no moult agents running for this user (looked in {}); start an app that calls moult::agent::start",
            dir.display()
        )?;
    } else {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        write!(out, "{}", render::agents(&agents, now))?;
    }
    Ok(Exit::Success)
}
