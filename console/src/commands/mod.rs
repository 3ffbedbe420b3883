//! One file per command; each returns the exit code its outcome calls for
//! (or an error, printed by `main`, exit 1).

mod apply;
mod attach;
mod check;
mod convert;
mod demo;
mod hint;
mod list;
mod log;
mod queued;
mod reboot;
mod revert;
mod status;
mod tutorial;
mod watch;
mod watching;

use std::path::Path;

use moult_console::client::{Client, ClientError, Hello};
use moult_console::exit::Exit;
use moult_console::target::{self, Resolved, Target};

use crate::cli::Command;

/// Runs `command` against the agents in `dir`.
pub fn run(command: Command, dir: &Path) -> anyhow::Result<Exit> {
    match command {
        Command::List(args) => list::run(&args, dir),
        Command::Status(args) => status::run(&args, dir),
        Command::Attach(args) => attach::run(&args, dir),
        Command::Apply(args) => apply::run(&args, dir),
        Command::Reboot(args) => reboot::run(&args, dir),
        Command::Revert(args) => revert::run(&args, dir),
        Command::Convert(args) => convert::run(&args, dir),
        Command::Log(args) => log::run(&args, dir),
        Command::Watch(args) => watch::run(&args, dir),
        Command::Check(args) => check::run(&args, dir),
        Command::Tutorial(args) => tutorial::run(&args, dir),
        Command::Demo(args) => demo::run(&args, dir),
        Command::Hint(args) => hint::run(&args),
    }
}

/// Resolves `target` in `dir`, connects and says hello.
fn attach(dir: &Path, target: &Target) -> anyhow::Result<(Client, Hello)> {
    connect(&target::resolve(dir, target)?)
}

/// Connects to a resolved agent and says hello.
fn connect(resolved: &Resolved) -> anyhow::Result<(Client, Hello)> {
    Client::open(&resolved.socket).map_err(|e| match e {
        ClientError::Connect { .. } => anyhow::Error::new(e),
        e => anyhow::Error::new(e).context(format!(
            "the agent of pid {} refused the connection",
            resolved.pid
        )),
    })
}
