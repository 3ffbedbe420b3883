//! The key table: every key, what it does and its help, in one place.
//! [`action`] reads it to handle a key; the footer and the `?` help are
//! drawn from it, and the README's key table is checked against it.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::ui::ViewId;

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
    /// In a prompt: accept (Enter, or yes).
    Accept,
    /// In a prompt: cancel (Esc, or no).
    Cancel,
    /// In a prompt: erase a character.
    Erase,
    /// In the stage prompt: complete the path.
    Complete,
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// In every view.
    Global,
    /// Only in this view (the action needs its selection).
    View(ViewId),
    /// In the filter and stage prompts (other keys type).
    Prompt,
    /// In a yes/no confirmation.
    Confirm,
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

use Action as A;
use Key as K;
use Scope as S;

/// Every key of the console. Bindings of one action that follow each other
/// read as one line of help (`Up / k`).
pub const KEYS: &[KeyBinding] = &[
    bind(
        K::Char('?'),
        A::Help,
        S::Global,
        "show or hide this help",
        None,
    ),
    bind(
        K::Char('q'),
        A::Quit,
        S::Global,
        "quit (the terminal is restored)",
        Some("quit"),
    ),
    bind(
        K::Ctrl('c'),
        A::Quit,
        S::Global,
        "quit (the terminal is restored)",
        None,
    ),
    bind(K::Tab, A::NextView, S::Global, "next view", None),
    bind(K::BackTab, A::PrevView, S::Global, "previous view", None),
    bind(
        K::Char('1'),
        A::Show(ViewId::Threads),
        S::Global,
        "threads view",
        None,
    ),
    bind(
        K::Char('2'),
        A::Show(ViewId::Functions),
        S::Global,
        "hot functions view",
        None,
    ),
    bind(
        K::Char('3'),
        A::Show(ViewId::Classes),
        S::Global,
        "classes view",
        None,
    ),
    bind(
        K::Char('4'),
        A::Show(ViewId::Updates),
        S::Global,
        "updates view: queue, lifecycle, journal",
        None,
    ),
    bind(
        K::Char('5'),
        A::Show(ViewId::Alterability),
        S::Global,
        "alterability attempts and event log",
        None,
    ),
    bind(K::Up, A::Up, S::Global, "select the row above", None),
    bind(K::Char('k'), A::Up, S::Global, "select the row above", None),
    bind(K::Down, A::Down, S::Global, "select the row below", None),
    bind(
        K::Char('j'),
        A::Down,
        S::Global,
        "select the row below",
        None,
    ),
    bind(K::PageUp, A::PageUp, S::Global, "one page up", None),
    bind(K::PageDown, A::PageDown, S::Global, "one page down", None),
    bind(K::Home, A::Top, S::Global, "first row", None),
    bind(K::Char('g'), A::Top, S::Global, "first row", None),
    bind(K::End, A::Bottom, S::Global, "last row", None),
    bind(K::Char('G'), A::Bottom, S::Global, "last row", None),
    bind(
        K::Enter,
        A::Detail,
        S::Global,
        "details of the selected row",
        None,
    ),
    bind(
        K::Esc,
        A::Back,
        S::Global,
        "back from details; clear the filter",
        None,
    ),
    bind(
        K::Char('/'),
        A::Filter,
        S::Global,
        "filter rows by name",
        Some("filter"),
    ),
    bind(
        K::Char('s'),
        A::Sort,
        S::Global,
        "sort by the next column",
        None,
    ),
    bind(
        K::Char('S'),
        A::Reverse,
        S::Global,
        "reverse the sort order",
        None,
    ),
    bind(
        K::Char('p'),
        A::Pause,
        S::Global,
        "pause or resume the live stream",
        Some("pause"),
    ),
    bind(
        K::Char('a'),
        A::Stage,
        S::Global,
        "stage and apply an update (.so or update crate)",
        Some("apply"),
    ),
    bind(
        K::Char('P'),
        A::Postpone,
        S::Global,
        "postpone the current update (asks first)",
        Some("postpone"),
    ),
    bind(
        K::Char('x'),
        A::Abort,
        S::Global,
        "abort the current update (asks first)",
        Some("abort"),
    ),
    bind(
        K::Char('r'),
        A::Reboot,
        S::View(ViewId::Threads),
        "reboot the selected thread (asks first)",
        Some("reboot"),
    ),
    bind(
        K::Char('c'),
        A::Convert,
        S::View(ViewId::Classes),
        "convert the selected class's pending lazy instances now (asks first)",
        Some("convert"),
    ),
    bind(
        K::Enter,
        A::Accept,
        S::Prompt,
        "accept: walk into a directory, or stage the path",
        None,
    ),
    bind(
        K::Tab,
        A::Complete,
        S::Prompt,
        "complete the path with the selected entry",
        None,
    ),
    bind(K::Backspace, A::Erase, S::Prompt, "erase a character", None),
    bind(K::Esc, A::Cancel, S::Prompt, "cancel", None),
    bind(K::Char('y'), A::Accept, S::Confirm, "yes, do it", None),
    bind(K::Enter, A::Accept, S::Confirm, "yes, do it", None),
    bind(K::Char('n'), A::Cancel, S::Confirm, "no", None),
    bind(K::Esc, A::Cancel, S::Confirm, "no", None),
];

