//! The console's behaviour on canned states: every action a key triggers,
//! confirmations, the stage flow through a build, pause.

use std::path::PathBuf;

use moult_protocol::{Event, EventKind, ServerMessage};

use super::*;
use crate::tui::fixtures::replay;
use crate::tui::theme::Theme;

fn console(scenario: &str, cwd: PathBuf) -> Controller {
    let theme = Theme {
        color: false,
        ascii: true,
    };
    Controller::new(replay(scenario), Ui::new(theme), cwd)
}

fn keys(c: &mut Controller, keys: &str) -> Vec<Effect> {
    keys.chars()
        .flat_map(|ch| c.key(Key::Char(ch), 10))
        .collect()
}

fn question(c: &Controller) -> String {
    match &c.ui.mode {
        Mode::Confirm(confirm) => confirm.question.clone(),
        other => panic!("no question asked: {other:?}"),
    }
}

#[test]
fn abort_and_postpone_ask_first_then_send() {
    let mut c = console("blocked", ".".into());
    assert!(keys(&mut c, "x").is_empty());
    assert!(question(&c).starts_with("Abort update blocked busy #1?"));
    assert_eq!(keys(&mut c, "y"), [Effect::Send(AgentCommand::Abort(1))]);
    assert_eq!(c.ui.mode, Mode::Normal);

    keys(&mut c, "P");
    assert!(question(&c).starts_with("Postpone update blocked busy #1?"));
    assert!(keys(&mut c, "n").is_empty(), "no is no");
    assert_eq!(c.ui.message, Some((Tone::Info, "cancelled".into())));
    keys(&mut c, "P");
    assert_eq!(
        c.key(Key::Enter, 10),
        [Effect::Send(AgentCommand::Postpone(1))]
    );
}

#[test]
fn convert_and_reboot_act_on_the_selected_row_of_their_view() {
    let mut c = console("busy", ".".into());
    assert!(
        keys(&mut c, "c").is_empty(),
        "c is not bound in the Threads view"
    );
    assert_eq!(c.ui.mode, Mode::Normal);
    keys(&mut c, "jr");
    assert!(question(&c).starts_with("Reboot thread printer?"));
    assert_eq!(
        keys(&mut c, "y"),
        [Effect::Send(AgentCommand::Reboot("printer".into()))]
    );

    keys(&mut c, "3c");
    assert_eq!(
        question(&c),
        "Convert the 5000 pending instance(s) of step2_series::Integer to v1 now?"
    );
    assert_eq!(
        keys(&mut c, "y"),
        [Effect::Send(AgentCommand::Convert(
            "step2_series::Integer".into()
        ))]
    );
    keys(&mut c, "jc");
    assert_eq!(c.ui.mode, Mode::Normal);
    assert_eq!(
        c.ui.message,
        Some((
            Tone::Error,
            "step2_series::Serie has no pending lazy conversion".into()
        ))
    );
}

#[test]
fn staging_a_crate_builds_it_with_output_shown_then_applies_its_library() {
    let dir = tempfile::tempdir().unwrap();
    let crate_dir = dir.path().join("upd");
    std::fs::create_dir_all(&crate_dir).unwrap();
    std::fs::write(
        crate_dir.join("Cargo.toml"),
        "[package]\n[lib]\ncrate-type = [\"cdylib\"]",
    )
    .unwrap();
    let mut c = console("busy", dir.path().to_path_buf());
    keys(&mut c, "aupd");
    assert!(matches!(c.ui.mode, Mode::Picker(_)));
    assert!(c.key(Key::Enter, 10).is_empty());
    assert!(question(&c).starts_with("Build the update crate"));
    let effects = c.key(Key::Enter, 10);
    assert_eq!(
        effects,
        [Effect::Build {
            dir: crate_dir.clone(),
            profile: "debug".into()
        }]
    );
    c.feed(Feed::BuildLine("   Compiling upd v0.1.0".into()));
    let Mode::Build(log) = &c.ui.mode else {
        panic!("no build pane: {:?}", c.ui.mode)
    };
    assert_eq!(log.last(), Some("   Compiling upd v0.1.0"));
    let lib = PathBuf::from("/t/libupd.so");
    assert_eq!(
        c.feed(Feed::BuildDone(Ok(lib.clone()))),
        [Effect::Send(AgentCommand::Apply(lib))]
    );
    assert_eq!(c.ui.mode, Mode::Normal);
}

