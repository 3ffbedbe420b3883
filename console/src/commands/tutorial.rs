//! `tutorial`: the exercises, interactive.

use std::path::Path;

use moult_console::exit::Exit;
use moult_console::render::rfc3339_utc;
use moult_console::tutorial::progress::{CheckResult, Outcome};
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
    if let Some((id, check)) = &learner.last_check {
        writeln!(out, "last check: {}", last_check_words(id, check))?;
    }
    for app in &report.apps {
        writeln!(out, "running: {} (pid {})", app.app, app.pid)?;
    }
    Ok(Exit::Success)
}

/// `FAIL step2-series 2024-05-01 12:07 UTC: <why>`, `PASS step1-hello
/// 2024-05-01 12:03 UTC (solution)`.
fn last_check_words(id: &str, check: &CheckResult) -> String {
    let time = rfc3339_utc(check.at_ms);
    let when = format!("{} {} UTC", &time[..10], &time[11..16]);
    let how = if check.with_solution {
        " (solution)"
    } else {
        ""
    };
    match &check.outcome {
        Outcome::Pass => format!("PASS {id} {when}{how}"),
        Outcome::Fail { why } => format!("FAIL {id} {when}{how}: {why}"),
    }
}
