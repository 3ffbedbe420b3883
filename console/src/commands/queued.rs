//! Following the updates an `apply` or `reboot` queued, printing their
//! progress, aborting them at the timeout, and choosing the exit code.
//! One code path for both commands.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use moult_console::client::Client;
use moult_console::exit::Exit;
use moult_console::follow::{self, FollowNews, FollowReport};
use moult_console::render;
use moult_protocol::{Outcome, QueuedUpdate};
use serde_json::json;

use crate::cli::FollowArgs;

/// Follows `updates` (queued by a request sent at `sent`) until each ends
/// or `--timeout` passes; then aborts what is left. Returns 0 when all were
/// applied, 1 when one was not, 3 on timeout. Progress goes to stdout.
pub fn follow_to_end(
    client: &mut Client,
    updates: &[QueuedUpdate],
    args: &FollowArgs,
    sent: Instant,
) -> anyhow::Result<Exit> {
    follow_to_end_into(client, updates, args, sent, &mut io::stdout().lock())
}

/// [`follow_to_end`], its progress written to `out` (a fleet rollout
/// keeps stdout for its summary).
pub fn follow_to_end_into(
    client: &mut Client,
    updates: &[QueuedUpdate],
    args: &FollowArgs,
    sent: Instant,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    if updates.is_empty() {
        eprintln!("the agent queued no update (the library hands out none)");
    }
    // Each update's `update_queued` event says it is queued: subscribed
    // before the request, this console sees it.
    let deadline = sent + Duration::from_secs(args.timeout);
    let mut write_error = None;
    let mut pace = render::ConversionPace::default();
    let report = follow::follow(client, updates, deadline, |progress| {
        let written = match (progress, args.json) {
            (FollowNews::Event(event), false) if !pace.show(&event.kind) => Ok(()),
            (FollowNews::Event(event), false) => writeln!(out, "{}", render::describe(&event.kind)),
            (FollowNews::Event(event), true) => writeln!(out, "{}", json!(event)),
            (FollowNews::Dropped(n), false) => {
                eprintln!(
                    "warning: the agent dropped {n} events for this console; outcomes still come from its state"
                );
                Ok(())
            }
            (FollowNews::Dropped(n), true) => {
                writeln!(out, "{}", json!({ "type": "dropped", "dropped": n }))
            }
        };
        if let Err(e) = written {
            write_error.get_or_insert(e);
        }
    })?;
    if report.timed_out {
        abort_unfinished(client, &report);
    }
    if let Some(e) = write_error {
        return Err(e.into());
    }
    let exit = report.exit();
    if args.json {
        writeln!(out, "{}", summary(&report, exit))?;
    }
    explain(&report, args.timeout);
    Ok(exit)
}

/// Asks the agent to abort every update that had not ended.
fn abort_unfinished(client: &mut Client, report: &FollowReport) {
    for u in report.unfinished() {
        if let Err(e) = client.abort(u.id) {
            eprintln!("warning: could not abort {} #{}: {e}", u.name, u.id);
        }
    }
}

/// Says on stderr why the command did not succeed (nothing when it did).
fn explain(report: &FollowReport, timeout: u64) {
    if report.timed_out {
        let names: Vec<String> = report
            .unfinished()
            .map(|u| format!("{} #{}", u.name, u.id))
            .collect();
        let postponed = report
            .last_postponed
            .as_deref()
            .unwrap_or("no attempt finished");
        eprintln!(
            "error: {} still not applied after {timeout} s (postponed: {postponed}); aborted",
            names.join(", ")
        );
        return;
    }
    for f in &report.updates {
        if let Some(outcome) = &f.outcome
            && *outcome != Outcome::Applied
        {
            eprintln!(
                "error: update {} #{} {}",
                f.update.name,
                f.update.id,
                render::outcome(outcome)
            );
        }
    }
}

/// The last JSON line: every update's outcome (null if unfinished) and the exit code.
fn summary(report: &FollowReport, exit: Exit) -> serde_json::Value {
    let updates: Vec<serde_json::Value> = report
        .updates
        .iter()
        .map(|f| json!({ "id": f.update.id, "name": f.update.name, "outcome": f.outcome }))
        .collect();
    json!({
        "type": "summary",
        "exit": exit.code(),
        "timed_out": report.timed_out,
        "last_postponed": report.last_postponed,
        "updates": updates,
    })
}