#[test]
fn a_failed_build_keeps_its_errors_on_screen_and_a_refusal_is_said() {
    let mut c = console("busy", ".".into());
    c.ui.mode = Mode::Build(WorkLog::new("Building upd", "cargo build"));
    c.feed(Feed::BuildLine(
        "error[E0425]: cannot find value `x`".into(),
    ));
    assert!(
        c.feed(Feed::BuildDone(Err("build failed".into())))
            .is_empty()
    );
    let Mode::Build(log) = &c.ui.mode else {
        panic!("the pane closed")
    };
    assert_eq!(log.outcome, Some(Verdict::Fail("build failed".into())));
    c.key(Key::Esc, 10);
    assert_eq!(c.ui.mode, Mode::Normal);
    c.feed(Feed::Reply(Err("apply: fingerprint differs".into())));
    assert_eq!(
        c.ui.message,
        Some((Tone::Error, "apply: fingerprint differs".into()))
    );
}

#[test]
fn pause_holds_the_stream_and_resume_applies_it() {
    let mut c = console("busy", ".".into());
    keys(&mut c, "p");
    let redefined = ServerMessage::Events {
        events: vec![Event {
            seq: 99,
            at_ms: 70_000,
            kind: EventKind::FunctionRedefined {
                function: "step2_series::pick".into(),
                version: 4,
            },
        }],
        dropped: 0,
    };
    c.feed(Feed::Message(redefined));
    c.feed(Feed::Detached("gone".into()));
    assert_eq!(c.state.functions.rows[0].info.version, 0, "held");
    assert_eq!(c.state.link, Link::Connected);
    keys(&mut c, "p");
    assert_eq!(c.state.functions.rows[0].info.version, 4);
    assert_eq!(c.state.link.word(), "detached");
    keys(&mut c, "a");
    assert_eq!(c.ui.mode, Mode::Normal, "nothing to stage into");
}

#[test]
fn filter_sort_detail_back_help_and_quit() {
    let mut c = console("blocked", ".".into());
    keys(&mut c, "2/BUSY");
    assert_eq!(c.ui.tables[1].filter, "BUSY");
    c.key(Key::Enter, 10);
    assert_eq!(c.ui.mode, Mode::Normal);
    c.key(Key::Enter, 10);
    assert_eq!(c.ui.detail, Some(Detail::Function("e2e_app::busy".into())));
    c.key(Key::Esc, 10);
    assert_eq!(c.ui.detail, None);
    assert_eq!(c.ui.tables[1].filter, "BUSY", "Esc closes the detail first");
    c.key(Key::Esc, 10);
    assert_eq!(c.ui.tables[1].filter, "");
    keys(&mut c, "sS");
    assert_eq!((c.ui.tables[1].sort, c.ui.tables[1].descending), (1, true));
    c.key(Key::Tab, 10);
    assert_eq!(c.ui.view, ViewId::Classes);
    c.key(Key::BackTab, 10);
    c.key(Key::BackTab, 10);
    assert_eq!(c.ui.view, ViewId::Threads);
    keys(&mut c, "?");
    assert_eq!(c.ui.mode, Mode::Help(0));
    c.key(Key::Down, 10);
    assert_eq!(c.ui.mode, Mode::Help(1));
    keys(&mut c, "q");
    assert_eq!(c.ui.mode, Mode::Normal, "a key closes the help");
    assert_eq!(keys(&mut c, "q"), [Effect::Quit]);
    assert_eq!(c.key(Key::Ctrl('c'), 10), [Effect::Quit]);
}

#[test]
fn s_cycles_the_sort_keys_in_the_order_of_the_columns() {
    // Defect 13: on Functions, `s` went name, calls/s, active, version —
    // right to left over the columns NAME VER ACTIVE CALLS/S.
    let mut c = console("busy", PathBuf::from("."));
    keys(&mut c, "2");
    let mut seen = Vec::new();
    for _ in 0..4 {
        let sorts = crate::tui::rows::sort_keys(c.ui.view);
        seen.push(sorts[c.ui.tables[c.ui.view.index()].sort % sorts.len()]);
        keys(&mut c, "s");
    }
    assert_eq!(seen, ["name", "version", "active", "calls/s"]);
}

