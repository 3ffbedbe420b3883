//! `reboot`: queue a thread's (or a task group's) reboot and follow it like
//! an applied update.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use moult_console::exit::Exit;

use crate::cli::RebootArgs;

/// Reboots `args.thread`; exit codes as `apply`.
pub fn run(args: &RebootArgs, dir: &Path) -> anyhow::Result<Exit> {
    let (mut client, _) = super::attach(dir, &args.target, &args.remote)?;
    client.subscribe()?;
    let sent = Instant::now();
    let updates = if args.tasks {
        client
            .reboot_tasks(&args.thread)
            .with_context(|| format!("cannot reboot task group `{}`", args.thread))?
    } else {
        client
            .reboot(&args.thread)
            .with_context(|| format!("cannot reboot thread `{}`", args.thread))?
    };
    super::queued::follow_to_end(&mut client, &updates, &args.follow, sent)
}
