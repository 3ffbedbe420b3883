//! `attach`: the interactive console.

use std::path::Path;

use moult_console::exit::Exit;

use crate::cli::AttachArgs;

/// Runs the TUI on the target (here or on another host) until the operator quits.
pub fn run(args: &AttachArgs, dir: &Path) -> anyhow::Result<Exit> {
    let route = super::route(dir, &args.target, &args.remote)?;
    moult_console::tui::attach::run(&route, args.ascii)
}
