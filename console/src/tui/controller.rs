//! What keys and feeds do: the console's behaviour, kept apart from the
//! terminal and the threads so it can be tested as plain data. Keys change
//! the UI state and ask for [`Effect`]s; feeds change the model.

use std::path::PathBuf;

use super::effect::Effect;
use super::feed::{AgentCommand, Feed};
use super::input::{self, Action, Key, Scope};
use super::picker::Picker;
use super::rows;
use super::rows::threads::Selected;
use super::state::{AppState, Link};
use super::ui::{Confirm, Detail, Mode, Pending, Tone, Ui};
use super::view_id::ViewId;
use super::work_log::{Verdict, WorkLog};
use crate::update_build::UpdateSource;

/// Messages held while paused, at most: past this the oldest are applied
/// anyway, so a long pause cannot grow the console without bound.
pub const HELD_MAX: usize = 10_000;

/// The console: the model, the UI state, and stream messages held while paused.
#[derive(Debug, Clone)]
pub struct Controller {
    /// What the app is.
    pub state: AppState,
    /// What the operator sees and does.
    pub ui: Ui,
    /// Stream messages not applied yet because the operator paused.
    held: Vec<Feed>,
    /// Where the stage picker starts.
    cwd: PathBuf,
}

impl Controller {
    /// A console on `state` with `ui`; the picker starts at `cwd`.
    pub fn new(state: AppState, ui: Ui, cwd: PathBuf) -> Controller {
        Controller {
            state,
            ui,
            held: Vec::new(),
            cwd,
        }
    }

    /// The app was started again (a new process): `state` replaces the
    /// model, and stream messages held for the old process are dropped.
    pub fn restarted(&mut self, state: AppState) {
        self.state = state;
        self.held.clear();
        self.ui.detail = None;
    }

    /// Applies what a background thread reported.
    pub fn feed(&mut self, feed: Feed) -> Vec<Effect> {
        match feed {
            Feed::Reply(Ok(text)) => self.ui.say(Tone::Info, text),
            Feed::Reply(Err(text)) => self.ui.say(Tone::Error, text),
            Feed::Queued { text, updates } => self.ui.say_about(text, updates),
            Feed::BuildLine(line) => {
                if let Mode::Build(log) = &mut self.ui.mode {
                    log.line(line);
                }
            }
            Feed::BuildDone(Ok(library)) => {
                self.ui.mode = Mode::Normal;
                self.ui
                    .say(Tone::Info, format!("built; staging {}", library.display()));
                return vec![Effect::Send(AgentCommand::Apply(library))];
            }
            Feed::BuildDone(Err(why)) => match &mut self.ui.mode {
                Mode::Build(log) => log.finish(Verdict::Fail(why)),
                _ => self.ui.say(Tone::Error, why),
            },
            stream if self.ui.paused => {
                if self.held.len() == HELD_MAX {
                    let oldest = self.held.remove(0);
                    self.apply(oldest);
                }
                self.held.push(stream);
            }
            stream => self.apply(stream),
        }
        Vec::new()
    }

    fn apply(&mut self, feed: Feed) {
        match feed {
            Feed::Attached(agent) => {
                // A new process, or the same one again: what was said of
                // the old one's selection no longer holds.
                self.ui.unsay();
                self.state.attached(agent);
            }
            Feed::Message(message) => {
                self.state.apply(message);
                self.forget_ended_news();
            }
            Feed::Journal(entries) => self.state.set_journal(entries),
            Feed::Reconnecting(reason) => self.state.reconnecting(reason),
            Feed::Detached(reason) => self.state.detached(reason),
            Feed::Reply(_) | Feed::Queued { .. } | Feed::BuildLine(_) | Feed::BuildDone(_) => {}
        }
    }

    /// Clears a message about updates once they have all ended.
    fn forget_ended_news(&mut self) {
        let about = &self.ui.message_about;
        if !about.is_empty()
            && about.iter().all(|&id| {
                self.state
                    .updates
                    .get(id)
                    .is_some_and(|update| update.is_done())
            })
        {
            self.ui.unsay();
        }
    }

