//! `moult-console`: the scriptable command line. Parses the command, runs
//! it, and turns its result into an exit code (see `--help`).

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;
use moult_console::exit::Exit;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let dir = moult_console::target::runtime_dir();
    match commands::run(cli.command, &dir) {
        Ok(exit) => exit.into(),
        Err(e) if is_broken_pipe(&e) => Exit::Success.into(),
        Err(e) => {
            eprintln!("error: {e:#}");
            Exit::Failure.into()
        }
    }
}

/// Output piped into a reader that stopped (`watch | head`): not a failure.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
