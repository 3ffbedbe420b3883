//! `fleet watch`: every target's events as they happen, one line each,
//! prefixed with its target, until Ctrl-C. A follower per target
//! ([`follower`](super::follower)) connects, follows and reconnects; this
//! prints what they say, in the order it comes.

use std::io::Write;
use std::path::Path;
use std::sync::mpsc;

use moult_console::exit::Exit;

use super::{follower, targets};
use crate::cli::FleetWatchArgs;

/// Follows every target until Ctrl-C (or stdout closes).
pub fn run(args: &FleetWatchArgs, dir: &Path) -> anyhow::Result<Exit> {
    let members = targets::members(&args.targets, dir)?;
    if !args.json {
        eprintln!(
            "watching {} target{}; Ctrl-C to stop",
            members.len(),
            if members.len() == 1 { "" } else { "s" }
        );
    }
    let (tx, rx) = mpsc::channel();
    for member in members {
        let tx = tx.clone();
        let style = follower::Style {
            json: args.json,
            all: args.all,
        };
        std::thread::Builder::new()
            .name(format!("fleet watch {}", member.name))
            .spawn(move || follower::follow(member, style, tx))?;
    }
    drop(tx);
    let mut out = std::io::stdout().lock();
    for line in rx {
        writeln!(out, "{line}")?;
        out.flush()?;
    }
    // Followers never give up; this is reached only if all of them died.
    anyhow::bail!("every target's follower stopped")
}
