//! The key table's rules: lookups by scope, no key bound twice in a scope,
//! the help, the footer and the README in step with the table.

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
    let readme = include_str!("../../../../README.md");
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

#[test]
fn tutorial_screens_have_their_keys_and_only_the_global_ones_that_fit() {
    assert_eq!(action(Key::Enter, Scope::List), Some(Action::Open));
    assert_eq!(action(Key::Char('j'), Scope::List), Some(Action::Down));
    assert_eq!(action(Key::Char('q'), Scope::List), Some(Action::Quit));
    assert_eq!(
        action(Key::Char('a'), Scope::List),
        None,
        "no app to stage into"
    );
    assert_eq!(
        action(Key::Char('s'), Scope::Statement),
        Some(Action::Start)
    );
    assert_eq!(action(Key::Esc, Scope::Statement), Some(Action::ToList));
    assert_eq!(action(Key::Char('?'), Scope::Statement), Some(Action::Help));
    assert_eq!(
        action(Key::Char('u'), Scope::Exercise),
        Some(Action::ApplyMine)
    );
    assert_eq!(
        action(Key::Char('q'), Scope::Exercise),
        None,
        "the view's keys come from the console"
    );
    assert_eq!(
        action(Key::Char('a'), Scope::Solution),
        Some(Action::ApplySolution)
    );
    assert_eq!(
        action(Key::PageDown, Scope::Solution),
        Some(Action::PageDown)
    );
    assert_eq!(action(Key::Char('?'), Scope::Solution), None);
    assert_eq!(action(Key::Char('h'), Scope::Exercise), Some(Action::Hint));
    assert_eq!(action(Key::Char('h'), Scope::HintPane), Some(Action::Hint));
    assert_eq!(action(Key::Esc, Scope::HintPane), Some(Action::Back));
    assert_eq!(action(Key::Down, Scope::HintPane), Some(Action::Down));
    assert_eq!(action(Key::Char('q'), Scope::HintPane), Some(Action::Quit));
    assert_eq!(action(Key::Esc, Scope::CheckPane), Some(Action::Back));
    assert_eq!(action(Key::Char('j'), Scope::CheckPane), None);
    assert_eq!(action(Key::Char('q'), Scope::CheckPane), Some(Action::Quit));
}

#[test]
fn the_exercise_footer_leads_with_the_exercise_keys() {
    let tutorial = exercise_hints(ViewId::Threads, true);
    let words: Vec<&str> = tutorial.iter().map(|(_, w)| *w).collect();
    assert_eq!(
        words[..6],
        ["my update", "output", "reset", "hint", "solution", "list"]
    );
    assert!(words.contains(&"quit"));
    let demo = exercise_hints(ViewId::Threads, false);
    assert!(
        demo.iter().all(|(_, w)| *w != "list"),
        "the demo has no list"
    );
    let list = screen_hints(Scope::List);
    assert_eq!(
        list,
        [("Enter".to_string(), "open"), ("q".to_string(), "quit")]
    );
}
