//! The key table: every key, what it does and its help, in one place
//! ([`KEYS`], in `keys`). [`action`] reads it to handle a key; the footer
//! and the `?` help are drawn from it (`help`), and the README's key table
//! is checked against it.

mod help;
mod keys;

pub use help::{
    HelpLine, compact_hints, exercise_hints, footer_hints, help_lines, hint_text, key_of,
    markdown_table, reminder, scope_words, screen_hints,
};
pub use keys::{KEYS, REMINDER};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::view_id::ViewId;

/// A key, as the table names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A printable character.
    Char(char),
    /// Control and a character (Ctrl-C).
    Ctrl(char),
    /// Enter.
    Enter,
    /// Escape.
    Esc,
    /// Tab.
    Tab,
    /// Shift-Tab.
    BackTab,
    /// Backspace.
    Backspace,
    /// Arrow up.
    Up,
    /// Arrow down.
    Down,
    /// Page up.
    PageUp,
    /// Page down.
    PageDown,
    /// Home.
    Home,
    /// End.
    End,
}

impl Key {
    /// The key of a terminal key press (`None` for releases and keys the
    /// console does not use).
    pub fn from_event(event: KeyEvent) -> Option<Key> {
        if event.kind == KeyEventKind::Release {
            return None;
        }
        Some(match event.code {
            KeyCode::Char(c) if event.modifiers.contains(KeyModifiers::CONTROL) => {
                Key::Ctrl(c.to_ascii_lowercase())
            }
            KeyCode::Char(c) => Key::Char(c),
            KeyCode::Enter => Key::Enter,
            KeyCode::Esc => Key::Esc,
            KeyCode::Tab => Key::Tab,
            KeyCode::BackTab => Key::BackTab,
            KeyCode::Backspace => Key::Backspace,
            KeyCode::Up => Key::Up,
            KeyCode::Down => Key::Down,
            KeyCode::PageUp => Key::PageUp,
            KeyCode::PageDown => Key::PageDown,
            KeyCode::Home => Key::Home,
            KeyCode::End => Key::End,
            _ => return None,
        })
    }

    /// How the help names the key.
    pub fn label(self) -> String {
        match self {
            Key::Char(' ') => "Space".into(),
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
            Key::Enter => "Enter".into(),
            Key::Esc => "Esc".into(),
            Key::Tab => "Tab".into(),
            Key::BackTab => "Shift-Tab".into(),
            Key::Backspace => "Backspace".into(),
            Key::Up => "Up".into(),
            Key::Down => "Down".into(),
            Key::PageUp => "PgUp".into(),
            Key::PageDown => "PgDn".into(),
            Key::Home => "Home".into(),
            Key::End => "End".into(),
        }
    }
}

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Leave the console (the terminal is restored).
    Quit,
    /// Show or hide the help.
    Help,
    /// The next view.
    NextView,
    /// The previous view.
    PrevView,
    /// A given view.
    Show(ViewId),
    /// Selection up one row.
    Up,
    /// Selection down one row.
    Down,
    /// Selection up one page.
    PageUp,
    /// Selection down one page.
    PageDown,
    /// First row.
    Top,
    /// Last row.
    Bottom,
    /// Open the detail of the selected row.
    Detail,
    /// Close the detail, or clear the filter.
    Back,
    /// Type a filter.
    Filter,
    /// Sort by the next key.
    Sort,
    /// Reverse the sort.
    Reverse,
    /// Pause or resume the live stream.
    Pause,
    /// Stage an update (picker, then build if a crate, then apply).
    Stage,
    /// Postpone the current update.
    Postpone,
    /// Abort the current update.
    Abort,
    /// Convert the selected class's pending lazy instances now.
    Convert,
    /// Reboot the selected thread.
    Reboot,
    /// Revert the selected applied update.
    Revert,
    /// In a prompt: accept (Enter, or yes).
    Accept,
    /// In a prompt: cancel (Esc, or no).
    Cancel,
    /// In a prompt: erase a character.
    Erase,
    /// In the stage prompt: complete the path.
    Complete,
    /// Tutorial list: open the selected exercise's statement.
    Open,
    /// Statement: build the exercise's app, start it, attach.
    Start,
    /// Back to the exercise list (stopping the exercise's app).
    ToList,
    /// Build the learner's update (the starter crate), apply it, check it.
    ApplyMine,
    /// The app's output: full size, or back to a pane.
    Output,
    /// Restart the exercise's app (version 0 again).
    Reset,
    /// Show the exercise's solution (after a confirmation).
    Reveal,
    /// Open the exercise's hints, revealing the next one (the first when
    /// none was revealed yet; one more each time it is pressed in the pane).
    Hint,
    /// Apply the solution shown, then check it.
    ApplySolution,
    /// Leader's view: allow actions in the learners' consoles, or forbid
    /// them again (they are read-only by default).
    AllowActions,
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// In every view.
    Global,
    /// Only in this view (the action needs its selection).
    View(ViewId),
    /// In the stage prompt (other keys type).
    Prompt,
    /// In the filter prompt (other keys type).
    Filter,
    /// In a yes/no confirmation.
    Confirm,
    /// The tutorial's exercise list.
    List,
    /// An exercise's app being built and started.
    Starting,
    /// An exercise's statement.
    Statement,
    /// A running exercise (tutorial and demo), over the console's views.
    Exercise,
    /// A running exercise of the tutorial (not the demo: it has no list).
    TutorialExercise,
    /// The solution shown over a running exercise.
    Solution,
    /// The hints revealed so far, shown over a running exercise.
    HintPane,
    /// The pane of a check (build, apply, verdict).
    CheckPane,
    /// The pane of an update crate's build.
    Build,
    /// The fleet view: a row per target (`moult-console fleet`).
    Fleet,
    /// The leader's view: a row per learner (`moult-console workshop`).
    Workshop,
    /// The `?` help shown (any key it does not list closes it).
    Help,
}

