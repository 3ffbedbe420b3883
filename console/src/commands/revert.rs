//! `revert`: queue the revert of an applied update and follow it like an
//! applied update.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use moult_console::exit::Exit;

use crate::cli::RevertArgs;

/// Reverts `args.update` (or the newest applied update); exit codes as `apply`.
pub fn run(args: &RevertArgs, dir: &Path) -> anyhow::Result<Exit> {
    let (mut client, _) = super::attach(dir, &args.target, &args.remote)?;
    client.subscribe()?;
    let sent = Instant::now();
    let what = args.update.map_or_else(
        || "the newest applied update".to_string(),
        |id| format!("update #{id}"),
    );
    let updates = client
        .revert(args.update)
        .with_context(|| format!("cannot revert {what}"))?;
    super::queued::follow_to_end(&mut client, &updates, &args.follow, sent)
}
