//! `log`: the update journal, from the agent or, once the app has exited,
//! from its journal file.

use std::io::Write;
use std::path::Path;

use moult_console::exit::Exit;
use moult_console::remote::Route;
use moult_console::target::{self, TargetError};
use moult_console::{journal_file, render};
use moult_protocol::discovery;
use moult_rundir::JournalRead;

use crate::cli::LogArgs;

/// Prints the target's journal, and on stderr how many damaged lines were
/// skipped reading it.
pub fn run(args: &LogArgs, dir: &Path) -> anyhow::Result<Exit> {
    let JournalRead { entries, skipped } = entries(args, dir)?;
    if let Some(note) = journal_file::skipped_note(skipped) {
        eprintln!("{note}");
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        for entry in &entries {
            writeln!(out, "{}", serde_json::to_string(entry)?)?;
        }
    } else {
        write!(out, "{}", render::journal(&entries))?;
    }
    Ok(Exit::Success)
}

/// Asks the agent; if the app of a local pid is gone, reads its file instead.
fn entries(args: &LogArgs, dir: &Path) -> anyhow::Result<JournalRead> {
    let route = super::route(dir, &args.target, &args.remote)?;
    let Route::Local { target, .. } = &route else {
        let (mut client, _) = super::open(&route)?;
        return Ok(client.journal()?);
    };
    let resolved = match target::resolve(dir, target) {
        Ok(resolved) => resolved,
        Err(TargetError::NoAgent { pid, .. } | TargetError::Dead { pid, .. })
            if discovery::journal_path(dir, pid).exists() =>
        {
            let path = discovery::journal_path(dir, pid);
            eprintln!(
                "process {pid} is not running; reading its journal file {}",
                path.display()
            );
            return Ok(journal_file::read(&path)?);
        }
        Err(e) => return Err(e.into()),
    };
    let (mut client, _) = super::connect(&resolved)?;
    Ok(client.journal()?)
}
