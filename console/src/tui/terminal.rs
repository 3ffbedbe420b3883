//! The terminal in TUI mode (raw, alternate screen, hidden cursor) and its
//! restoration on every way out: a guard restores it when dropped (normal
//! exit, `?` errors) and a panic hook restores it before the panic message
//! is printed, so the message is readable and the shell usable. The mouse
//! is never captured: the terminal's own selection and scrolling keep working.

use std::io::{self, Stdout};
use std::sync::Once;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor::{Hide, Show};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

/// Restores the terminal when dropped.
pub struct TerminalGuard {
    /// The ratatui terminal drawing on stdout.
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    /// Switches the terminal to TUI mode.
    pub fn enter() -> io::Result<TerminalGuard> {
        install_panic_hook();
        enable_raw_mode()?;
        let entered = execute!(io::stdout(), EnterAlternateScreen, Hide)
            .and_then(|()| Terminal::new(CrosstermBackend::new(io::stdout())));
        match entered {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Leaves TUI mode; harmless when not in it.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, Show);
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// Test hook: with `MOULT_CONSOLE_PANIC_AFTER_MS=<n>` in its environment,
/// the console panics on its UI thread `n` ms after taking the terminal.
/// It is how the end-to-end tests prove that the panic hook gives the
/// terminal back (cooked mode, main screen, cursor shown).
pub const PANIC_AFTER_ENV: &str = "MOULT_CONSOLE_PANIC_AFTER_MS";

/// When the injected panic is due, if [`PANIC_AFTER_ENV`] asks for one.
pub fn injected_panic_due() -> Option<Instant> {
    let ms: u64 = std::env::var(PANIC_AFTER_ENV).ok()?.trim().parse().ok()?;
    Some(Instant::now() + Duration::from_millis(ms))
}

/// Panics if the injected panic is due.
pub fn panic_if_due(due: Option<Instant>) {
    if due.is_some_and(|due| Instant::now() >= due) {
        panic!("injected panic ({PANIC_AFTER_ENV})");
    }
}
