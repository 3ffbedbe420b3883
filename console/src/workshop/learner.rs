//! What the leader's view says of one learner, derived from their report:
//! the exercise they are on, how many passed, their last check (pass or
//! fail, and for a fail the first line of what was wrong), and the hints
//! they used.
//!
//! The tutorial records every check, from its mode and from
//! `moult-console check`, so the last check shown is the newest of either,
//! pass or fail. A progress file written by an older console kept passes
//! only: its newest pass stands for its last check. The current exercise
//! says `working` until a check of it passes, and stays passed when a later
//! check of it fails.

use super::report::{LearnerReport, RunningApp};
use crate::tutorial::catalog::EXERCISES;
use crate::tutorial::progress::CheckResult;

/// One learner, as a row shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Learner {
    /// The exercise they are on: the one whose app runs (the newest), else
    /// the one they last started, checked or passed.
    pub current: Option<String>,
    /// Whether a check of the current exercise passed.
    pub current_passed: bool,
    /// Exercises passed, out of how many there are.
    pub passed: (usize, usize),
    /// The newest check over every exercise, pass or fail: the exercise
    /// and how it ended (a leader sees who is stuck, and on what).
    pub last_check: Option<(String, CheckResult)>,
    /// Hints revealed for the current exercise.
    pub hints_here: usize,
    /// Hints revealed over every exercise.
    pub hints_total: usize,
    /// The exercise app they run (Enter attaches to it).
    pub app: Option<RunningApp>,
    /// Why their progress could not be read, if it could not.
    pub problem: Option<String>,
}

impl Learner {
    /// The learner `report` describes.
    pub fn of(report: &LearnerReport) -> Learner {
        let records = &report.progress.exercises;
        let app = report
            .apps
            .iter()
            .filter(|a| EXERCISES.iter().any(|e| e.id == a.app))
            .max_by_key(|a| a.started_unix_ms)
            .cloned();
        let latest = records
            .iter()
            .filter_map(|(id, r)| {
                let checked = r.last_check.as_ref().map(|c| c.at_ms);
                let at = r
                    .started_ms
                    .into_iter()
                    .chain(r.passed_ms)
                    .chain(checked)
                    .max()?;
                Some((at, id.clone()))
            })
            .max()
            .map(|(_, id)| id);
        let current = app.as_ref().map(|a| a.app.clone()).or(latest);
        let last_check = report
            .progress
            .last_check()
            .map(|(id, check)| (id.to_string(), check));
        let here = current.as_deref().and_then(|id| records.get(id));
        Learner {
            current_passed: here.is_some_and(|r| r.passed_ms.is_some()),
            hints_here: here.map_or(0, |r| r.hints_used),
            hints_total: records.values().map(|r| r.hints_used).sum(),
            passed: (report.progress.passed_count(), EXERCISES.len()),
            last_check,
            current,
            app,
            problem: report.problem.clone(),
        }
    }
}
