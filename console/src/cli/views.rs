//! The arguments of the live views of many targets: `fleet` with no
//! subcommand (or `fleet view`), `workshop`, and the learner's side of the
//! workshop, `tutorial progress`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{FleetTargets, RemoteArgs};

/// `fleet` / `fleet view`'s examples.
pub const FLEET_VIEW_HELP: &str = "One row per target: host, app, pid, connection (connecting, connected, or\nunreachable and why), the versions of its hot functions, its current or last\nupdate and how it ended, panics/calls of the current versions; polled every\nsecond, at most --workers connections made or polled at once. Enter opens the\ntarget's full console (the views of `attach`); q there comes back; ? lists\nevery key.\n\nExamples:\n  moult-console fleet --fleet fleet.toml\n  moult-console fleet view --target ssh://web1/api --target ssh://web2/api";

/// `fleet` with no subcommand, or `fleet view`.
#[derive(Debug, Args)]
pub struct FleetViewArgs {
    #[command(flatten)]
    pub targets: FleetTargets,
    /// Connections made or polled at once at most (a dead host holds one
    /// up to ssh's connect timeout while the others stay live).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub workers: Option<u64>,
    /// Draw with ASCII only (no box drawing or block characters).
    #[arg(long)]
    pub ascii: bool,
}

/// `workshop`'s help.
pub const WORKSHOP_HELP: &str = "One row per learner: their machine's connection, the exercise they are on\n(the one whose app runs, else the last one started), exercises passed, their\nlast passing check, hints used (this exercise, and all), the exercise app\nthey run. Each learner's machine is asked `moult-console tutorial progress\n--json` over ssh every two seconds (its moult-console must be on the remote\nPATH, or --remote-console). Enter attaches to the learner's exercise app,\nread-only: its action keys are refused unless you pressed a here (or started\nwith --allow-actions). q in that console comes back here.\n\nworkshop.toml (a fleet.toml's [groups] works too):\n  [groups]\n  morning = [\"ssh://alice@pc1\", \"ssh://bob@pc2\"]\n\nExamples:\n  moult-console workshop --workshop workshop.toml\n  moult-console workshop --target ssh://alice@pc1 --target ssh://bob@pc2:2222\n\nassets/tutorial/README.md says how to set a room up.";

/// `workshop`.
#[derive(Debug, Args)]
pub struct WorkshopArgs {
    /// A learner's machine or account, `ssh://[user@]host[:port]`; repeat it.
    #[arg(long = "target", value_name = "LEARNER")]
    pub targets: Vec<String>,
    /// A TOML file whose `[groups]` table names lists of learners.
    #[arg(long, value_name = "FILE")]
    pub workshop: Option<PathBuf>,
    /// Only this group of the workshop file (repeat it); default: every group.
    #[arg(long, value_name = "NAME", requires = "workshop")]
    pub group: Vec<String>,
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// The consoles Enter opens may act (apply, abort, reboot...) from the
    /// start; `a` toggles it.
    #[arg(long)]
    pub allow_actions: bool,
    /// Learners asked at once at most.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub workers: Option<u64>,
    /// Draw with ASCII only (no box drawing or block characters).
    #[arg(long)]
    pub ascii: bool,
}

/// What `tutorial` does besides the interactive tutorial.
#[derive(Debug, Subcommand)]
pub enum TutorialCommand {
    /// Print your tutorial progress and the moult apps you run (what the
    /// leader's `moult-console workshop` asks over ssh).
    Progress(TutorialProgressArgs),
}

/// `tutorial progress`.
#[derive(Debug, Args)]
pub struct TutorialProgressArgs {
    /// One JSON object: the progress file's path and records (each
    /// exercise's last check among them), any problem reading it, the
    /// running apps.
    #[arg(long)]
    pub json: bool,
}
