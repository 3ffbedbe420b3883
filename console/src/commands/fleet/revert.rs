//! Reverting updates on one target of a fleet: the updates a stopped
//! rollout applied there, or (`fleet revert`) its newest applied one.

use std::io::Write;
use std::time::Instant;

use anyhow::Context;
use moult_console::exit::Exit;
use moult_console::remote::Route;

use crate::cli::FollowArgs;

/// Reverts each of `updates` (ids; `None` is the newest applied update) on
/// the agent `route` names, last first, following each to its end; stops
/// at the first that does not apply.
pub fn revert(
    route: &Route,
    updates: &[Option<u64>],
    timeout: u64,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let (mut client, _) = super::super::open(route)?;
    client.subscribe()?;
    let follow = FollowArgs {
        timeout,
        json: false,
    };
    for update in updates.iter().rev() {
        let sent = Instant::now();
        let what = update.map_or_else(
            || "the newest applied update".to_string(),
            |id| format!("update #{id}"),
        );
        let queued = client
            .revert(*update)
            .with_context(|| format!("cannot revert {what}"))?;
        let exit =
            super::super::queued::follow_to_end_into(&mut client, &queued, &follow, sent, out)?;
        if exit != Exit::Success {
            return Ok(exit);
        }
    }
    Ok(Exit::Success)
}
