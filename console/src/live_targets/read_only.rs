//! The attach console opened from the leader's view, read-only: it shows
//! everything, but refuses every action (apply, postpone, abort, convert,
//! reboot, revert) with a message saying how to allow them — a learner's
//! app is theirs to change. Refused twice over: the acting keys in the
//! console's views, and any effect that would reach the agent or build.

use std::convert::Infallible;

use ratatui::Frame;

use crate::tui::controller::Controller;
use crate::tui::effect::Effect;
use crate::tui::input::{self, Action, Key, Scope};
use crate::tui::session::Session;
use crate::tui::shell::{FEEDS_PER_TURN, Host, Screen};
use crate::tui::ui::{Mode, Tone};
use crate::tui::view;

/// The console's screen with its actions refused.
#[derive(Debug)]
pub struct ReadOnlyConsole {
    /// The console itself (views, selection, help work as ever).
    pub console: Controller,
    /// What a refused action says (how to allow actions).
    pub why: String,
}

/// Whether `action` would change the app.
pub fn acts(action: Action) -> bool {
    matches!(
        action,
        Action::Stage
            | Action::Postpone
            | Action::Abort
            | Action::Convert
            | Action::Reboot
            | Action::Revert
    )
}

impl ReadOnlyConsole {
    /// Says why the action was refused.
    fn refuse(&mut self) {
        let why = self.why.clone();
        self.console.ui.say(Tone::Error, why);
    }
}

impl Screen for ReadOnlyConsole {
    type Own = Infallible;

    fn draw(&mut self, frame: &mut Frame) {
        view::draw(frame, &self.console.state, &mut self.console.ui);
    }

    fn key(&mut self, key: Key, page: usize) -> Vec<Effect> {
        if self.console.ui.mode == Mode::Normal
            && input::action(key, Scope::View(self.console.ui.view)).is_some_and(acts)
        {
            self.refuse();
            return Vec::new();
        }
        self.console.key(key, page)
    }
}

/// The session of a read-only console: news as ever, no command sent.
#[derive(Debug)]
pub struct ReadOnlySession(pub Session);

impl Host<ReadOnlyConsole> for ReadOnlySession {
    fn news(&mut self, screen: &mut ReadOnlyConsole, effects: &mut Vec<Effect>) -> bool {
        let feeds = self.0.feeds(FEEDS_PER_TURN);
        let any = !feeds.is_empty();
        for feed in feeds {
            effects.extend(screen.console.feed(feed));
        }
        any
    }

    fn execute(&mut self, effect: Effect, screen: &mut ReadOnlyConsole) -> bool {
        match effect {
            Effect::Quit => return false,
            Effect::Send(_) | Effect::Build { .. } => screen.refuse(),
            Effect::Own(never) => match never {},
        }
        true
    }
}
