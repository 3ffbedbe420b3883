//! The tutorial's screens and how keys and news move between them: the
//! exercise list, a statement, an app starting, the running exercise.
//! Plain data: what needs a process, a thread or a write is an [`Effect`]
//! the loop carries out, so tests drive it all with keys.

use super::report::Report;
use super::running::Running;
use super::work::{Effect, UpdateChoice, Work};
use crate::tui::controller::help_key;
use crate::tui::input::{self, Action, Key, Scope};
use crate::tui::table_nav::TableNav;
use crate::tui::text_scroll::TextScroll;
use crate::tui::theme::Theme;
use crate::tui::ui::Tone;
use crate::tui::work_log::WorkLog;
use crate::tutorial::catalog::EXERCISES;
use crate::tutorial::check::Verdict;
use crate::tutorial::exercise::Exercise;
use crate::tutorial::progress::{Outcome, Progress, now_ms};
use crate::tutorial::workspace::Workspace;

/// An exercise's statement, being read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The exercise.
    pub exercise: &'static Exercise,
    /// The statement's Markdown (or why it could not be read).
    pub text: String,
    /// Where the reader is.
    pub scroll: TextScroll,
}

/// An exercise's app being built and started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Starting {
    /// The exercise.
    pub exercise: &'static Exercise,
    /// cargo's progress, then the start; how it failed, if it did.
    pub log: WorkLog,
}

/// What the tutorial shows.
#[derive(Debug, Clone)]
pub enum Screen {
    /// Every exercise with the learner's progress.
    List,
    /// One exercise's statement.
    Statement(Statement),
    /// Its app being built and started.
    Starting(Starting),
    /// The exercise running, the console attached.
    Running(Box<Running>),
}

/// The tutorial (or the demo: one exercise, no list).
#[derive(Debug, Clone)]
pub struct Workshop {
    /// `moult-console tutorial` (a list to go back to), not `demo`.
    pub tutorial: bool,
    /// Where the exercises' crates and statements are.
    pub workspace: Workspace,
    /// What is shown.
    pub screen: Screen,
    /// The selection in the exercise list.
    pub list: TableNav,
    /// The learner's progress (saved with [`Work::SaveProgress`]).
    pub progress: Progress,
    /// Colours and symbols.
    pub theme: Theme,
    /// The last message of the list, statement and starting screens (the
    /// running exercise has the console's).
    pub message: Option<(Tone, String)>,
    /// The help, scrolled this far, over a list or statement.
    pub help: Option<u16>,
}

impl Workshop {
    /// The tutorial, on its exercise list.
    pub fn tutorial(workspace: Workspace, progress: Progress, theme: Theme) -> Workshop {
        Workshop {
            tutorial: true,
            workspace,
            screen: Screen::List,
            list: TableNav::default(),
            progress,
            theme,
            message: None,
            help: None,
        }
    }

    /// The demo of `exercise`: its app starting at once.
    pub fn demo(
        workspace: Workspace,
        exercise: &'static Exercise,
        progress: Progress,
        theme: Theme,
    ) -> (Workshop, Vec<Effect>) {
        let mut shop = Workshop {
            tutorial: false,
            ..Workshop::tutorial(workspace, progress, theme)
        };
        let effects = shop.start(exercise);
        (shop, effects)
    }

    /// Shows a message (on the running exercise, in the console's footer).
    pub fn say(&mut self, tone: Tone, text: impl Into<String>) {
        match &mut self.screen {
            Screen::Running(running) => running.console.ui.say(tone, text),
            _ => self.message = Some((tone, text.into())),
        }
    }

