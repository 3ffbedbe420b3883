//! `fleet list|status|apply|revert|watch`: one command over many targets,
//! here or on other hosts, each reached as a single-target command would
//! reach it.

mod follower;
mod list;
mod prefixed;
mod revert;
mod rollout;
mod summary;
mod targets;
mod watch;

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use moult_console::exit::Exit;
use moult_console::remote::Route;
use serde_json::json;

use crate::cli::{FleetArgs, FleetCommand, FleetRevertArgs, FleetStatusArgs, FleetViewArgs};
use prefixed::Prefixed;
use summary::{Row, TargetOutcome, Versions};

/// Runs the fleet command `args` names.
pub fn run(args: &FleetArgs, dir: &Path) -> anyhow::Result<Exit> {
    match &args.command {
        None => view(&args.view, dir),
        Some(FleetCommand::View(args)) => view(args, dir),
        Some(FleetCommand::List(args)) => list::run(args, dir),
        Some(FleetCommand::Status(args)) => status(args, dir),
        Some(FleetCommand::Apply(args)) => rollout::run(args, dir),
        Some(FleetCommand::Revert(args)) => revert_all(args, dir),
        Some(FleetCommand::Watch(args)) => watch::run(args, dir),
    }
}

/// `fleet` (or `fleet view`): the live view of the targets.
fn view(args: &FleetViewArgs, dir: &Path) -> anyhow::Result<Exit> {
    let members = targets::members(&args.targets, dir)?
        .into_iter()
        .map(|m| moult_console::live_targets::Member {
            name: m.name,
            route: m.route,
        })
        .collect();
    let workers = args.workers.map(|n| n as usize);
    moult_console::fleet_view::run(members, workers, args.ascii)?;
    Ok(Exit::Success)
}

/// The versions of the hot functions of the app `route` names; `None` when
/// it cannot be reached.
fn versions(route: &Route) -> Option<Versions> {
    let (mut client, _) = route.open().ok()?;
    let snapshot = client.snapshot().ok()?;
    Some(
        snapshot
            .functions
            .into_iter()
            .map(|f| (f.name, f.version))
            .collect(),
    )
}

/// `fleet status`: a row per target — its pid and hot functions' versions,
/// or why it could not be reached. Exit 1 if one could not.
fn status(args: &FleetStatusArgs, dir: &Path) -> anyhow::Result<Exit> {
    let members = targets::members(&args.targets, dir)?;
    let mut rows = Vec::new();
    let mut unreachable = false;
    for member in &members {
        let reached = super::open(&member.route)
            .and_then(|(mut client, hello)| Ok((hello.agent.pid, client.snapshot()?)));
        rows.push(match reached {
            Ok((pid, snapshot)) => {
                let functions: Versions = snapshot
                    .functions
                    .into_iter()
                    .map(|f| (f.name, f.version))
                    .collect();
                json!({ "target": member.name, "pid": pid, "functions": functions })
            }
            Err(e) => {
                unreachable = true;
                json!({ "target": member.name, "error": format!("{e:#}") })
            }
        });
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
    } else {
        for row in &rows {
            let target = row["target"].as_str().unwrap_or_default();
            match row.get("error") {
                Some(e) => writeln!(
                    out,
                    "{target}  unreachable: {}",
                    e.as_str().unwrap_or_default()
                )?,
                None => {
                    let functions: Vec<String> = row["functions"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(name, v)| format!("{name} v{v}"))
                        .collect();
                    writeln!(
                        out,
                        "{target}  pid {}  {}",
                        row["pid"],
                        functions.join(", ")
                    )?;
                }
            }
        }
    }
    Ok(if unreachable {
        Exit::Failure
    } else {
        Exit::Success
    })
}

/// `fleet revert`: the newest applied update of every target, one after
/// the other; exit 1 if one was not reverted.
fn revert_all(args: &FleetRevertArgs, dir: &Path) -> anyhow::Result<Exit> {
    let members = targets::members(&args.targets, dir)?;
    let mut rows = Vec::new();
    for member in members {
        let started = Instant::now();
        let mut out = Prefixed::new(&member.name);
        let before = versions(&member.route);
        let outcome = match revert::revert(&member.route, &[None], args.timeout, &mut out) {
            Ok(Exit::Success) => TargetOutcome::Reverted,
            Ok(exit) => {
                TargetOutcome::Failed(format!("the revert ended with exit {}", exit.code()))
            }
            Err(e) => TargetOutcome::Failed(format!("{e:#}")),
        };
        let after = versions(&member.route);
        rows.push(Row {
            target: member.name,
            route: member.route,
            outcome,
            before,
            after,
            secs: started.elapsed().as_secs_f64(),
        });
    }
    let failed = rows.iter().any(|r| r.outcome != TargetOutcome::Reverted);
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", summary::json(&rows, failed))?;
    } else {
        summary::table(&mut out, &rows)?;
    }
    Ok(if failed { Exit::Failure } else { Exit::Success })
}
