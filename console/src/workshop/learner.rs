//! What the leader's view says of one learner, derived from their report:
//! the exercise they are on, how many passed, their last check that
//! passed, and the hints they used.
//!
//! The tutorial keeps passes, starts and hints (not failed checks), so the
//! last check shown is the newest pass; the current exercise says
//! `working` until its check passes.

use super::report::{LearnerReport, RunningApp};
use crate::tutorial::catalog::EXERCISES;

/// One learner, as a row shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Learner {
    /// The exercise they are on: the one whose app runs (the newest), else
    /// the one they last started or passed.
    pub current: Option<String>,
    /// Whether a check of the current exercise passed.
    pub current_passed: bool,
    /// Exercises passed, out of how many there are.
    pub passed: (usize, usize),
    /// The newest pass: the exercise, when (unix ms), with the solution.
    pub last_pass: Option<(String, u64, bool)>,
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
                let at = r.started_ms.into_iter().chain(r.passed_ms).max()?;
                Some((at, id.clone()))
            })
            .max()
            .map(|(_, id)| id);
        let current = app.as_ref().map(|a| a.app.clone()).or(latest);
        let last_pass = records
            .iter()
            .filter_map(|(id, r)| Some((r.passed_ms?, id.clone(), r.with_solution)))
            .max()
            .map(|(at, id, solution)| (id, at, solution));
        let here = current.as_deref().and_then(|id| records.get(id));
        Learner {
            current_passed: here.is_some_and(|r| r.passed_ms.is_some()),
            hints_here: here.map_or(0, |r| r.hints_used),
            hints_total: records.values().map(|r| r.hints_used).sum(),
            passed: (report.progress.passed_count(), EXERCISES.len()),
            last_pass,
            current,
            app,
            problem: report.problem.clone(),
        }
    }
}
