//! `moult-console attach`: attach to an app, then run the console in the
//! [`super::shell`] until `q`. The screen is the [`Controller`]; its
//! host is the [`Session`] with the app.

use anyhow::Context;
use ratatui::Frame;

use super::connection;
use super::controller::Controller;
use super::effect::Effect;
use super::feed::Feed;
use super::input::Key;
use super::session::Session;
use super::shell::{self, FEEDS_PER_TURN, Host, Screen};
use super::state::AppState;
use super::terminal::TerminalGuard;
use super::theme::Theme;
use super::ui::Ui;
use super::view;
use crate::exit::Exit;
use crate::remote::Route;

/// Attaches to the agent `route` leads to (here, or on another host) and
/// runs the console until the operator quits. Errors before the terminal
/// is taken (no agent, refused, the host unreachable) are returned as they
/// are for the CLI to print.
pub fn run(route: &Route, ascii: bool) -> anyhow::Result<Exit> {
    let (mut console, mut session) = open(route, ascii)?;
    let mut guard = TerminalGuard::enter().context("cannot set the terminal up")?;
    shell::run(&mut guard, &mut console, &mut session)?;
    Ok(Exit::Success)
}

/// Attaches to the agent `route` leads to: the console's screen and its
/// session, ready for [`shell::run`] — on a terminal of its own (`attach`)
/// or on the one the fleet and leader's views already hold.
pub fn open(route: &Route, ascii: bool) -> anyhow::Result<(Controller, Session)> {
    let (client, agent) =
        connection::attach_route(route).with_context(|| format!("cannot attach to {route}"))?;
    let mut state = AppState::new();
    state.attached(agent.clone());
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let console = Controller::new(state, Ui::new(Theme::from_env(ascii)), cwd);
    let session = Session::open_route(route.clone(), client, agent)
        .context("cannot start the connection thread")?;
    Ok((console, session))
}

impl Screen for Controller {
    type Own = std::convert::Infallible;

    fn draw(&mut self, frame: &mut Frame) {
        view::draw(frame, &self.state, &mut self.ui);
    }

    fn key(&mut self, key: Key, page: usize) -> Vec<Effect> {
        Controller::key(self, key, page)
    }
}

impl Host<Controller> for Session {
    fn news(&mut self, console: &mut Controller, effects: &mut Vec<Effect>) -> bool {
        let feeds = self.feeds(FEEDS_PER_TURN);
        let any = !feeds.is_empty();
        for feed in feeds {
            effects.extend(console.feed(feed));
        }
        any
    }

    fn execute(&mut self, effect: Effect, console: &mut Controller) -> bool {
        match effect {
            Effect::Quit => return false,
            Effect::Send(command) => {
                if !self.send(command) {
                    console.feed(Feed::Reply(Err("the connection thread ended".into())));
                }
            }
            Effect::Build { dir, profile } => self.build(dir, profile),
            Effect::Own(never) => match never {},
        }
        true
    }
}
