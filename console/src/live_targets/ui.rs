//! The operator's side of a live view: the selected row, the help when
//! shown, the last message, the theme; and the keys every live view
//! shares (moving, help, quit), read from the one key table.

use crate::tui::controller::help_key;
use crate::tui::effect::Effect;
use crate::tui::input::{self, Action, Key, Scope};
use crate::tui::table_nav::TableNav;
use crate::tui::theme::Theme;
use crate::tui::ui::Tone;

use super::screen::OpenConsole;

/// What the operator sees and moves in a live view.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveUi {
    /// The table's selection and window.
    pub nav: TableNav,
    /// The `?` help, scrolled this many lines, while shown.
    pub help: Option<u16>,
    /// The last message (a console that would not open, ...).
    pub message: Option<(Tone, String)>,
    /// Colours and symbols.
    pub theme: Theme,
}

/// A key, once the shared ones are handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keyed {
    /// Done: what the loop must do (nothing, or quit).
    Done(Vec<Effect<OpenConsole>>),
    /// The view's own action (Enter, ...), with the selected row if any.
    Own(Action, Option<usize>),
}

impl LiveUi {
    /// Nothing selected, no help, no message.
    pub fn new(theme: Theme) -> LiveUi {
        LiveUi {
            nav: TableNav::default(),
            help: None,
            message: None,
            theme,
        }
    }

    /// Handles `key` in `scope` over a table of `len` rows: the help's
    /// keys while it is shown, then moving, help and quit; the rest is the
    /// view's.
    pub fn key(&mut self, key: Key, page: usize, scope: Scope, len: usize) -> Keyed {
        if let Some(scroll) = &mut self.help {
            if !help_key(scroll, key, page) {
                self.help = None;
            }
            return Keyed::Done(Vec::new());
        }
        let Some(action) = input::action(key, scope) else {
            return Keyed::Done(Vec::new());
        };
        match action {
            Action::Quit => return Keyed::Done(vec![Effect::Quit]),
            Action::Help => self.help = Some(0),
            Action::Up => self.nav.up(1),
            Action::Down => self.nav.down(1),
            Action::PageUp => self.nav.up(page),
            Action::PageDown => self.nav.down(page),
            Action::Top => self.nav.top(),
            Action::Bottom => self.nav.bottom(),
            own => {
                let selected = (len > 0).then(|| self.nav.selected.min(len - 1));
                return Keyed::Own(own, selected);
            }
        }
        Keyed::Done(Vec::new())
    }
}
