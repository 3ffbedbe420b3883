//! A running exercise: the console attached to the exercise's app (every
//! view and key of `moult-console attach`), the app's output, and the
//! tutorial's actions over them — check my update, reset, reveal and apply
//! the solution — with the check's pane and the solution shown over the
//! views.

use std::path::PathBuf;

use super::hint_pane::{HintPane, PaneOutcome};
use super::report::{Attached, Report};
use super::work::{Effect, UpdateChoice, Work};
use crate::tui::controller::Controller;
use crate::tui::input::{self, Action, Key, Scope};
use crate::tui::state::AppState;
use crate::tui::text_scroll::TextScroll;
use crate::tui::theme::Theme;
use crate::tui::ui::{Mode, Tone, Ui};
use crate::tui::view_id::ViewId;
use crate::tui::work_log::WorkLog;
use crate::tutorial::check::Verdict;
use crate::tutorial::exercise::Exercise;
use crate::tutorial::output_log::OutputLog;
use crate::tutorial::workspace::Workspace;

/// Whether the exercise's app runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppLife {
    /// It runs and the console is attached.
    Running,
    /// Reset asked: it is being stopped and started again.
    Restarting,
    /// It exited (or could not be started again): R starts it.
    Exited,
}

/// What a yes does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    /// Show the solution.
    Reveal,
    /// Restart the app.
    Reset,
}

/// A yes/no question of the exercise screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask {
    /// The question, saying what will happen.
    pub question: String,
    /// What a yes does.
    pub then: Then,
}

/// The solution's source, shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solution {
    /// The file shown, from the workspace root
    /// (`demo-apps/<id>/solution/src/lib.rs`).
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    /// Where the reader is in it.
    pub scroll: TextScroll,
}

/// What is open over the views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    /// Nothing: keys go to the exercise, then to the console.
    None,
    /// A question.
    Confirm(Ask),
    /// The solution's source.
    Solution(Solution),
    /// The hints revealed so far.
    Hints(HintPane),
    /// The last (or running) check: its steps and verdict.
    CheckPane,
}

/// The running-exercise screen.
#[derive(Debug, Clone)]
pub struct Running {
    /// The exercise.
    pub exercise: &'static Exercise,
    /// In the tutorial (there is a list to go back to), not the demo.
    pub tutorial: bool,
    /// The console attached to the app: its model, views and keys.
    pub console: Controller,
    /// The app's pid.
    pub pid: u32,
    /// The app's stdout.
    pub output: OutputLog,
    /// The app's stderr (shown marked, among the stdout lines).
    pub errors: OutputLog,
    /// Whether the app runs.
    pub life: AppLife,
    /// The output takes the whole body instead of a pane under the view.
    pub zoom: bool,
    /// What is open over the views.
    pub overlay: Overlay,
    /// The last check, or the one running: what the check pane shows.
    pub check: Option<WorkLog>,
    /// The update the running check judges; `None` when no check runs.
    pub checking: Option<UpdateChoice>,
    /// How many of the exercise's hints the learner has revealed (from the
    /// progress when the screen opens; the workshop records it back).
    pub hints_used: usize,
}

impl Running {
    /// The screen for `exercise`, attached to `app`; the stage picker
    /// starts in `cwd`.
    pub fn new(
        exercise: &'static Exercise,
        tutorial: bool,
        app: Attached,
        theme: Theme,
        cwd: PathBuf,
    ) -> Running {
        let mut state = AppState::new();
        state.attached(app.agent);
        // Hot functions: what most exercises change first.
        let mut ui = Ui::new(theme);
        ui.view = ViewId::Functions;
        Running {
            exercise,
            tutorial,
            console: Controller::new(state, ui, cwd),
            pid: app.pid,
            output: app.output,
            errors: app.errors,
            life: AppLife::Running,
            zoom: false,
            overlay: Overlay::None,
            check: None,
            checking: None,
            hints_used: 0,
        }
    }

    /// The exercise's own action of `key`, if the screen would take it as
    /// one (no overlay, no prompt of the console open).
    pub fn own_action(&self, key: Key) -> Option<Action> {
        if self.overlay != Overlay::None || self.console.ui.mode != Mode::Normal {
            return None;
        }
        input::action(key, Scope::Exercise).or_else(|| {
            self.tutorial
                .then(|| input::action(key, Scope::TutorialExercise))
                .flatten()
        })
    }

