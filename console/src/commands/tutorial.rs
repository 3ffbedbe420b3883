//! `tutorial`: the exercises, interactive.

use std::path::Path;

use moult_console::exit::Exit;
use moult_console::tutorial::screens::run::{self, Entry};

use crate::cli::TutorialArgs;

/// Runs the tutorial until the learner quits.
pub fn run(args: &TutorialArgs, dir: &Path) -> anyhow::Result<Exit> {
    run::run(dir, Entry::Tutorial, args.ascii)
}
