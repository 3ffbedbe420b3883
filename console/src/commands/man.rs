//! `man`: the manual pages of this command line, in roff.

use std::io::Write;

use anyhow::Context;
use clap::CommandFactory;
use moult_console::exit::Exit;

use crate::cli::{Cli, ManArgs};

/// Prints the main page, or writes every page into `args.out_dir`.
pub fn run(args: &ManArgs) -> anyhow::Result<Exit> {
    let Some(dir) = &args.out_dir else {
        let mut page = Vec::new();
        clap_mangen::Man::new(Cli::command()).render(&mut page)?;
        std::io::stdout().lock().write_all(&page)?;
        return Ok(Exit::Success);
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    clap_mangen::generate_to(Cli::command(), dir)
        .with_context(|| format!("cannot write the pages into {}", dir.display()))?;
    println!("wrote the manual pages into {}", dir.display());
    Ok(Exit::Success)
}
