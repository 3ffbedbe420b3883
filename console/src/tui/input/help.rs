//! The key table read for people: the `?` help, the README's table, the
//! footer's hints.

use super::{Action, KEYS, KeyBinding, REMINDER, Scope};
use crate::tui::view_id::ViewId;

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
        Scope::Prompt => "stage prompt".into(),
        Scope::Filter => "filter prompt".into(),
        Scope::Confirm => "confirmations".into(),
        Scope::List => "tutorial: exercise list".into(),
        Scope::Statement => "tutorial: statement".into(),
        Scope::Starting => "starting an exercise".into(),
        Scope::Exercise => "running exercise".into(),
        Scope::TutorialExercise => "running exercise, tutorial".into(),
        Scope::Solution => "solution shown".into(),
        Scope::HintPane => "hints shown".into(),
        Scope::CheckPane => "check pane".into(),
        Scope::Build => "build pane".into(),
        Scope::Fleet => "fleet view".into(),
        Scope::Workshop => "leader's view (workshop)".into(),
        Scope::Help => "this help".into(),
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

/// The footer's words of `bindings`, in table order.
fn hints<'a>(bindings: impl Iterator<Item = &'a KeyBinding>) -> Vec<(String, &'static str)> {
    bindings
        .filter_map(|b| b.short.map(|s| (b.key.label(), s)))
        .collect()
}

/// The footer's hints for `view`: its own keys first, then the global ones.
pub fn footer_hints(view: ViewId) -> Vec<(String, &'static str)> {
    let own = KEYS.iter().filter(|b| b.scope == Scope::View(view));
    let global = KEYS.iter().filter(|b| b.scope == Scope::Global);
    hints(own.chain(global))
}

/// The footer's hints on a tutorial screen or pane (`scope`): its own
/// keys, then the global ones it admits.
pub fn screen_hints(scope: Scope) -> Vec<(String, &'static str)> {
    let own = KEYS.iter().filter(|b| b.scope == scope);
    let global = KEYS
        .iter()
        .filter(|b| b.scope == Scope::Global && scope.admits(b.action));
    hints(own.chain(global))
}

/// The footer's hints over a running exercise in `view`: the exercise's
/// keys (with the tutorial's when it has a list to go back to), then the
/// view's.
pub fn exercise_hints(view: ViewId, tutorial: bool) -> Vec<(String, &'static str)> {
    let exercise = KEYS
        .iter()
        .filter(|b| b.scope == Scope::Exercise || (tutorial && b.scope == Scope::TutorialExercise));
    let mut out = hints(exercise);
    out.extend(footer_hints(view));
    out
}

/// `hints` as one line of plain text (`Esc close  q quit`), for a pane's
/// last line or title.
pub fn hint_text(hints: &[(String, &str)]) -> String {
    hints
        .iter()
        .map(|(key, word)| format!("{key} {word}"))
        .collect::<Vec<_>>()
        .join("  ")
}

/// The keys of `scope` that have a footer word, keys of one word joined by
/// `/` (`Up/k/Down/j scroll  Esc or any other key closes`).
pub fn compact_hints(scope: Scope) -> String {
    let mut groups: Vec<(Vec<String>, &'static str)> = Vec::new();
    for b in KEYS.iter().filter(|b| b.scope == scope) {
        let Some(word) = b.short else { continue };
        match groups.iter_mut().find(|(_, w)| *w == word) {
            Some((keys, _)) => keys.push(b.key.label()),
            None => groups.push((vec![b.key.label()], word)),
        }
    }
    groups
        .into_iter()
        .map(|(keys, word)| format!("{} {word}", keys.join("/")))
        .collect::<Vec<_>>()
        .join("  ")
}

/// The footer's reminder (`Enter: details  Tab/1-5: views  s: sort  ?: all
/// keys`), from [`REMINDER`] and the keys [`KEYS`] gives its actions in
/// every view; a run of digits reads as a range.
pub fn reminder() -> String {
    REMINDER
        .iter()
        .map(|(actions, word)| {
            let labels: Vec<String> = KEYS
                .iter()
                .filter(|b| b.scope == Scope::Global && actions.contains(&b.action))
                .map(|b| b.key.label())
                .collect();
            format!("{}: {word}", digit_ranges(&labels).join("/"))
        })
        .collect::<Vec<_>>()
        .join("  ")
}

/// `["Tab", "1", "2", "3"]` as `["Tab", "1-3"]`.
fn digit_ranges(labels: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    let flush = |run: &mut Vec<&str>, out: &mut Vec<String>| {
        match run.as_slice() {
            [] => {}
            [one] => out.push((*one).to_string()),
            [first, .., last] => out.push(format!("{first}-{last}")),
        }
        run.clear();
    };
    for label in labels {
        if label.len() == 1 && label.chars().all(|c| c.is_ascii_digit()) {
            run.push(label);
        } else {
            flush(&mut run, &mut out);
            out.push(label.clone());
        }
    }
    flush(&mut run, &mut out);
    out
}

/// The label of the first key bound to `action` in `scope` (`Esc`), for a
/// sentence that names it.
pub fn key_of(action: Action, scope: Scope) -> Option<String> {
    KEYS.iter()
        .find(|b| b.action == action && b.scope == scope)
        .map(|b| b.key.label())
}
