//! `attach`: the interactive console.

use std::path::Path;

use moult_console::exit::Exit;

use crate::cli::AttachArgs;

/// Runs the TUI on the target until the operator quits.
pub fn run(args: &AttachArgs, dir: &Path) -> anyhow::Result<Exit> {
    moult_console::tui::attach::run(dir, &args.target, args.ascii)
}
