//! What the tutorial's screens ask of their host beyond the console's
//! effects: everything that starts a process or a thread, or touches a file
//! other than reading one, so the screens stay plain data that tests drive
//! with keys.

use crate::tutorial::exercise::Exercise;

/// Which update a check builds and applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateChoice {
    /// The learner's: the exercise's `starter` crate.
    Mine,
    /// The exercise's `solution` crate.
    Solution,
}

impl UpdateChoice {
    /// `your update (starter/)`: what the check pane's title says.
    pub fn words(self) -> &'static str {
        match self {
            UpdateChoice::Mine => "your update (starter/)",
            UpdateChoice::Solution => "the solution (solution/)",
        }
    }
}

/// The console's effects, plus the tutorial's own [`Work`].
pub type Effect = crate::tui::effect::Effect<Work>;

/// Work only the tutorial's host does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    /// Build the exercise's app, start it at the tutorial's pace, attach.
    StartApp(&'static Exercise),
    /// Restart the running app (stop it, start it again, reattach).
    Reset,
    /// Stop the running app.
    StopApp,
    /// Build `update`, then judge it on the running app with the
    /// exercise's check.
    Check(UpdateChoice),
    /// Write the progress file.
    SaveProgress,
}
