//! `apply --watch`: stay attached after the updates applied, while the
//! agent watches them, and say how the watch ended — kept, or reverted (and
//! how the revert went).

use std::collections::HashSet;
use std::io::Write;
use std::time::{Duration, Instant};

use moult_console::client::{Client, Incoming};
use moult_console::exit::Exit;
use moult_console::render;
use moult_protocol::{EventKind, Outcome, QueuedUpdate};
use serde_json::json;

/// How long past the watch window the command waits for the agent's
/// verdict (and a revert's outcome) before it gives up.
const GRACE: Duration = Duration::from_secs(60);

/// Follows the watch of every update in `updates` (all applied) for
/// `secs`, its news written to `out`; `Reverted` if the agent reverted one.
pub fn follow_watch(
    client: &mut Client,
    updates: &[QueuedUpdate],
    secs: f64,
    json_lines: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let ids: HashSet<u64> = updates.iter().map(|u| u.id).collect();
    let mut watching: HashSet<u64> = ids.clone();
    // Revert updates the agent queued for a watched update: id -> target.
    let mut reverts: Vec<(u64, u64)> = Vec::new();
    let mut reverted = false;
    let mut failed = false;
    if !json_lines {
        writeln!(
            out,
            "watching for {secs} s (the agent reverts on too many panics; Ctrl-C leaves the watch to it)"
        )?;
    }
    let deadline = Instant::now() + Duration::from_secs_f64(secs) + GRACE;
    while !watching.is_empty() || reverts.iter().any(|&(r, _)| r != 0) {
        let Some(incoming) = client.recv(Some(deadline))? else {
            anyhow::bail!(
                "the agent said nothing of the watch within {} s of its end",
                GRACE.as_secs()
            );
        };
        let events = match incoming {
            Incoming::Events { events, .. } => events,
            Incoming::State(_) => continue,
            Incoming::Closing { reason } => {
                anyhow::bail!("the agent closed the connection: {reason}")
            }
            Incoming::Disconnected => {
                anyhow::bail!("the connection to the app was lost during the watch")
            }
        };
        for event in events {
            let ours = match &event.kind {
                EventKind::WatchStarted { id, .. } => ids.contains(id),
                EventKind::WatchEnded {
                    id, reverted: r, ..
                } => {
                    let ours = watching.remove(id);
                    reverted |= ours && *r;
                    ours
                }
                EventKind::UpdateQueued { update, id } => {
                    let target = ids
                        .iter()
                        .find(|t| update.starts_with(&format!("revert #{t} ")));
                    if let Some(&t) = target {
                        reverts.push((*id, t));
                    }
                    target.is_some()
                }
                EventKind::UpdateDone { id, outcome, .. } => {
                    match reverts.iter_mut().find(|(r, _)| r == id) {
                        Some(entry) if !matches!(outcome, Outcome::Postponed(_)) => {
                            failed |= *outcome != Outcome::Applied;
                            entry.0 = 0; // done
                            true
                        }
                        Some(_) => true,
                        None => false,
                    }
                }
                EventKind::UpdateReverted { target, .. } => ids.contains(target),
                EventKind::VersionPanicked { .. } => true,
                _ => false,
            };
            if ours {
                if json_lines {
                    writeln!(out, "{}", json!(event))?;
                } else {
                    writeln!(out, "{}", render::describe(&event.kind))?;
                }
            }
        }
    }
    if failed {
        eprintln!(
            "the watch reverted the update, but the revert did not apply (see `moult-console log`)"
        );
        return Ok(Exit::Failure);
    }
    if reverted {
        eprintln!("reverted by its watch: the previous versions run again");
        return Ok(Exit::Reverted);
    }
    Ok(Exit::Success)
}
