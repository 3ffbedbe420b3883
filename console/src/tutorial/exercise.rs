//! One tutorial exercise: which demo app it runs, how fast a check runs it,
//! and the check that says whether an update did what the statement asks.
//!
//! Names follow one convention, so the catalog stays one line per exercise:
//! the app is package and binary `<id>` in `demo-apps/<id>/app`, the
//! learner's crate `<id>-starter` in `starter/`, the reference `<id>-solution`
//! in `solution/`, the statement `assets/tutorial/<id>.md`.

use std::time::Duration;

use super::check::Check;

/// A tutorial exercise.
pub struct Exercise {
    /// `step1-hello`: the folder, the app's package and binary, the name
    /// the app gives its agent.
    pub id: &'static str,
    /// Its step (1 to 4 are Pymoult's, 5 goes beyond): where it sits in the
    /// tutorial.
    pub step: u8,
    /// Its number within the step.
    pub number: u8,
    /// The title the list shows.
    pub title: &'static str,
    /// One line: what the update does.
    pub summary: &'static str,
    /// The app's period when a check runs it (`MOULT_DEMO_PERIOD_MS`):
    /// short, so a check takes seconds, not the tutorial's 2 s a turn.
    pub check_period: Duration,
    /// The app listens on a TCP port (HTTP for the web server, the Redis
    /// protocol for the kv-server): the runner hands it a free port
    /// (`MOULT_DEMO_PORT`).
    pub serves_http: bool,
    /// Decides whether the update did what the statement asks.
    pub check: &'static dyn Check,
}

impl Exercise {
    /// The app's package (and binary) name.
    pub fn app_package(&self) -> &'static str {
        self.id
    }

    /// The learner's update crate's package name.
    pub fn starter_package(&self) -> String {
        format!("{}-starter", self.id)
    }

    /// The reference update crate's package name.
    pub fn solution_package(&self) -> String {
        format!("{}-solution", self.id)
    }

    /// `1.2 Tic toc`: what lists show.
    pub fn label(&self) -> String {
        format!("{}.{} {}", self.step, self.number, self.title)
    }
}

impl std::fmt::Debug for Exercise {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exercise")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Exercises are one of each: the same id is the same exercise.
impl PartialEq for Exercise {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Exercise {}
