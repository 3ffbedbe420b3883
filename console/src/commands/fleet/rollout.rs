//! `fleet apply`: one library, built once, rolled out in waves — the
//! canaries, then batches of the rest — each target applied with a watch
//! and followed to the watch's end; the first failure stops the rollout
//! and every target it updated is reverted.

use std::path::Path;
use std::time::Instant;

use moult_console::exit::Exit;
use moult_console::update_build::UpdateSource;
use moult_protocol::WatchSpec;

use super::prefixed::Prefixed;
use super::summary::{self, Row, TargetOutcome};
use super::targets;
use crate::cli::{FleetApplyArgs, FollowArgs};
use crate::commands::apply;

/// Runs the rollout; exit 0 when every target applied and kept the update,
/// 1 when it stopped.
pub fn run(args: &FleetApplyArgs, dir: &Path) -> anyhow::Result<Exit> {
    let members = targets::members(&args.targets, dir)?;
    let source = UpdateSource::classify(&args.update)?;
    // Built once, in the profile of the first target's app; a target built
    // otherwise refuses it (its fingerprint differs) and stops the rollout.
    let library = apply::build_for(&members[0].route, source)?;
    apply::sign(&library, args.sign_with.as_deref())?;
    let mut rows: Vec<Row> = members
        .into_iter()
        .map(|m| Row::skipped(m.name, m.route))
        .collect();
    let mut updated: Vec<(usize, Vec<u64>)> = Vec::new();
    let mut stopped = false;
    for wave in waves(rows.len(), args.canary, args.batch as usize) {
        let names: Vec<&str> = rows[wave.clone()]
            .iter()
            .map(|r| r.target.as_str())
            .collect();
        eprintln!("rollout: applying to {}", names.join(", "));
        let results: Vec<Vec<u64>> = std::thread::scope(|scope| {
            let handles: Vec<_> = rows[wave.clone()]
                .iter_mut()
                .map(|row| scope.spawn(|| apply_one(row, &library, args)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        for (i, ids) in wave.clone().zip(results) {
            if rows[i].outcome != TargetOutcome::Applied {
                stopped = true;
                if let TargetOutcome::Failed(why) = &rows[i].outcome {
                    eprintln!("rollout: {}: {why}", rows[i].target);
                }
            }
            if !ids.is_empty() {
                updated.push((i, ids));
            }
        }
        if stopped {
            eprintln!("rollout: stopped; reverting what it updated");
            break;
        }
    }
    if stopped {
        for (i, ids) in updated.iter().rev() {
            revert_one(&mut rows[*i], ids, args.timeout);
        }
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        use std::io::Write;
        writeln!(out, "{}", summary::json(&rows, stopped))?;
    } else {
        summary::table(&mut out, &rows)?;
    }
    Ok(if stopped {
        Exit::Failure
    } else {
        Exit::Success
    })
}

/// The waves of a rollout over `count` targets: the first `canary`, then
/// `batch` at a time.
fn waves(count: usize, canary: usize, batch: usize) -> Vec<std::ops::Range<usize>> {
    let first = canary.min(count);
    let mut waves = Vec::new();
    if first > 0 {
        waves.push(0..first);
    }
    let mut start = first;
    while start < count {
        let end = (start + batch.max(1)).min(count);
        waves.push(start..end);
        start = end;
    }
    waves
}

/// Applies `library` to `row`'s target with the watch and fills its row;
/// the ids of the updates it may now run: applied and kept, or queued
/// before the connection was lost (the agent goes on with them without
/// us). None when they were refused, rolled back, aborted or reverted by
/// their watch.
fn apply_one(row: &mut Row, library: &Path, args: &FleetApplyArgs) -> Vec<u64> {
    let started = Instant::now();
    let mut out = Prefixed::new(&row.target);
    row.before = super::versions(&row.route);
    let watch = WatchSpec {
        secs: args.watch,
        max_panics: args.max_panics,
    };
    let follow = FollowArgs {
        timeout: args.timeout,
        json: false,
    };
    let mut queued = Vec::new();
    let followed = apply::send_library(&row.route, library, Some(watch)).and_then(
        |(mut client, updates, sent)| {
            queued = updates.iter().map(|u| u.id).collect();
            apply::follow_sent(
                &mut client,
                &updates,
                Some(args.watch),
                &follow,
                sent,
                &mut out,
            )
        },
    );
    let mut live = Vec::new();
    row.outcome = match followed {
        Ok(Exit::Success) => {
            live = queued;
            TargetOutcome::Applied
        }
        Ok(Exit::Reverted) => TargetOutcome::RevertedByWatch,
        Ok(Exit::TimedOut) => {
            TargetOutcome::Failed(format!("not applied within {} s; aborted", args.timeout))
        }
        Ok(Exit::Failure | Exit::Usage) => {
            TargetOutcome::Failed("not applied (see its lines above)".into())
        }
        Err(e) if queued.is_empty() => TargetOutcome::Failed(format!("{e:#}")),
        Err(e) => {
            let why = format!("{} queued there, then: {e:#}", updates_text(&queued));
            live = queued;
            TargetOutcome::Failed(why)
        }
    };
    out.say(&format!("outcome: {:?}", row.outcome));
    row.after = super::versions(&row.route);
    row.secs = started.elapsed().as_secs_f64();
    live
}

/// `update #3` or `updates #3, #4`.
fn updates_text(ids: &[u64]) -> String {
    let list: Vec<String> = ids.iter().map(|id| format!("#{id}")).collect();
    match ids.len() {
        1 => format!("update {}", list[0]),
        _ => format!("updates {}", list.join(", ")),
    }
}

/// Reverts the updates `ids` the rollout applied to `row`'s target (or
/// queued there before its connection was lost). A revert that fails says
/// what the target may still run.
fn revert_one(row: &mut Row, ids: &[u64], timeout: u64) {
    let started = Instant::now();
    let mut out = Prefixed::new(&row.target);
    let which: Vec<Option<u64>> = ids.iter().map(|&id| Some(id)).collect();
    let failed = |why: String| {
        let before = match &row.outcome {
            TargetOutcome::Failed(lost) => format!("{lost}; "),
            _ => String::new(),
        };
        TargetOutcome::RevertFailed(format!(
            "{before}the revert failed: {why}; it may still run {} (revert it with `moult-console revert` once it is reachable)",
            updates_text(ids)
        ))
    };
    let outcome = match super::revert::revert(&row.route, &which, timeout, &mut out) {
        Ok(Exit::Success) => TargetOutcome::RevertedByRollout,
        Ok(exit) => failed(format!("it ended with exit {}", exit.code())),
        Err(e) => failed(format!("{e:#}")),
    };
    row.outcome = outcome;
    out.say(&format!("outcome: {:?}", row.outcome));
    row.after = super::versions(&row.route);
    row.secs += started.elapsed().as_secs_f64();
}

#[cfg(test)]
mod tests {
    use super::waves;

    #[test]
    fn canaries_first_then_batches() {
        assert_eq!(waves(5, 1, 2), [0..1, 1..3, 3..5]);
        assert_eq!(waves(3, 0, 5), vec![(0..3)]);
        assert_eq!(waves(2, 4, 1), vec![(0..2)]);
        assert_eq!(waves(3, 1, 1), [0..1, 1..2, 2..3]);
    }
}
