//! `fleet list`: the targets a fleet command would act on, by group, with
//! whether each is reachable now and the app and pid it resolves to — what
//! to check before a rollout.

use std::io::Write;
use std::path::Path;

use moult_console::exit::Exit;
use serde_json::json;

use super::targets::{self, Member};
use crate::cli::FleetListArgs;

/// What one target resolved to, or why it could not be reached.
type Reached = Result<(String, u32), String>;

/// Lists the targets; exit 1 if one could not be reached.
pub fn run(args: &FleetListArgs, dir: &Path) -> anyhow::Result<Exit> {
    let members = targets::members(&args.targets, dir)?;
    // All at once: each waits on its own connection (ssh, a socket).
    let reached: Vec<Reached> = std::thread::scope(|scope| {
        let handles: Vec<_> = members
            .iter()
            .map(|member| scope.spawn(|| reach(member)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("the check of this target panicked".into()))
            })
            .collect()
    });
    let mut out = std::io::stdout().lock();
    if args.json {
        let rows: Vec<serde_json::Value> = members
            .iter()
            .zip(&reached)
            .map(|(m, r)| match r {
                Ok((app, pid)) => json!({
                    "target": m.name, "group": m.group, "reachable": true,
                    "app": app, "pid": pid,
                }),
                Err(e) => json!({
                    "target": m.name, "group": m.group, "reachable": false, "error": e,
                }),
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
    } else {
        table(&mut out, &members, &reached)?;
    }
    Ok(if reached.iter().all(Result::is_ok) {
        Exit::Success
    } else {
        Exit::Failure
    })
}

/// Opens `member` and says hello: the app and pid there, or why not.
fn reach(member: &Member) -> Reached {
    super::super::open(&member.route)
        .map(|(_, hello)| (hello.agent.app, hello.agent.pid))
        .map_err(|e| format!("{e:#}"))
}

/// The targets under a heading per group (in the order they come), each
/// with `reachable` and what it resolved to, or `UNREACHABLE` and why.
fn table(out: &mut dyn Write, members: &[Member], reached: &[Reached]) -> std::io::Result<()> {
    let width = members
        .iter()
        .map(|m| m.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut groups: Vec<&Option<String>> = Vec::new();
    for m in members {
        if !groups.contains(&&m.group) {
            groups.push(&m.group);
        }
    }
    for group in groups {
        match group {
            Some(name) => writeln!(out, "group {name}")?,
            None => writeln!(out, "--target")?,
        }
        for (m, r) in members
            .iter()
            .zip(reached)
            .filter(|(m, _)| &m.group == group)
        {
            match r {
                Ok((app, pid)) => {
                    writeln!(out, "  {:width$}  reachable    {app} (pid {pid})", m.name)?
                }
                Err(e) => writeln!(out, "  {:width$}  UNREACHABLE  {e}", m.name)?,
            }
        }
    }
    Ok(())
}
