//! `moult-console tutorial` and `moult-console demo <id>`: find the
//! workspace and the learner's progress, then run the [`Workshop`] in the
//! console's [`crate::tui::shell`] with its [`TutorialHost`] until `q`.

use std::path::Path;

use anyhow::Context;
use ratatui::Frame;

use super::host::TutorialHost;
use super::work::{Effect, Work};
use super::workshop::Workshop;
use crate::exit::Exit;
use crate::tui::input::Key;
use crate::tui::shell::{self, Screen};
use crate::tui::terminal::TerminalGuard;
use crate::tui::theme::Theme;
use crate::tui::ui::Tone;
use crate::tutorial::catalog;
use crate::tutorial::progress::{Loaded, ProgressFile};
use crate::tutorial::view;
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
    let mut host = TutorialHost::new(dir.to_path_buf(), workspace, file);
    let mut guard = TerminalGuard::enter().context("cannot set the terminal up")?;
    for effect in effects {
        host.carry_out(effect, &mut shop);
    }
    shell::run(&mut guard, &mut shop, &mut host)?;
    Ok(Exit::Success)
}

impl Screen for Workshop {
    type Own = Work;

    fn draw(&mut self, frame: &mut Frame) {
        view::draw(frame, self);
    }

    fn key(&mut self, key: Key, page: usize) -> Vec<Effect> {
        Workshop::key(self, key, page)
    }
}