/// The action of `key` in `scope`: a view's own binding first, then the
/// global ones (a prompt or confirmation has only its own).
pub fn action(key: Key, scope: Scope) -> Option<Action> {
    let find = |scope: Scope| {
        KEYS.iter()
            .find(|b| b.key == key && b.scope == scope)
            .map(|b| b.action)
    };
    match scope {
        Scope::View(_) => find(scope).or_else(|| find(Scope::Global)),
        other => find(other),
    }
}

/// One line of help: the keys of consecutive bindings of one action in one
/// scope, joined (`Up / k`), and their help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpLine {
    /// The keys, joined by ` / `.
    pub keys: String,
    /// Where they apply.
    pub scope: Scope,
    /// What they do.
    pub help: &'static str,
}

/// The key table as help lines, in table order.
pub fn help_lines() -> Vec<HelpLine> {
    let mut lines: Vec<HelpLine> = Vec::new();
    let mut last: Option<&KeyBinding> = None;
    for b in KEYS {
        match (last, lines.last_mut()) {
            (Some(prev), Some(line)) if prev.action == b.action && prev.scope == b.scope => {
                line.keys.push_str(" / ");
                line.keys.push_str(&b.key.label());
            }
            _ => lines.push(HelpLine {
                keys: b.key.label(),
                scope: b.scope,
                help: b.help,
            }),
        }
        last = Some(b);
    }
    lines
}

/// Where a help line applies, in words (the README's third column).
pub fn scope_words(scope: Scope) -> String {
    match scope {
        Scope::Global => "any view".into(),
        Scope::View(view) => format!("{} view", view.title()),
        Scope::Prompt => "stage and filter prompts".into(),
        Scope::Confirm => "confirmations".into(),
    }
}

/// The key table in Markdown, as the README shows it.
pub fn markdown_table() -> String {
    let mut out = String::from("| key | where | what it does |\n| --- | --- | --- |\n");
    for line in help_lines() {
        let keys: Vec<String> = line
            .keys
            .split(" / ")
            .map(|k| format!("`{}`", if k == "|" { "\\|" } else { k }))
            .collect();
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            keys.join(" "),
            scope_words(line.scope),
            line.help
        ));
    }
    out
}

/// The footer's hints for `view`: its own keys first, then the global ones.
pub fn footer_hints(view: ViewId) -> Vec<(String, &'static str)> {
    let own = KEYS.iter().filter(|b| b.scope == Scope::View(view));
    let global = KEYS.iter().filter(|b| b.scope == Scope::Global);
    own.chain(global)
        .filter_map(|b| b.short.map(|s| (b.key.label(), s)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_finds_its_view_action_then_the_global_one() {
        let classes = Scope::View(ViewId::Classes);
        assert_eq!(action(Key::Char('c'), classes), Some(Action::Convert));
        assert_eq!(action(Key::Char('c'), Scope::View(ViewId::Threads)), None);
        assert_eq!(
            action(Key::Char('r'), Scope::View(ViewId::Threads)),
            Some(Action::Reboot)
        );
        assert_eq!(action(Key::Char('q'), classes), Some(Action::Quit));
        assert_eq!(action(Key::Enter, Scope::Confirm), Some(Action::Accept));
        assert_eq!(
            action(Key::Char('q'), Scope::Prompt),
            None,
            "q types in a prompt"
        );
    }

    #[test]
    fn no_key_is_bound_twice_in_one_scope() {
        for (i, a) in KEYS.iter().enumerate() {
            for b in &KEYS[i + 1..] {
                assert!(
                    !(a.key == b.key && a.scope == b.scope),
                    "{:?} twice in {:?}",
                    a.key,
                    a.scope
                );
            }
        }
    }

    #[test]
    fn the_help_joins_keys_of_one_action() {
        let lines = help_lines();
        let up = lines
            .iter()
            .find(|l| l.help == "select the row above")
            .unwrap();
        assert_eq!(up.keys, "Up / k");
        let quit = lines.iter().find(|l| l.keys.starts_with('q')).unwrap();
        assert_eq!(quit.keys, "q / Ctrl-C");
        let hints = footer_hints(ViewId::Classes);
        assert_eq!(hints[0], ("c".to_string(), "convert"));
        assert!(hints.iter().all(|(_, s)| *s != "reboot"));
    }

    #[test]
    fn the_readme_shows_this_key_table() {
        let readme = include_str!("../../../README.md");
        let start = readme
            .find("<!-- keys:start -->\n")
            .expect("README has a keys:start marker")
            + "<!-- keys:start -->\n".len();
        let end = readme.find("<!-- keys:end -->").expect("keys:end marker");
        let table = markdown_table();
        assert!(
            readme[start..end] == table,
            "README's key table is stale; between the markers it should read:\n{table}"
        );
    }
}