    /// Handles a key; `page` rows make a page. Back to the list is the
    /// tutorial's business ([`Running::own_action`] tells it).
    pub fn key(&mut self, key: Key, page: usize, workspace: &Workspace) -> Vec<Effect> {
        if let Some(action) = self.own_action(key) {
            return self.act(action, workspace);
        }
        match &mut self.overlay {
            Overlay::None => self
                .console
                .key(key, page)
                .into_iter()
                .map(crate::tui::effect::Effect::widen)
                .collect(),
            Overlay::Confirm(ask) => match input::action(key, Scope::Confirm) {
                Some(Action::Accept) => {
                    let then = ask.then;
                    self.overlay = Overlay::None;
                    self.confirmed(then, workspace)
                }
                Some(Action::Cancel) => {
                    self.overlay = Overlay::None;
                    self.say(Tone::Info, "cancelled");
                    Vec::new()
                }
                _ => Vec::new(),
            },
            Overlay::Solution(solution) => {
                let scroll = &mut solution.scroll;
                match input::action(key, Scope::Solution) {
                    Some(Action::ApplySolution) => {
                        self.overlay = Overlay::None;
                        return self.start_check(UpdateChoice::Solution);
                    }
                    Some(Action::Back) => self.overlay = Overlay::None,
                    Some(Action::Quit) => return vec![Effect::Quit],
                    Some(Action::Up) => scroll.up(1),
                    Some(Action::Down) => scroll.down(1),
                    Some(Action::PageUp) => scroll.up(page),
                    Some(Action::PageDown) => scroll.down(page),
                    Some(Action::Top) => scroll.home(),
                    Some(Action::Bottom) => scroll.end(),
                    _ => {}
                }
                Vec::new()
            }
            Overlay::Hints(pane) => {
                let outcome = pane.key(key, page);
                let total = pane.hints.len();
                match outcome {
                    PaneOutcome::Stay => {}
                    PaneOutcome::Revealed(n) => {
                        self.hints_used = self.hints_used.max(n);
                        self.say(Tone::Info, format!("hint {n} of {total} revealed"));
                    }
                    PaneOutcome::NoMore => {
                        let solution =
                            input::key_of(Action::Reveal, Scope::Exercise).unwrap_or_default();
                        self.say(
                            Tone::Info,
                            format!("that was the last hint; {solution} shows the solution"),
                        );
                    }
                    PaneOutcome::Close => self.overlay = Overlay::None,
                    PaneOutcome::Quit => return vec![Effect::Quit],
                }
                Vec::new()
            }
            Overlay::CheckPane => match input::action(key, Scope::CheckPane) {
                Some(Action::Back) => {
                    self.overlay = Overlay::None;
                    if self.checking.is_some() {
                        self.say(
                            Tone::Info,
                            "the check goes on; its verdict shows when it ends",
                        );
                    }
                    Vec::new()
                }
                Some(Action::Quit) => vec![Effect::Quit],
                _ => Vec::new(),
            },
        }
    }

    fn act(&mut self, action: Action, workspace: &Workspace) -> Vec<Effect> {
        let label = self.exercise.label();
        match action {
            Action::ApplyMine => return self.start_check(UpdateChoice::Mine),
            Action::Output => self.zoom = !self.zoom,
            Action::Reset if self.checking.is_some() => {
                self.say(Tone::Error, "a check is running: wait for its verdict");
            }
            Action::Reset => {
                self.overlay = Overlay::Confirm(Ask {
                    question: format!(
                        "Reset {label}? The app is stopped and started again at version 0; \
                         updates applied to it are gone."
                    ),
                    then: Then::Reset,
                });
            }
            Action::Hint => self.open_hints(workspace),
            Action::Reveal => {
                let starter = workspace.starter_dir(self.exercise);
                let starter = starter.strip_prefix(&workspace.root).unwrap_or(&starter);
                let question = format!(
                    "Reveal the solution of {label}? Try your own update first: \
                     u builds and applies {}.",
                    starter.display()
                );
                self.overlay = Overlay::Confirm(Ask {
                    question,
                    then: Then::Reveal,
                });
            }
            _ => {}
        }
        Vec::new()
    }