#[test]
fn staging_a_crate_that_is_not_an_update_crate_is_refused_with_the_reason() {
    // Defect 9: staging app/ built it, then said "Build failed" under
    // cargo's "Finished".
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("Cargo.toml"), "[package]\nname = \"app\"").unwrap();
    let mut c = console("busy", dir.path().to_path_buf());
    keys(&mut c, "aapp");
    assert!(c.key(Key::Enter, 10).is_empty(), "nothing is built");
    assert!(
        matches!(c.ui.mode, Mode::Picker(_)),
        "the picker stays open"
    );
    let (tone, text) = c.ui.message.clone().expect("a reason");
    assert_eq!(tone, Tone::Error);
    assert!(text.contains("not an update crate"), "{text}");
    assert!(text.contains("crate-type = [\"cdylib\"]"), "{text}");
}

fn events(kinds: Vec<EventKind>) -> Feed {
    Feed::Message(ServerMessage::Events {
        events: kinds
            .into_iter()
            .enumerate()
            .map(|(i, kind)| Event {
                seq: 1000 + i as u64,
                at_ms: 80_000,
                kind,
            })
            .collect(),
        dropped: 0,
    })
}

#[test]
fn stale_status_lines_go_once_they_no_longer_hold() {
    // Defect 6.
    use moult_protocol::Outcome;
    let mut c = console("busy", ".".into());
    // `queued a #7, b #8` stays until both ended, then goes.
    c.feed(Feed::Queued {
        text: "queued a #7, b #8".into(),
        updates: vec![7, 8],
    });
    c.feed(events(vec![
        EventKind::UpdateQueued {
            update: "a".into(),
            id: 7,
        },
        EventKind::UpdateQueued {
            update: "b".into(),
            id: 8,
        },
        EventKind::UpdateDone {
            update: "a".into(),
            id: 7,
            outcome: Outcome::Applied,
        },
    ]));
    assert!(c.ui.message.is_some(), "b is still queued");
    c.feed(events(vec![EventKind::UpdateDone {
        update: "b".into(),
        id: 8,
        outcome: Outcome::Applied,
    }]));
    assert_eq!(c.ui.message, None, "both applied: the line went");

    // A picker error does not stay into the confirmation.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("libu.so"), "").unwrap();
    let mut c = console("busy", dir.path().to_path_buf());
    keys(&mut c, "anope");
    c.key(Key::Enter, 10);
    assert!(c.ui.message.is_some(), "nope does not exist");
    for _ in 0..4 {
        c.key(Key::Backspace, 10);
    }
    keys(&mut c, "libu.so");
    c.key(Key::Enter, 10);
    assert!(matches!(c.ui.mode, Mode::Confirm(_)));
    assert_eq!(c.ui.message, None, "the error went with the path");

    // `no thread selected` does not survive a reattach.
    let mut c = console("empty", ".".into());
    keys(&mut c, "r");
    assert!(c.ui.message.is_some());
    let agent = c.state.agent.clone().unwrap();
    c.feed(Feed::Attached(agent));
    assert_eq!(c.ui.message, None);
}

#[test]
fn revert_asks_first_then_sends_and_refuses_what_cannot_be_reverted() {
    let mut c = console("reverted", ".".into());
    keys(&mut c, "4");
    // Newest first: #3 (revertible) is selected.
    assert!(keys(&mut c, "z").is_empty());
    assert!(question(&c).starts_with("Revert update handle v3 #3?"));
    assert_eq!(keys(&mut c, "y"), [Effect::Send(AgentCommand::Revert(3))]);
    // #1 was reverted already: said, nothing sent.
    keys(&mut c, "jj");
    assert!(keys(&mut c, "z").is_empty());
    assert_eq!(c.ui.mode, Mode::Normal);
    let said = format!("{:?}", c.ui.message);
    assert!(said.contains("was reverted already (by #2)"), "{said}");
}