    /// Handles a key; `page` is the number of rows a page moves.
    pub fn key(&mut self, key: Key, page: usize) -> Vec<Effect> {
        match &mut self.ui.mode {
            Mode::Normal => {
                let scope = Scope::View(self.ui.view);
                match input::action(key, scope) {
                    Some(action) => self.act(action, page),
                    None => Vec::new(),
                }
            }
            Mode::Help(scroll) => {
                if !help_key(scroll, key, page) {
                    self.ui.mode = Mode::Normal;
                }
                Vec::new()
            }
            Mode::Filter => {
                let nav = &mut self.ui.tables[self.ui.view.index()];
                match (input::action(key, Scope::Filter), key) {
                    (Some(Action::Accept), _) => self.ui.mode = Mode::Normal,
                    (Some(Action::Cancel), _) => {
                        nav.filter.clear();
                        self.ui.mode = Mode::Normal;
                    }
                    (Some(Action::Erase), _) => {
                        nav.filter.pop();
                    }
                    (_, Key::Char(c)) => {
                        nav.filter.push(c);
                        nav.top();
                    }
                    _ => {}
                }
                Vec::new()
            }
            Mode::Picker(picker) => {
                match (input::action(key, Scope::Prompt), key) {
                    (Some(Action::Cancel), _) => self.ui.mode = Mode::Normal,
                    (Some(Action::Erase), _) => picker.erase(),
                    (Some(Action::Complete), _) => picker.complete(),
                    (Some(Action::Accept), _) => {
                        if let Some(path) = picker.accept() {
                            self.chosen(path);
                        }
                    }
                    (Some(Action::Up), _) => picker.up(),
                    (Some(Action::Down), _) => picker.down(),
                    (_, Key::Char(c)) => picker.type_char(c),
                    _ => {}
                }
                Vec::new()
            }
            Mode::Confirm(confirm) => match input::action(key, Scope::Confirm) {
                Some(Action::Accept) => {
                    let action = confirm.action.clone();
                    self.ui.mode = Mode::Normal;
                    self.confirmed(action)
                }
                Some(Action::Cancel) => {
                    self.ui.mode = Mode::Normal;
                    self.ui.say(Tone::Info, "cancelled");
                    Vec::new()
                }
                _ => Vec::new(),
            },
            Mode::Build(log) => {
                if input::action(key, Scope::Build) == Some(Action::Back) {
                    if log.running() {
                        self.ui.say(
                            Tone::Info,
                            "the build goes on; its update is applied when it ends",
                        );
                    }
                    self.ui.mode = Mode::Normal;
                }
                Vec::new()
            }
        }
    }

    fn act(&mut self, action: Action, page: usize) -> Vec<Effect> {
        let ui = &mut self.ui;
        match action {
            Action::Quit => return vec![Effect::Quit],
            Action::Help => ui.mode = Mode::Help(0),
            Action::NextView | Action::PrevView => {
                let n = ViewId::ALL.len();
                let step = if action == Action::NextView { 1 } else { n - 1 };
                ui.view = ViewId::ALL[(ui.view.index() + step) % n];
                ui.detail = None;
            }
            Action::Show(view) => {
                ui.view = view;
                ui.detail = None;
            }
            Action::Up => ui.nav().up(1),
            Action::Down => ui.nav().down(1),
            Action::PageUp => ui.nav().up(page),
            Action::PageDown => ui.nav().down(page),
            Action::Top => ui.nav().top(),
            Action::Bottom => ui.nav().bottom(),
            Action::Detail => self.detail(),
            Action::Back => {
                if ui.detail.take().is_none() {
                    if ui.nav().filter.is_empty() {
                        ui.message = None;
                    }
                    ui.nav().filter.clear();
                }
            }
            Action::Filter => ui.mode = Mode::Filter,
            Action::Sort => {
                let keys = rows::sort_keys(ui.view).len();
                let nav = ui.nav();
                nav.sort = (nav.sort + 1) % keys;
            }
            Action::Reverse => {
                let nav = ui.nav();
                nav.descending = !nav.descending;
            }
            Action::Pause => {
                ui.paused = !ui.paused;
                if !ui.paused {
                    for held in std::mem::take(&mut self.held) {
                        self.apply(held);
                    }
                }
            }
            Action::Stage => {
                if matches!(self.state.link, Link::Connected) {
                    ui.mode = Mode::Picker(Picker::new(self.cwd.clone()));
                } else {
                    ui.say(
                        Tone::Error,
                        "not connected to the app: nothing can be staged now",
                    );
                }
            }
            Action::Postpone | Action::Abort => self.ask_stop(action == Action::Abort),
            Action::Convert => self.ask_convert(),
            Action::Reboot => self.ask_reboot(),
            Action::Revert => self.ask_revert(),
            // Prompt keys, the tutorial's (the exercise screen handles those)
            // and the live views' (theirs is another screen).
            Action::Accept
            | Action::Cancel
            | Action::Erase
            | Action::Complete
            | Action::Open
            | Action::Start
            | Action::ToList
            | Action::ApplyMine
            | Action::Output
            | Action::Reset
            | Action::Reveal
            | Action::Hint
            | Action::ApplySolution
            | Action::AllowActions => {}
        }
        Vec::new()
    }

