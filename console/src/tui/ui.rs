//! What the operator is looking at and doing, as opposed to what the app
//! is ([`super::state`]): the view, each table's selection, the detail
//! shown, an open prompt, pause, the last message.

use super::view_id::ViewId;
use std::collections::BTreeSet;
use std::path::PathBuf;

use super::picker::Picker;
use super::table_nav::TableNav;
use super::theme::Theme;
use super::work_log::WorkLog;

/// What a detail view shows (Enter on a row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// A DSU thread, by name.
    Thread(String),
    /// A task, by its group and id.
    Task {
        /// Its group.
        group: String,
        /// Its id.
        id: u64,
    },
    /// A hot function, by name.
    Function(String),
    /// A class, by name.
    Class(String),
    /// An update, by id.
    Update(u64),
}

/// An action waiting for the operator's yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    /// Stage and apply a built library.
    Apply(PathBuf),
    /// Build an update crate, then stage and apply its library.
    BuildAndApply(PathBuf),
    /// Postpone update `id` (back in the queue).
    Postpone(u64),
    /// Abort update `id`.
    Abort(u64),
    /// Convert the pending lazy instances of a class now.
    Convert(String),
    /// Reboot a DSU thread onto its current main.
    Reboot(String),
    /// Reboot the tasks of a group onto the group's main.
    RebootTasks(String),
    /// Revert applied update `id`.
    Revert(u64),
}

/// A yes/no question before a destructive action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    /// The question, naming exactly what will happen.
    pub question: String,
    /// What a yes does.
    pub action: Pending,
}

/// Which keys go where: the normal key table, or an open prompt.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Keys are actions of the key table.
    Normal,
    /// The help is shown, scrolled down this many lines; keys other
    /// than the arrows close it.
    Help(u16),
    /// Typing the filter of the current table.
    Filter,
    /// Choosing an update to stage.
    Picker(Picker),
    /// Waiting for yes or no.
    Confirm(Confirm),
    /// An update crate builds; its output is shown.
    Build(WorkLog),
}

/// How a message reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// News: queued, converted...
    Info,
    /// Something went wrong: refused, build failed, not found...
    Error,
}

/// The operator's side of the console.
#[derive(Debug, Clone, PartialEq)]
pub struct Ui {
    /// The main view shown.
    pub view: ViewId,
    /// One table navigation per view, kept when switching views.
    pub tables: [TableNav; 5],
    /// The detail shown over the view, if any (Esc goes back).
    pub detail: Option<Detail>,
    /// The task groups unfolded into their tasks in the Threads view.
    pub expanded: BTreeSet<String>,
    /// Where keys go.
    pub mode: Mode,
    /// The stream is paused: what is shown stays as it is.
    pub paused: bool,
    /// The last message for the operator (replies, errors).
    pub message: Option<(Tone, String)>,
    /// The updates the message is about (`queued #1, #2`): once they have
    /// all ended it is stale and goes.
    pub message_about: Vec<u64>,
    /// Colours and symbols.
    pub theme: Theme,
}

impl Ui {
    /// The Threads view, nothing selected, with `theme`.
    pub fn new(theme: Theme) -> Ui {
        Ui {
            view: ViewId::Threads,
            tables: Default::default(),
            detail: None,
            expanded: BTreeSet::new(),
            mode: Mode::Normal,
            paused: false,
            message: None,
            message_about: Vec::new(),
            theme,
        }
    }

    /// The current view's table navigation.
    pub fn nav(&mut self) -> &mut TableNav {
        &mut self.tables[self.view.index()]
    }

    /// Shows a message.
    pub fn say(&mut self, tone: Tone, text: impl Into<String>) {
        self.message = Some((tone, text.into()));
        self.message_about.clear();
    }

    /// Shows a message about `updates`, until they have all ended.
    pub fn say_about(&mut self, text: impl Into<String>, updates: Vec<u64>) {
        self.say(Tone::Info, text);
        self.message_about = updates;
    }

    /// Clears the message.
    pub fn unsay(&mut self) {
        self.message = None;
        self.message_about.clear();
    }

    /// Opens a yes/no question (the last message is about something else).
    pub fn ask(&mut self, confirm: Confirm) {
        self.unsay();
        self.mode = Mode::Confirm(confirm);
    }
}
