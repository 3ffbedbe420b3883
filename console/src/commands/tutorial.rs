//! `tutorial`: the exercises, interactive.

use std::path::Path;

use moult_console::exit::Exit;
use moult_console::tutorial::screens::run::{self, Entry};

use crate::cli::{TutorialArgs, TutorialCommand, TutorialProgressArgs};

/// Runs the tutorial until the learner quits (or `tutorial progress`).
pub fn run(args: &TutorialArgs, dir: &Path) -> anyhow::Result<Exit> {
    match &args.command {
        None => run::run(dir, Entry::Tutorial, args.ascii),
        Some(TutorialCommand::Progress(args)) => progress(args, dir),
    }
}

/// `tutorial progress`: this learner's progress and running apps, as the
/// leader's view reads them (`--json`) or in a few words.
fn progress(args: &TutorialProgressArgs, dir: &Path) -> anyhow::Result<Exit> {
    use std::io::Write;
    let report = moult_console::workshop::report::gather(dir);
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string(&report)?)?;
        return Ok(Exit::Success);
    }
    let learner = moult_console::workshop::learner::Learner::of(&report);
    if let Some(problem) = &report.problem {
        writeln!(out, "{problem}")?;
    }
    writeln!(
        out,
        "passed {} of {} exercises; on {}; {} hint(s) used",
        learner.passed.0,
        learner.passed.1,
        learner.current.as_deref().unwrap_or("none yet"),
        learner.hints_total
    )?;
    for app in &report.apps {
        writeln!(out, "running: {} (pid {})", app.app, app.pid)?;
    }
    Ok(Exit::Success)
}
