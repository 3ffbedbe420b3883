//! The loop a live view runs in: the console's [`shell`] with the pool's
//! reports as its news. Enter on a row ends the shell's loop with an
//! [`OpenConsole`]; the target's full console (the views of `attach`,
//! over the same route) then runs on the same terminal until `q`, and the
//! live view comes back where it was, its table kept up to date meanwhile.

use std::sync::mpsc::{self, Receiver};

use ratatui::Frame;

use super::member::Member;
use super::pool::{Pool, Probes};
use super::read_only::{ReadOnlyConsole, ReadOnlySession};
use super::report::Report;
use crate::remote::Route;
use crate::tui::attach;
use crate::tui::effect::Effect;
use crate::tui::shell::{self, Host, Screen};
use crate::tui::terminal::TerminalGuard;
use crate::tui::ui::Tone;

/// Reports taken in per turn at most, so keys stay responsive.
const REPORTS_PER_TURN: usize = 1000;

/// What a live view asks its loop: open the console of a row's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenConsole {
    /// The row.
    pub index: usize,
    /// The console may act on the app; read-only when false.
    pub allow_actions: bool,
}

/// A live view, as its loop drives it.
pub trait LiveScreen: Screen<Own = OpenConsole> {
    /// Takes in a worker's report.
    fn report(&mut self, report: Report);
    /// Tells the operator `text` (a console that would not open, ...).
    fn say(&mut self, tone: Tone, text: String);
    /// The route to the app whose console `open` asks for, or why there is
    /// none (a learner running no exercise app).
    fn console_route(&self, open: &OpenConsole) -> Result<Route, String>;
    /// What a refused action says in a read-only console.
    fn read_only_reason(&self) -> String;
}

/// The pool's side of the loop.
#[derive(Debug)]
struct LiveHost {
    /// The workers; kept for as long as the view runs.
    _pool: Pool,
    /// Their reports.
    reports: Receiver<Report>,
    /// A console asked for (the shell's loop ended for it).
    opened: Option<OpenConsole>,
}

impl<S: LiveScreen> Host<S> for LiveHost {
    fn news(&mut self, screen: &mut S, _effects: &mut Vec<Effect<OpenConsole>>) -> bool {
        let mut any = false;
        for report in self.reports.try_iter().take(REPORTS_PER_TURN) {
            screen.report(report);
            any = true;
        }
        any
    }

    fn execute(&mut self, effect: Effect<OpenConsole>, _screen: &mut S) -> bool {
        match effect {
            Effect::Own(open) => {
                self.opened = Some(open);
                false
            }
            Effect::Quit => false,
            // A live view neither sends nor builds.
            Effect::Send(_) | Effect::Build { .. } => true,
        }
    }
}

/// Runs `screen` over `members`, polled as `probes` says, until the
/// operator quits; `ascii` draws the consoles Enter opens with ASCII only.
pub fn run<S: LiveScreen>(
    screen: &mut S,
    members: Vec<Member>,
    probes: Probes,
    ascii: bool,
) -> anyhow::Result<()> {
    let (tx, reports) = mpsc::channel();
    let mut host = LiveHost {
        _pool: Pool::start(members, probes, tx),
        reports,
        opened: None,
    };
    let mut guard =
        TerminalGuard::enter().map_err(|e| anyhow::anyhow!("cannot set the terminal up: {e}"))?;
    loop {
        shell::run(&mut guard, screen, &mut host)?;
        let Some(open) = host.opened.take() else {
            return Ok(());
        };
        if let Err(why) = open_console(&mut guard, screen, &open, ascii) {
            screen.say(Tone::Error, why);
        }
    }
}

/// Opens the console `open` asks for and runs it until it quits; `Err`
/// says why it did not open.
fn open_console<S: LiveScreen>(
    guard: &mut TerminalGuard,
    screen: &mut S,
    open: &OpenConsole,
    ascii: bool,
) -> Result<(), String> {
    let route = screen.console_route(open)?;
    screen.say(Tone::Info, format!("attaching to {route}..."));
    let _ = guard.terminal.draw(|frame: &mut Frame| screen.draw(frame));
    let (console, session) = attach::open(&route, ascii).map_err(|e| format!("{e:#}"))?;
    screen.say(Tone::Info, format!("back from {route}"));
    let ran = if open.allow_actions {
        let (mut console, mut session) = (console, session);
        shell::run(guard, &mut console, &mut session)
    } else {
        let mut console = ReadOnlyConsole {
            console,
            why: screen.read_only_reason(),
        };
        shell::run(guard, &mut console, &mut ReadOnlySession(session))
    };
    ran.map_err(|e| format!("the console of {route} failed: {e:#}"))
}
