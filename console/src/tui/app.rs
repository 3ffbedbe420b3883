//! `moult-console attach`: attach, then loop — draw, read keys, apply what
//! the connection and builds report, carry out effects — until `q`.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use ratatui::crossterm::event::{self, Event};

use super::connection;
use super::controller::{Controller, Effect};
use super::feed::Feed;
use super::input::Key;
use super::session::Session;
use super::state::AppState;
use super::terminal::{self, TerminalGuard};
use super::theme::Theme;
use super::ui::Ui;
use super::view;
use crate::exit::Exit;
use crate::target::{self, Target};

/// How long the loop waits for a key before it looks at the feeds.
pub const POLL: Duration = Duration::from_millis(50);
/// Feeds applied per turn at most, so keys stay responsive under a storm.
pub const FEEDS_PER_TURN: usize = 500;
/// The screen is redrawn at least this often (uptime, rates).
pub const REDRAW: Duration = Duration::from_millis(250);

/// Attaches to `target` in `dir` and runs the console until the operator
/// quits. Errors before the terminal is taken (no agent, refused) are
/// returned as they are for the CLI to print.
pub fn run(dir: &Path, target: &Target, ascii: bool) -> anyhow::Result<Exit> {
    let resolved = target::resolve(dir, target)?;
    let (client, agent) = connection::attach(&resolved.socket)
        .with_context(|| format!("cannot attach to pid {}", resolved.pid))?;
    let mut state = AppState::new();
    state.attached(agent.clone());
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let mut console = Controller::new(state, Ui::new(Theme::from_env(ascii)), cwd);

    let session =
        Session::open(dir, client, agent).context("cannot start the connection thread")?;

    let mut guard = TerminalGuard::enter().context("cannot set the terminal up")?;
    run_loop(&mut guard, &mut console, &session)?;
    Ok(Exit::Success)
}

fn run_loop(
    guard: &mut TerminalGuard,
    console: &mut Controller,
    session: &Session,
) -> anyhow::Result<()> {
    let mut dirty = true;
    let mut drawn = Instant::now();
    let injected_panic = terminal::injected_panic_due();
    loop {
        terminal::panic_if_due(injected_panic);
        if dirty || drawn.elapsed() >= REDRAW {
            guard
                .terminal
                .draw(|frame| view::draw(frame, &console.state, &mut console.ui))?;
            drawn = Instant::now();
            dirty = false;
        }
        let mut effects = Vec::new();
        if event::poll(POLL)? {
            match event::read()? {
                Event::Key(key) => {
                    if let Some(key) = Key::from_event(key) {
                        let page =
                            usize::from(guard.terminal.size()?.height.saturating_sub(10)).max(1);
                        effects.extend(console.key(key, page));
                        dirty = true;
                    }
                }
                Event::Resize(..) => dirty = true,
                _ => {}
            }
        }
        for feed in session.feeds(FEEDS_PER_TURN) {
            effects.extend(console.feed(feed));
            dirty = true;
        }
        for effect in effects {
            match effect {
                Effect::Quit => return Ok(()),
                Effect::Send(command) => {
                    if !session.send(command) {
                        console.feed(Feed::Reply(Err("the connection thread ended".into())));
                    }
                }
                Effect::Build { dir, profile } => session.build(dir, profile),
            }
        }
    }
}
