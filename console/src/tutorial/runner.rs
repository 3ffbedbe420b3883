//! `moult-console check <id>` without a terminal: build the app, start it,
//! watch version 0, apply the update, judge version 1, once per round.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::app_process::{AppProcess, Launch, free_port};
use super::apply::apply_library;
use super::check::{Probe, Verdict};
use super::exercise::Exercise;

/// How a check runs.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The app's executable (built with [`super::app_build::build_app`]).
    pub exe: PathBuf,
    /// The update library to apply each round.
    pub library: PathBuf,
    /// The agent directory the app gets.
    pub runtime_dir: PathBuf,
    /// The app's period; the exercise's `check_period` unless overridden.
    pub period: Duration,
    /// How long one update may take before it is aborted.
    pub apply_timeout: Duration,
    /// Rounds to run; the check's own count unless overridden.
    pub rounds: Option<u32>,
}

/// Runs `exercise`'s check: for each round, a fresh app, `before`, the
/// update, `after`. `report` gets one line per step. The first failing
/// round decides.
pub fn run_check(
    exercise: &Exercise,
    options: &RunOptions,
    report: &mut dyn FnMut(&str),
) -> Verdict {
    let rounds = options
        .rounds
        .unwrap_or_else(|| exercise.check.rounds())
        .max(1);
    let mut seen = String::new();
    for round in 1..=rounds {
        let prefix = if rounds > 1 {
            format!("round {round}/{rounds}: ")
        } else {
            String::new()
        };
        match run_round(exercise, options, &prefix, report) {
            Ok(pass) => seen = pass,
            Err(fail) => return Verdict::Fail(format!("{prefix}{fail}")),
        }
    }
    if rounds > 1 {
        seen = format!("{seen} (in each of {rounds} rounds)");
    }
    Verdict::Pass(seen)
}

fn run_round(
    exercise: &Exercise,
    options: &RunOptions,
    prefix: &str,
    report: &mut dyn FnMut(&str),
) -> Result<String, String> {
    let port = if exercise.serves_http {
        Some(free_port().map_err(|e| format!("no free localhost port: {e}"))?)
    } else {
        None
    };
    let app = AppProcess::start(Launch {
        exe: options.exe.clone(),
        period: Some(options.period),
        port,
        runtime_dir: options.runtime_dir.clone(),
    })
    .map_err(|e| e.to_string())?;
    report(&format!(
        "{prefix}started {} (pid {})",
        exercise.id,
        app.pid()
    ));
    let probe = Probe {
        output: &app.output,
        errors: &app.errors,
        socket: app.socket(),
        period: options.period,
        port,
        mark: app.output.mark(),
    };
    judge(
        exercise,
        &probe,
        &options.library,
        options.apply_timeout,
        &mut |step| report(&format!("{prefix}{step}")),
    )
}

/// One step of [`judge`], for a progress display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `before` watches version 0.
    WatchingVersion0,
    /// Version 0 behaves as the statement says.
    Version0Ok,
    /// The update is being applied.
    Applying,
    /// A line of the update's lifecycle.
    Lifecycle(String),
    /// `after` watches what the update changed.
    Checking,
    /// The verdict: pass.
    Passed(String),
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::WatchingVersion0 => f.write_str("watching version 0 of the app"),
            Step::Version0Ok => f.write_str("version 0 behaves as the statement says"),
            Step::Applying => f.write_str("applying the update"),
            Step::Lifecycle(line) => write!(f, "  {line}"),
            Step::Checking => f.write_str("checking what the app does now"),
            Step::Passed(seen) => write!(f, "pass: {seen}"),
        }
    }
}

/// Judges `library` on the app `probe` watches (at version 0): `before`,
/// the update, `after`. `Ok` with what was seen, or `Err` with what is
/// wrong; `step` hears each step as it starts. What `check` and the
/// tutorial's "apply" share.
pub fn judge(
    exercise: &Exercise,
    probe: &Probe<'_>,
    library: &Path,
    apply_timeout: Duration,
    step: &mut dyn FnMut(&Step),
) -> Result<String, String> {
    step(&Step::WatchingVersion0);
    let probe = probe.from_mark(probe.output.mark());
    let baseline = exercise
        .check
        .before(&probe)
        .map_err(|e| format!("before the update: {e}"))?;
    step(&Step::Version0Ok);
    step(&Step::Applying);
    apply_library(&probe.socket, library, apply_timeout, |line| {
        step(&Step::Lifecycle(line.to_string()))
    })?;
    let probe = probe.from_mark(probe.output.mark());
    step(&Step::Checking);
    let seen = exercise
        .check
        .after(&probe, baseline)
        .map_err(|e| format!("after the update: {e}"))?;
    step(&Step::Passed(seen.clone()));
    Ok(seen)
}

/// A private agent directory under `parent` for one check run (so its app
/// is not mistaken for a workshop's running apps), made `0700`.
pub fn private_runtime_dir(parent: &Path) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let dir = parent.join(format!("check-{}", std::process::id()));
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)?;
    Ok(dir)
}