    /// Opens the hints pane: the hints revealed so far, or the first one
    /// when none was.
    fn open_hints(&mut self, workspace: &Workspace) {
        match workspace.hints(self.exercise) {
            Ok(hints) => {
                let pane = HintPane::open(hints, self.hints_used);
                if pane.shown > self.hints_used {
                    self.hints_used = pane.shown;
                    let total = pane.hints.len();
                    self.say(Tone::Info, format!("hint 1 of {total} revealed"));
                }
                self.overlay = Overlay::Hints(pane);
            }
            Err(why) => self.say(Tone::Error, why),
        }
    }

    fn confirmed(&mut self, then: Then, workspace: &Workspace) -> Vec<Effect> {
        match then {
            Then::Reveal => {
                let path = workspace
                    .solution_dir(self.exercise)
                    .join("src")
                    .join("lib.rs");
                match std::fs::read_to_string(&path) {
                    Ok(text) => {
                        let path = match path.strip_prefix(&workspace.root) {
                            Ok(relative) => relative.to_path_buf(),
                            Err(_) => path,
                        };
                        self.overlay = Overlay::Solution(Solution {
                            path,
                            text,
                            scroll: TextScroll::default(),
                        });
                    }
                    Err(e) => self.say(Tone::Error, format!("{}: {e}", path.display())),
                }
                Vec::new()
            }
            Then::Reset => {
                self.life = AppLife::Restarting;
                self.say(Tone::Info, "restarting the app");
                vec![Effect::Own(Work::Reset)]
            }
        }
    }

    fn start_check(&mut self, update: UpdateChoice) -> Vec<Effect> {
        if self.checking.is_some() {
            self.overlay = Overlay::CheckPane;
            self.say(Tone::Error, "a check is already running");
            return Vec::new();
        }
        if self.life != AppLife::Running {
            self.say(Tone::Error, "the app is not running: R starts it again");
            return Vec::new();
        }
        self.check = Some(WorkLog::new(
            format!("Check {}: {}", self.exercise.label(), update.words()),
            format!("building {}", update.words()),
        ));
        self.checking = Some(update);
        self.overlay = Overlay::CheckPane;
        self.console.ui.message = None;
        vec![Effect::Own(Work::Check(update))]
    }

    /// Applies news from the loop.
    pub fn report(&mut self, report: Report) -> Vec<Effect> {
        match report {
            Report::Console(feed) => {
                return self
                    .console
                    .feed(feed)
                    .into_iter()
                    .map(crate::tui::effect::Effect::widen)
                    .collect();
            }
            Report::CheckLine(line) => {
                if let Some(check) = &mut self.check {
                    check.line(line);
                }
            }
            Report::CheckStep(step) => {
                if let Some(check) = &mut self.check {
                    check.step(step);
                }
            }
            Report::CheckDone(verdict) => self.check_done(verdict),
            Report::Started(app) => self.restarted(app),
            Report::StartFailed(why) => {
                self.life = AppLife::Exited;
                self.say(Tone::Error, format!("the app did not start again: {why}"));
            }
            Report::AppExited => {
                self.life = AppLife::Exited;
                self.say(
                    Tone::Error,
                    "the app exited (its last lines are in the output); R starts it again",
                );
            }
            Report::StartLine(_) => {}
        }
        Vec::new()
    }

    fn check_done(&mut self, verdict: Verdict) {
        let words = match &verdict {
            Verdict::Pass(_) => "PASS",
            Verdict::Fail(_) => "FAIL",
        };
        if let Some(check) = &mut self.check {
            check.finish(verdict);
        }
        self.checking = None;
        if self.overlay == Overlay::None {
            self.overlay = Overlay::CheckPane;
        } else if !matches!(self.overlay, Overlay::CheckPane) {
            self.say(Tone::Info, format!("the check ended: {words}"));
        }
    }

    fn restarted(&mut self, app: Attached) {
        let mut state = AppState::new();
        state.attached(app.agent);
        self.console.restarted(state);
        self.pid = app.pid;
        self.output = app.output;
        self.errors = app.errors;
        self.life = AppLife::Running;
        self.say(
            Tone::Info,
            format!("the app was restarted (pid {}), at version 0", app.pid),
        );
    }

    fn say(&mut self, tone: Tone, text: impl Into<String>) {
        self.console.ui.say(tone, text);
    }
}
