//! `check`: one tutorial exercise's check, non-interactively.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use moult_console::exit::Exit;
use moult_console::tutorial::app_build::build_app;
use moult_console::tutorial::catalog;
use moult_console::tutorial::check::Verdict;
use moult_console::tutorial::progress::{Outcome, ProgressFile};
use moult_console::tutorial::runner::{RunOptions, private_runtime_dir, run_check};
use moult_console::tutorial::workspace::Workspace;
use moult_console::update_build::{self, UpdateSource};

use crate::cli::CheckArgs;

/// Builds, starts, updates and judges; exit 0 on a pass, 1 on a fail. The
/// verdict (or an update that did not build) is recorded in the learner's
/// tutorial progress.
pub fn run(args: &CheckArgs, dir: &Path) -> anyhow::Result<Exit> {
    let exercise = catalog::find(&args.exercise).map_err(anyhow::Error::msg)?;
    let workspace = Workspace::locate()?;
    let profile = if args.release { "release" } else { "debug" };
    let mut show = |line: &str| eprintln!("{line}");
    eprintln!("building the app {} ({profile})", exercise.app_package());
    let exe = build_app(&workspace, exercise, profile, &mut show)
        .with_context(|| format!("building the app {}", exercise.app_package()))?;
    let update = match &args.update {
        Some(path) => path.clone(),
        None if args.solution => workspace.solution_dir(exercise),
        None => workspace.starter_dir(exercise),
    };
    let with_solution = args.solution && args.update.is_none();
    let library: PathBuf = match UpdateSource::classify(&update)? {
        UpdateSource::Library(path) => path,
        UpdateSource::Crate(crate_dir) => {
            eprintln!("building the update {}", crate_dir.display());
            match update_build::build_reporting(&crate_dir, profile, &mut show) {
                Ok(library) => library,
                Err(e) => {
                    // The learner's update not building is a failed check,
                    // as the tutorial mode counts it.
                    let why = format!("the update did not build: {e}");
                    record(exercise.id, with_solution, &Verdict::Fail(why));
                    return Err(e)
                        .with_context(|| format!("building the update {}", crate_dir.display()));
                }
            }
        }
    };
    let runtime_dir = private_runtime_dir(dir)
        .with_context(|| format!("cannot make an agent directory in {}", dir.display()))?;
    let options = RunOptions {
        exe,
        library,
        runtime_dir: runtime_dir.clone(),
        period: args
            .period_ms
            .map_or(exercise.check_period, Duration::from_millis),
        apply_timeout: Duration::from_secs(args.timeout),
        rounds: args.rounds,
    };
    let verdict = run_check(exercise, &options, &mut show);
    let _ = std::fs::remove_dir_all(&runtime_dir);
    record(exercise.id, with_solution, &verdict);
    Ok(match verdict {
        Verdict::Pass(seen) => {
            println!("PASS {}: {seen}", exercise.id);
            Exit::Success
        }
        Verdict::Fail(why) => {
            println!("FAIL {}: {why}", exercise.id);
            Exit::Failure
        }
    })
}

/// Keeps the verdict in the learner's tutorial progress (the tutorial's
/// list, `tutorial progress` and the leader's view read it); says on stderr
/// why when it cannot.
fn record(id: &str, with_solution: bool, verdict: &Verdict) {
    let Some(mut file) = ProgressFile::from_env() else {
        return;
    };
    if let Err(why) = file.record_check(id, with_solution, Outcome::of(verdict)) {
        eprintln!("this check is not recorded in your tutorial progress: {why}");
    }
}
