//! What happened to each target of a fleet command, and the table (or JSON
//! object) that says it at the end.

use std::collections::BTreeMap;
use std::io::Write;

use moult_console::remote::Route;
use serde::Serialize;
use serde_json::json;

/// The version of each hot function of an app (from its snapshot).
pub type Versions = BTreeMap<String, u32>;

/// How one target ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "reason", rename_all = "snake_case")]
pub enum TargetOutcome {
    /// Applied, and kept through its watch.
    Applied,
    /// Not applied: refused, rolled back, aborted, failed or timed out, or
    /// the connection was lost (the reason says which).
    Failed(String),
    /// Applied, then reverted by its own watch (its new versions panicked).
    RevertedByWatch,
    /// Applied, then reverted because the rollout stopped.
    RevertedByRollout,
    /// Applied, but the rollout's revert of it failed (the reason says why).
    RevertFailed(String),
    /// Not reached: the rollout stopped before it.
    Skipped,
    /// `fleet revert`: its newest update reverted.
    Reverted,
}

impl TargetOutcome {
    /// The outcome's word in the table.
    fn word(&self) -> &'static str {
        match self {
            TargetOutcome::Applied => "applied",
            TargetOutcome::Failed(_) => "failed",
            TargetOutcome::RevertedByWatch => "reverted by its watch",
            TargetOutcome::RevertedByRollout => "reverted (rollout stopped)",
            TargetOutcome::RevertFailed(_) => "REVERT FAILED",
            TargetOutcome::Skipped => "skipped",
            TargetOutcome::Reverted => "reverted",
        }
    }

    /// The reason, if the outcome has one.
    fn reason(&self) -> Option<&str> {
        match self {
            TargetOutcome::Failed(r) | TargetOutcome::RevertFailed(r) => Some(r),
            _ => None,
        }
    }
}

/// One target's row.
pub struct Row {
    /// The target as written.
    pub target: String,
    /// The way to it (for the revert of a stopped rollout).
    pub route: Route,
    /// How it ended.
    pub outcome: TargetOutcome,
    /// Its hot functions' versions before the command (when it could be read).
    pub before: Option<Versions>,
    /// … and after (when it could be read).
    pub after: Option<Versions>,
    /// Seconds spent on it (apply, watch, revert).
    pub secs: f64,
}

impl Row {
    /// A row not reached yet.
    pub fn skipped(target: String, route: Route) -> Row {
        Row {
            target,
            route,
            outcome: TargetOutcome::Skipped,
            before: None,
            after: None,
            secs: 0.0,
        }
    }

    /// The functions whose version changed: (name, before, after).
    fn changed(&self) -> Vec<(String, Option<u32>, Option<u32>)> {
        let (Some(before), Some(after)) = (&self.before, &self.after) else {
            return Vec::new();
        };
        let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
        names.sort();
        names.dedup();
        names
            .into_iter()
            .filter(|n| before.get(*n) != after.get(*n))
            .map(|n| (n.clone(), before.get(n).copied(), after.get(n).copied()))
            .collect()
    }

    fn versions_text(&self) -> String {
        if self.before.is_none() || self.after.is_none() {
            return if self.outcome == TargetOutcome::Skipped {
                "-".into()
            } else {
                "?".into()
            };
        }
        let changed = self.changed();
        if changed.is_empty() {
            return "unchanged".into();
        }
        let v = |x: Option<u32>| x.map_or("-".to_string(), |v| format!("v{v}"));
        changed
            .iter()
            .map(|(n, b, a)| format!("{n} {}→{}", v(*b), v(*a)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Writes the table: target, outcome, versions of the changed hot
/// functions before → after, seconds; the reasons of failures below it.
pub fn table(out: &mut dyn Write, rows: &[Row]) -> std::io::Result<()> {
    let width = |f: &dyn Fn(&Row) -> usize, title: &str| {
        rows.iter().map(f).max().unwrap_or(0).max(title.len())
    };
    let tw = width(&|r| r.target.chars().count(), "TARGET");
    let ow = width(&|r| r.outcome.word().len(), "OUTCOME");
    let texts: Vec<String> = rows.iter().map(Row::versions_text).collect();
    let vw = texts
        .iter()
        .map(|t| t.chars().count())
        .max()
        .unwrap_or(0)
        .max("VERSIONS".len());
    writeln!(
        out,
        "{:tw$}  {:ow$}  {:vw$}  TIME",
        "TARGET", "OUTCOME", "VERSIONS"
    )?;
    for (row, versions) in rows.iter().zip(&texts) {
        writeln!(
            out,
            "{:tw$}  {:ow$}  {:vw$}  {:.1}s",
            row.target,
            row.outcome.word(),
            versions,
            row.secs
        )?;
    }
    for row in rows {
        if let Some(reason) = row.outcome.reason() {
            writeln!(out, "{}: {reason}", row.target)?;
        }
    }
    Ok(())
}

/// The summary as one JSON object: whether the command stopped, and a row
/// per target with the versions of the hot functions it changed.
pub fn json(rows: &[Row], stopped: bool) -> serde_json::Value {
    let targets: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let versions: Vec<serde_json::Value> = r
                .changed()
                .into_iter()
                .map(|(f, b, a)| json!({ "function": f, "before": b, "after": a }))
                .collect();
            json!({
                "target": r.target,
                "outcome": r.outcome,
                "versions": versions,
                "secs": r.secs,
            })
        })
        .collect();
    json!({ "stopped": stopped, "targets": targets })
}
