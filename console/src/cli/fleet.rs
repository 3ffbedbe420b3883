//! The arguments of `fleet list|status|apply|revert|watch`: which targets
//! (each `--target`, or the groups of a fleet file) and how a rollout
//! proceeds.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use moult_console::remote::Endpoint;

use super::RemoteArgs;

/// `fleet`'s examples.
pub const FLEET_HELP: &str = "Without a subcommand: the live fleet view (see `fleet view --help`).\n\nExamples:\n  moult-console fleet --fleet fleet.toml\n  moult-console fleet list --fleet fleet.toml\n  moult-console fleet watch --fleet fleet.toml --group web\n  moult-console fleet status --target ssh://web1/api --target ssh://web2/api\n  moult-console fleet apply ./fix --fleet fleet.toml --canary 1 --batch 2 --watch 30\n  moult-console fleet revert --fleet fleet.toml --group web";

/// `fleet`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct FleetArgs {
    #[command(subcommand)]
    pub command: Option<FleetCommand>,
    /// The live view's arguments, when no subcommand is given.
    #[command(flatten)]
    pub view: super::FleetViewArgs,
}

/// What to do to every target of a fleet.
#[derive(Debug, Subcommand)]
pub enum FleetCommand {
    /// The live view (what `fleet` alone runs): a row per target, Enter
    /// opens its console.
    #[command(after_help = super::FLEET_VIEW_HELP)]
    View(super::FleetViewArgs),
    /// The targets, by group: whether each is reachable, and the app and
    /// pid it resolves to.
    #[command(after_help = FLEET_LIST_HELP)]
    List(FleetListArgs),
    /// One row per target: its pid and the versions of its hot functions.
    Status(FleetStatusArgs),
    /// Roll an update out: build it once, apply it to the canaries, watch
    /// them, then to the rest in batches, each watched; on any failure stop
    /// and revert every target this rollout updated.
    #[command(after_help = FLEET_APPLY_HELP)]
    Apply(FleetApplyArgs),
    /// Revert the newest applied update on every target.
    Revert(FleetRevertArgs),
    /// Follow every target's events (updates applied, rolled back,
    /// reverted; panics of new versions), a line each, prefixed with its
    /// target, until Ctrl-C. A target lost or not reachable is said, and
    /// tried again.
    #[command(after_help = FLEET_WATCH_HELP)]
    Watch(FleetWatchArgs),
}

const FLEET_LIST_HELP: &str =
    "Exit codes: 0 every target reachable; 1 one was not (its row says why).";

const FLEET_WATCH_HELP: &str = "Lines: `[target] [  12.345s] <event>` (the agent's clock), and\n`[target] connected: <app> (pid N)`, `[target] lost: <reason>; trying again in N s`.\nWith --json, one object a line, each with \"target\" and \"type\": \"event\" (with \"event\"),\n\"connected\" (\"app\", \"pid\", \"again\"), \"lost\" or \"unreachable\" (\"reason\", \"retry_secs\"),\n\"ended\" (\"reason\"), \"dropped\" (\"dropped\").\nEvents while a target was not connected are not shown: `moult-console log` has them.";

const FLEET_APPLY_HELP: &str = "Examples:\n  moult-console fleet apply ./fix --target ssh://web1/api --target ssh://web2/api --target ssh://web3/api --canary 1 --batch 2 --watch 30\n  moult-console fleet apply ./fix --fleet fleet.toml --group web --json\n\nfleet.toml:\n  [groups]\n  web = [\"ssh://ops@web1/api\", \"ssh://ops@web2/api\"]\n  db = [\"ssh://ops@db1/store\"]\n\nExit codes: 0 every target applied and kept; 1 the rollout stopped (a target\nrefused, rolled back, timed out, lost its connection or was reverted by its\nwatch) and the targets it had updated were reverted — a target lost after its\nupdate was queued counts as updated; one the revert cannot reach is a REVERT\nFAILED row saying which update it may still run.";

/// The targets of a fleet command.
#[derive(Debug, Args)]
pub struct FleetTargets {
    /// A target (`<app|pid>` or `ssh://[user@]host[:port]/<app|pid>`); repeat it.
    #[arg(long = "target", value_name = "TARGET")]
    pub targets: Vec<Endpoint>,
    /// A TOML file whose `[groups]` table names lists of targets.
    #[arg(long, value_name = "FILE")]
    pub fleet: Option<PathBuf>,
    /// Only this group of the fleet file (repeat it); default: every group, in name order.
    #[arg(long, value_name = "NAME", requires = "fleet")]
    pub group: Vec<String>,
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// `fleet list`.
#[derive(Debug, Args)]
pub struct FleetListArgs {
    #[command(flatten)]
    pub targets: FleetTargets,
    /// One JSON array, an object per target.
    #[arg(long)]
    pub json: bool,
}

/// `fleet watch`.
#[derive(Debug, Args)]
pub struct FleetWatchArgs {
    #[command(flatten)]
    pub targets: FleetTargets,
    /// One JSON object a line (see below).
    #[arg(long)]
    pub json: bool,
    /// Every event, as `watch` prints them (each lifecycle step,
    /// alterability attempt, redefinition, conversion); by default only
    /// updates queued and how they ended, rollbacks, reverts, panics of new
    /// versions, watches and refused libraries.
    #[arg(long)]
    pub all: bool,
}

/// `fleet status`.
#[derive(Debug, Args)]
pub struct FleetStatusArgs {
    #[command(flatten)]
    pub targets: FleetTargets,
    /// One JSON array, an object per target.
    #[arg(long)]
    pub json: bool,
}

/// `fleet apply`.
#[derive(Debug, Args)]
pub struct FleetApplyArgs {
    /// A built update library (.so) or an update crate directory (built once,
    /// in the profile of the first target's app).
    pub update: PathBuf,
    #[command(flatten)]
    pub targets: FleetTargets,
    /// How many targets (the first ones) get the update first, as canaries.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub canary: usize,
    /// How many of the other targets get it at once, after the canaries.
    #[arg(long, value_name = "M", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub batch: u64,
    /// Watch each target this many seconds once applied: its agent reverts
    /// the update if the new versions panic more than --max-panics times.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub watch: f64,
    /// Panics a target's watch tolerates.
    #[arg(long, value_name = "K", default_value_t = 0)]
    pub max_panics: u64,
    /// Seconds each target's update (and each revert) may take to apply.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
    /// Print the summary as one JSON object (progress stays on stderr).
    #[arg(long)]
    pub json: bool,
    /// Sign the library with this minisign secret key before sending it.
    #[arg(long, value_name = "KEY")]
    pub sign_with: Option<PathBuf>,
}

/// `fleet revert`.
#[derive(Debug, Args)]
pub struct FleetRevertArgs {
    #[command(flatten)]
    pub targets: FleetTargets,
    /// Seconds each revert may take to apply.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
}
