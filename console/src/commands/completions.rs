//! `completions`: a shell's completion script for this command line.

use clap::CommandFactory;
use moult_console::exit::Exit;

use crate::cli::{Cli, CompletionsArgs};

/// Prints the completion script of `args.shell`.
pub fn run(args: &CompletionsArgs) -> anyhow::Result<Exit> {
    let mut command = Cli::command();
    let name = command.get_name().to_string();
    clap_complete::generate(
        args.shell,
        &mut command,
        name,
        &mut std::io::stdout().lock(),
    );
    Ok(Exit::Success)
}