    /// Opens the detail of the selected row; on a task group, folds or
    /// unfolds its tasks instead (the selection stays on the group).
    fn detail(&mut self) {
        let nav = &self.ui.tables[ViewId::Threads.index()];
        if self.ui.view == ViewId::Threads
            && let Some(Selected::Group(group)) =
                rows::threads::selected(&self.state, nav, &self.ui.expanded)
        {
            let name = group.name.clone();
            if !self.ui.expanded.remove(&name) {
                self.ui.expanded.insert(name);
            }
            return;
        }
        self.ui.detail = self.detail_of_selection();
    }

    /// The detail view for the selected row of the current view.
    fn detail_of_selection(&self) -> Option<Detail> {
        let state = &self.state;
        let nav = &self.ui.tables[self.ui.view.index()];
        match self.ui.view {
            ViewId::Threads => match rows::threads::selected(state, nav, &self.ui.expanded)? {
                Selected::Thread(t) => Some(Detail::Thread(t.name.clone())),
                Selected::Task(g, t) => Some(Detail::Task {
                    group: g.name.clone(),
                    id: t.id,
                }),
                Selected::Group(_) => None,
            },
            ViewId::Functions => {
                rows::functions::selected(state, nav).map(|f| Detail::Function(f.info.name.clone()))
            }
            ViewId::Classes => {
                rows::classes::selected(state, nav).map(|c| Detail::Class(c.info.name.clone()))
            }
            ViewId::Updates => rows::updates::selected(state, nav).map(|u| Detail::Update(u.id)),
            ViewId::Alterability => state.updates.focus().map(|u| Detail::Update(u.id)),
        }
    }

    /// The update postpone and abort act on: the selected one in the
    /// Updates view if it has not ended, else the current one, else the
    /// next queued.
    fn stop_target(&self) -> Option<(u64, String)> {
        let nav = &self.ui.tables[ViewId::Updates.index()];
        let selected = (self.ui.view == ViewId::Updates)
            .then(|| rows::updates::selected(&self.state, nav))
            .flatten()
            .filter(|u| !u.is_done());
        selected
            .or_else(|| self.state.updates.current())
            .or_else(|| self.state.updates.queued().next())
            .map(|u| (u.id, u.name.clone()))
    }

    fn ask_stop(&mut self, abort: bool) {
        let Some((id, name)) = self.stop_target() else {
            self.ui.say(Tone::Error, "no update is running or queued");
            return;
        };
        let (question, action) = if abort {
            (
                format!(
                    "Abort update {name} #{id}? Every hold is released; it will not be retried."
                ),
                Pending::Abort(id),
            )
        } else {
            (
                format!("Postpone update {name} #{id}? It goes back to the queue and is retried."),
                Pending::Postpone(id),
            )
        };
        self.ui.ask(Confirm { question, action });
    }

    fn ask_convert(&mut self) {
        let nav = &self.ui.tables[ViewId::Classes.index()];
        let Some(class) = rows::classes::selected(&self.state, nav) else {
            self.ui.say(Tone::Error, "no class selected");
            return;
        };
        if !class.lazy_pending() {
            let text = format!("{} has no pending lazy conversion", class.info.name);
            self.ui.say(Tone::Error, text);
            return;
        }
        let question = format!(
            "Convert the {} pending instance(s) of {} to v{} now?",
            class.info.pending_lazy, class.info.name, class.info.version
        );
        let action = Pending::Convert(class.info.name.clone());
        self.ui.ask(Confirm { question, action });
    }

