//! `moult-console tutorial` and `moult-console demo <id>`: find the
//! workspace and the learner's progress, then loop — draw, read keys, apply
//! what the jobs and the connection report, carry out effects — until `q`.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use ratatui::crossterm::event::{self, Event};

use super::controller::Workshop;
use super::runtime::Runtime;
use crate::exit::Exit;
use crate::tui::app::{POLL, REDRAW};
use crate::tui::input::Key;
use crate::tui::terminal::TerminalGuard;
use crate::tui::theme::Theme;
use crate::tui::ui::Tone;
use crate::tui::view;
use crate::tutorial::catalog;
use crate::tutorial::progress::{Loaded, ProgressFile};
use crate::tutorial::workspace::Workspace;

/// Which way in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// The exercise list.
    Tutorial,
    /// One exercise's app, started at once; quitting stops it.
    Demo(String),
}

/// Runs the tutorial (or the demo) with apps' agents in `dir`. Errors
/// before the terminal is taken (no workspace, no such exercise) are
/// returned for the CLI to print.
pub fn run(dir: &Path, entry: Entry, ascii: bool) -> anyhow::Result<Exit> {
    let workspace = Workspace::locate()?;
    let mut file = ProgressFile::from_env();
    let loaded = match &mut file {
        Some(file) => file.load(),
        None => Loaded {
            progress: Default::default(),
            warning: Some("neither XDG_STATE_HOME nor HOME is set: progress is not saved".into()),
        },
    };
    let theme = Theme::from_env(ascii);
    let (mut shop, effects) = match &entry {
        Entry::Tutorial => (
            Workshop::tutorial(workspace.clone(), loaded.progress, theme),
            Vec::new(),
        ),
        Entry::Demo(id) => {
            let exercise = catalog::find(id).map_err(anyhow::Error::msg)?;
            Workshop::demo(workspace.clone(), exercise, loaded.progress, theme)
        }
    };
    if let Some(warning) = loaded.warning {
        shop.say(Tone::Error, warning);
    }
    let mut runtime = Runtime::new(dir.to_path_buf(), workspace, file);
    let mut guard = TerminalGuard::enter().context("cannot set the terminal up")?;
    for effect in effects {
        runtime.execute(effect, &mut shop);
    }
    run_loop(&mut guard, &mut shop, &mut runtime)?;
    Ok(Exit::Success)
}

fn run_loop(
    guard: &mut TerminalGuard,
    shop: &mut Workshop,
    runtime: &mut Runtime,
) -> anyhow::Result<()> {
    let mut dirty = true;
    let mut drawn = Instant::now();
    loop {
        if dirty || drawn.elapsed() >= REDRAW {
            guard
                .terminal
                .draw(|frame| view::draw_workshop(frame, shop))?;
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
                        effects.extend(shop.key(key, page));
                        dirty = true;
                    }
                }
                Event::Resize(..) => dirty = true,
                _ => {}
            }
        }
        for report in runtime.reports() {
            effects.extend(shop.report(report));
            dirty = true;
        }
        for effect in effects {
            if !runtime.execute(effect, shop) {
                return Ok(());
            }
        }
    }
}