impl Scope {
    /// Whether a global `action` also works in this scope besides its own
    /// bindings: in a view, every one; on a tutorial screen, those that
    /// move, help and quit; over a running exercise, those that move and
    /// quit; in a prompt or confirmation none (keys type or answer); in the
    /// exercise scopes none (their other keys go to the view).
    pub(crate) fn admits(self, action: Action) -> bool {
        use Action::*;
        let moves = matches!(action, Up | Down | PageUp | PageDown | Top | Bottom);
        match self {
            Scope::View(_) => true,
            Scope::List | Scope::Statement | Scope::Fleet | Scope::Workshop => {
                moves || matches!(action, Quit | Help)
            }
            Scope::Solution | Scope::HintPane => moves || action == Quit,
            Scope::CheckPane | Scope::Starting => action == Quit,
            Scope::Build | Scope::Help => false,
            Scope::Global
            | Scope::Prompt
            | Scope::Filter
            | Scope::Confirm
            | Scope::Exercise
            | Scope::TutorialExercise => false,
        }
    }
}

/// One row of the key table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyBinding {
    /// The key.
    pub key: Key,
    /// What it does.
    pub action: Action,
    /// Where it applies.
    pub scope: Scope,
    /// The help's sentence.
    pub help: &'static str,
    /// The footer's word for it; `None` keeps it out of the footer (room is short at 80 columns).
    pub short: Option<&'static str>,
}

const fn bind(
    key: Key,
    action: Action,
    scope: Scope,
    help: &'static str,
    short: Option<&'static str>,
) -> KeyBinding {
    KeyBinding {
        key,
        action,
        scope,
        help,
        short,
    }
}

/// The binding of `key` in exactly `scope`.
fn find(key: Key, scope: Scope) -> Option<Action> {
    KEYS.iter()
        .find(|b| b.key == key && b.scope == scope)
        .map(|b| b.action)
}

/// The action of `key` in `scope`: the scope's own binding first, then the
/// global ones it admits (all in a view; moving, help and quit on a
/// tutorial screen; none in a prompt or confirmation, where keys type or
/// answer; none for the exercise scopes, whose other keys go to the view).
pub fn action(key: Key, scope: Scope) -> Option<Action> {
    find(key, scope).or_else(|| find(key, Scope::Global).filter(|&a| scope.admits(a)))
}

#[cfg(test)]
mod tests;