    /// The exercise selected in the list.
    pub fn selected(&self) -> &'static Exercise {
        EXERCISES[self.list.selected.min(EXERCISES.len() - 1)]
    }

    /// Handles a key; `page` rows make a page.
    pub fn key(&mut self, key: Key, page: usize) -> Vec<Effect> {
        if let Some(scroll) = &mut self.help {
            if !help_key(scroll, key, page) {
                self.help = None;
            }
            return Vec::new();
        }
        match &mut self.screen {
            Screen::List => {
                let action = input::action(key, Scope::List);
                match action {
                    Some(Action::Open) => self.open(self.selected()),
                    Some(Action::Up) => self.list.up(1),
                    Some(Action::Down) => self.list.down(1),
                    Some(Action::PageUp) => self.list.up(page),
                    Some(Action::PageDown) => self.list.down(page),
                    Some(Action::Top) => self.list.top(),
                    Some(Action::Bottom) => self.list.bottom(),
                    _ => return self.common(action),
                }
                Vec::new()
            }
            Screen::Statement(statement) => {
                let action = input::action(key, Scope::Statement);
                let scroll = &mut statement.scroll;
                match action {
                    Some(Action::Start) => {
                        let exercise = statement.exercise;
                        return self.start(exercise);
                    }
                    Some(Action::ToList) => self.screen = Screen::List,
                    Some(Action::Up) => scroll.up(1),
                    Some(Action::Down) => scroll.down(1),
                    Some(Action::PageUp) => scroll.up(page),
                    Some(Action::PageDown) => scroll.down(page),
                    Some(Action::Top) => scroll.home(),
                    Some(Action::Bottom) => scroll.end(),
                    _ => return self.common(action),
                }
                Vec::new()
            }
            Screen::Starting(starting) => {
                let action = input::action(key, Scope::Starting);
                if action == Some(Action::Back) && self.tutorial {
                    let exercise = starting.exercise;
                    self.open(exercise);
                    return Vec::new();
                }
                self.common(action)
            }
            Screen::Running(running) => {
                if running.own_action(key) == Some(Action::ToList) {
                    return self.leave_running();
                }
                let mut effects = running.key(key, page, &self.workspace);
                let (id, used) = (running.exercise.id, running.hints_used);
                if used > self.progress.hints_used(id) {
                    self.progress.hinted(id, used);
                    effects.push(Effect::Own(Work::SaveProgress));
                }
                effects
            }
        }
    }

    /// Quit and help, on the screens that are not the running exercise.
    fn common(&mut self, action: Option<Action>) -> Vec<Effect> {
        match action {
            Some(Action::Quit) => vec![Effect::Quit],
            Some(Action::Help) => {
                self.help = Some(0);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Shows `exercise`'s statement.
    fn open(&mut self, exercise: &'static Exercise) {
        self.message = None;
        self.screen = Screen::Statement(Statement {
            exercise,
            text: self.workspace.statement(exercise),
            scroll: TextScroll::default(),
        });
    }

    /// Starts `exercise`: its app is built and started by the loop.
    fn start(&mut self, exercise: &'static Exercise) -> Vec<Effect> {
        self.message = None;
        self.screen = Screen::Starting(Starting {
            exercise,
            log: WorkLog::new(
                format!("Starting {}", exercise.label()),
                format!(
                    "building the app {} with cargo (in {})",
                    exercise.app_package(),
                    self.workspace.root.display()
                ),
            ),
        });
        vec![Effect::Own(Work::StartApp(exercise))]
    }

    /// Back to the list from a running exercise: its app is stopped.
    fn leave_running(&mut self) -> Vec<Effect> {
        let Screen::Running(running) = &mut self.screen else {
            return Vec::new();
        };
        if running.checking.is_some() {
            running
                .console
                .ui
                .say(Tone::Error, "a check is running: wait for its verdict");
            return Vec::new();
        }
        let id = running.exercise.id;
        self.screen = Screen::List;
        if let Some(i) = EXERCISES.iter().position(|e| e.id == id) {
            self.list.selected = i;
        }
        vec![Effect::Own(Work::StopApp)]
    }

    /// Applies news from the loop.
    pub fn report(&mut self, report: Report) -> Vec<Effect> {
        match (&mut self.screen, report) {
            (Screen::Starting(starting), Report::StartLine(line)) => starting.log.line(line),
            (Screen::Starting(starting), Report::StartFailed(why)) => {
                starting.log.finish(Verdict::Fail(why));
            }
            (Screen::Starting(starting), Report::Started(app)) => {
                let exercise = starting.exercise;
                let cwd = self.workspace.exercise_dir(exercise);
                let mut running = Running::new(exercise, self.tutorial, app, self.theme, cwd);
                running.hints_used = self.progress.hints_used(exercise.id);
                self.screen = Screen::Running(Box::new(running));
                self.progress.started(exercise.id, now_ms());
                return vec![Effect::Own(Work::SaveProgress)];
            }
            (Screen::Running(running), Report::CheckDone(verdict)) => {
                // Every check is kept, pass or fail: the leader's view
                // shows a learner's last one.
                let with_solution = running.checking == Some(UpdateChoice::Solution);
                let outcome = Outcome::of(&verdict);
                let id = running.exercise.id;
                let mut effects = running.report(Report::CheckDone(verdict));
                self.progress.checked(id, now_ms(), with_solution, outcome);
                effects.push(Effect::Own(Work::SaveProgress));
                return effects;
            }
            (Screen::Running(running), report) => return running.report(report),
            // An app started for a screen since left: not wanted any more.
            (_, Report::Started(_)) => return vec![Effect::Own(Work::StopApp)],
            _ => {}
        }
        Vec::new()
    }
}
