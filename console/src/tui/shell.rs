//! The one loop every console screen runs in — `attach`, `tutorial` and
//! `demo` alike: draw, read a key, take in what the threads reported, carry
//! out the effects, until one of them is [`Effect::Quit`].
//!
//! A screen plugs in by implementing [`Screen`] (drawing, keys: plain data)
//! and pairing with a [`Host`] (the threads and processes it owns, which turn
//! their news into calls on the screen and carry out its effects).

use std::time::{Duration, Instant};

use ratatui::Frame;
use ratatui::crossterm::event::{self, Event};

use super::effect::Effect;
use super::input::Key;
use super::terminal::{self, TerminalGuard};

/// How long the loop waits for a key before it looks at the threads' news.
pub const POLL: Duration = Duration::from_millis(50);
/// Feeds taken in per turn at most, so keys stay responsive under a storm.
pub const FEEDS_PER_TURN: usize = 500;
/// The screen is redrawn at least this often (uptime, rates).
pub const REDRAW: Duration = Duration::from_millis(250);
/// Lines of the terminal that are not a table's rows (header, footer,
/// borders): what is left makes a page.
const CHROME_ROWS: u16 = 10;

/// What the operator sees and drives with keys.
pub trait Screen {
    /// What the screen asks beyond the console's effects.
    type Own;
    /// Draws the whole screen.
    fn draw(&mut self, frame: &mut Frame);
    /// Handles a key; `page` rows make a page.
    fn key(&mut self, key: Key, page: usize) -> Vec<Effect<Self::Own>>;
}

/// What a screen's threads and processes are, seen from the loop.
pub trait Host<S: Screen> {
    /// Hands what the threads reported since the last call to `screen`,
    /// adding the effects it asks for to `effects`; `true` if anything was
    /// reported (the screen is redrawn).
    fn news(&mut self, screen: &mut S, effects: &mut Vec<Effect<S::Own>>) -> bool;
    /// Carries out `effect` for `screen`; `false` when the loop must end.
    fn execute(&mut self, effect: Effect<S::Own>, screen: &mut S) -> bool;
}

/// Runs `screen` with `host` on the terminal until an effect ends the loop.
/// `MOULT_CONSOLE_PANIC_AFTER_MS` (see [`terminal`]) injects a panic, for
/// the test that the terminal is restored.
pub fn run<S: Screen, H: Host<S>>(
    guard: &mut TerminalGuard,
    screen: &mut S,
    host: &mut H,
) -> anyhow::Result<()> {
    let mut dirty = true;
    let mut drawn = Instant::now();
    let injected_panic = terminal::injected_panic_due();
    loop {
        terminal::panic_if_due(injected_panic);
        if dirty || drawn.elapsed() >= REDRAW {
            guard.terminal.draw(|frame| screen.draw(frame))?;
            drawn = Instant::now();
            dirty = false;
        }
        let mut effects = Vec::new();
        if event::poll(POLL)? {
            match event::read()? {
                Event::Key(key) => {
                    if let Some(key) = Key::from_event(key) {
                        let height = guard.terminal.size()?.height;
                        let page = usize::from(height.saturating_sub(CHROME_ROWS)).max(1);
                        effects.extend(screen.key(key, page));
                        dirty = true;
                    }
                }
                Event::Resize(..) => dirty = true,
                _ => {}
            }
        }
        if host.news(screen, &mut effects) {
            dirty = true;
        }
        for effect in effects {
            if !host.execute(effect, screen) {
                return Ok(());
            }
        }
    }
}