    fn ask_revert(&mut self) {
        let nav = &self.ui.tables[ViewId::Updates.index()];
        let Some(update) = rows::updates::selected(&self.state, nav) else {
            self.ui.say(Tone::Error, "no update selected");
            return;
        };
        if let Some(by) = update.reverted_by {
            let text = format!(
                "{} #{} was reverted already (by #{by})",
                update.name, update.id
            );
            self.ui.say(Tone::Error, text);
            return;
        }
        if update.outcome != Some(moult_protocol::Outcome::Applied) {
            let text = format!(
                "{} #{} is not applied: nothing to revert",
                update.name, update.id
            );
            self.ui.say(Tone::Error, text);
            return;
        }
        let question = format!(
            "Revert update {} #{}? Its functions go back to their previous versions, its threads to their previous mains, its conversions run backwards.",
            update.name, update.id
        );
        let action = Pending::Revert(update.id);
        self.ui.ask(Confirm { question, action });
    }

    fn ask_reboot(&mut self) {
        let nav = &self.ui.tables[ViewId::Threads.index()];
        let thread = match rows::threads::selected(&self.state, nav, &self.ui.expanded) {
            Some(Selected::Thread(thread)) => thread,
            Some(Selected::Group(g) | Selected::Task(g, _)) => {
                let question = format!(
                    "Reboot the {} task(s) of group {}? Each drops its future at its next update point and starts again on the group's main (the agent refuses if the group has none).",
                    g.tasks.len(),
                    g.name
                );
                let action = Pending::RebootTasks(g.name.clone());
                self.ui.ask(Confirm { question, action });
                return;
            }
            None => {
                self.ui.say(Tone::Error, "no thread selected");
                return;
            }
        };
        let question = format!(
            "Reboot thread {}? It unwinds from its next update point and restarts on its main.",
            thread.name
        );
        let action = Pending::Reboot(thread.name.clone());
        self.ui.ask(Confirm { question, action });
    }

    /// The picker chose `path`: ask before staging it.
    fn chosen(&mut self, path: PathBuf) {
        let app = self.state.app_name().to_string();
        match UpdateSource::classify(&path) {
            Ok(UpdateSource::Library(lib)) => match lib.canonicalize() {
                Ok(lib) => {
                    let question = format!("Stage and apply {} to {app}?", lib.display());
                    self.ui.ask(Confirm {
                        question,
                        action: Pending::Apply(lib),
                    });
                }
                Err(e) => self.ui.say(Tone::Error, format!("{}: {e}", lib.display())),
            },
            Ok(UpdateSource::Crate(dir)) => {
                let question = format!(
                    "Build the update crate {} with cargo, then stage and apply it to {app}?",
                    dir.display()
                );
                self.ui.ask(Confirm {
                    question,
                    action: Pending::BuildAndApply(dir),
                });
            }
            Err(e) => self.ui.say(Tone::Error, e.to_string()),
        }
    }

    fn confirmed(&mut self, action: Pending) -> Vec<Effect> {
        let command = match action {
            Pending::Apply(lib) => {
                self.ui
                    .say(Tone::Info, format!("staging {}", lib.display()));
                AgentCommand::Apply(lib)
            }
            Pending::BuildAndApply(dir) => {
                let profile = self
                    .state
                    .agent
                    .as_ref()
                    .map_or_else(|| "debug".into(), |a| a.cargo_profile.clone());
                self.ui.mode = Mode::Build(WorkLog::new(
                    format!("Building {}", dir.display()),
                    format!("cargo build ({profile})"),
                ));
                return vec![Effect::Build { dir, profile }];
            }
            Pending::Postpone(id) => AgentCommand::Postpone(id),
            Pending::Abort(id) => AgentCommand::Abort(id),
            Pending::Convert(class) => AgentCommand::Convert(class),
            Pending::Reboot(thread) => AgentCommand::Reboot(thread),
            Pending::RebootTasks(group) => AgentCommand::RebootTasks(group),
            Pending::Revert(id) => AgentCommand::Revert(id),
        };
        vec![Effect::Send(command)]
    }
}

/// A key while the help is shown: scrolls it (the help's keys of the key
/// table); `false` when the key closes it.
pub fn help_key(scroll: &mut u16, key: Key, page: usize) -> bool {
    let page = u16::try_from(page).unwrap_or(u16::MAX);
    match input::action(key, Scope::Help) {
        Some(Action::Up) => *scroll = scroll.saturating_sub(1),
        Some(Action::Down) => *scroll = scroll.saturating_add(1),
        Some(Action::PageUp) => *scroll = scroll.saturating_sub(page),
        Some(Action::PageDown) => *scroll = scroll.saturating_add(page),
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tasks_tests;
#[cfg(test)]
mod tests;
