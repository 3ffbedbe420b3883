//! One file per command; each returns the exit code its outcome calls for
//! (or an error, printed by `main`, exit 1).

mod apply;
mod attach;
mod bridge;
mod check;
mod completions;
mod convert;
mod demo;
mod event_stream;
mod fleet;
mod hint;
mod keygen;
mod list;
mod log;
mod man;
mod new;
mod queued;
mod reboot;
mod revert;
mod sign;
mod status;
mod tutorial;
mod watch;
mod watching;
mod workshop;

use std::path::Path;

use moult_console::client::{Client, ClientError, Hello};
use moult_console::exit::Exit;
use moult_console::remote::{Endpoint, Route, RouteError};
use moult_console::target::{self, Resolved};

use crate::cli::{Command, RemoteArgs};

/// Runs `command` against the agents in `dir`.
pub fn run(command: Command, dir: &Path) -> anyhow::Result<Exit> {
    match command {
        Command::List(args) => list::run(&args, dir),
        Command::Status(args) => status::run(&args, dir),
        Command::Attach(args) => attach::run(&args, dir),
        Command::Apply(args) => apply::run(&args, dir),
        Command::Reboot(args) => reboot::run(&args, dir),
        Command::Revert(args) => revert::run(&args, dir),
        Command::Sign(args) => sign::run(&args),
        Command::Keygen(args) => keygen::run(&args),
        Command::Convert(args) => convert::run(&args, dir),
        Command::Log(args) => log::run(&args, dir),
        Command::Watch(args) => watch::run(&args, dir),
        Command::Bridge(args) => bridge::run(&args, dir),
        Command::Fleet(args) => fleet::run(&args, dir),
        Command::Check(args) => check::run(&args, dir),
        Command::Tutorial(args) => tutorial::run(&args, dir),
        Command::Demo(args) => demo::run(&args, dir),
        Command::Hint(args) => hint::run(&args),
        Command::New(args) => new::run(&args, dir),
        Command::Completions(args) => completions::run(&args),
        Command::Man(args) => man::run(&args),
        Command::Workshop(args) => workshop::run(&args, dir),
    }
}

/// The way to the agent a command's target and remote options name
/// (agents on this machine are in `dir`).
fn route(dir: &Path, target: &Endpoint, remote: &RemoteArgs) -> anyhow::Result<Route> {
    Route::new(dir.to_path_buf(), target, &remote.options()).map_err(anyhow::Error::msg)
}

/// Opens the agent a command's target names, here or remote, and says hello.
fn attach(dir: &Path, target: &Endpoint, remote: &RemoteArgs) -> anyhow::Result<(Client, Hello)> {
    match route(dir, target, remote)? {
        // Resolved first, so a refusal names the pid.
        Route::Local { dir, target } => connect(&target::resolve(&dir, &target)?),
        remote => open(&remote),
    }
}

/// Opens `route` and says hello; a refusal by the agent says whose.
fn open(route: &Route) -> anyhow::Result<(Client, Hello)> {
    route.open().map_err(|e| match e {
        RouteError::Target(e) => anyhow::Error::new(e),
        RouteError::Client(e @ (ClientError::Connect { .. } | ClientError::Remote(_))) => {
            anyhow::Error::new(e)
        }
        RouteError::Client(e) => {
            anyhow::Error::new(e).context(format!("the agent of {route} refused the connection"))
        }
    })
}

/// Connects to a resolved local agent and says hello.
fn connect(resolved: &Resolved) -> anyhow::Result<(Client, Hello)> {
    Client::open(&resolved.socket).map_err(|e| match e {
        ClientError::Connect { .. } => anyhow::Error::new(e),
        e => anyhow::Error::new(e).context(format!(
            "the agent of pid {} refused the connection",
            resolved.pid
        )),
    })
}
