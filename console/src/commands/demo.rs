//! `demo`: one exercise's app with the console attached.

use std::path::Path;

use moult_console::exit::Exit;
use moult_console::tutorial::screens::run::{self, Entry};

use crate::cli::DemoArgs;

/// Starts the exercise's app and runs the console on it until the user quits.
pub fn run(args: &DemoArgs, dir: &Path) -> anyhow::Result<Exit> {
    run::run(dir, Entry::Demo(args.exercise.clone()), args.ascii)
}
