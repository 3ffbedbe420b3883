//! Tasks through the controller: groups fold and unfold on Enter, tasks
//! come and go as snapshots arrive, and the actions the agent cannot do for
//! tasks say why in the status line.

use std::path::PathBuf;

use moult_protocol::{ServerMessage, TaskInfo, ThreadState};

use super::*;
use crate::tui::feed::Feed;
use crate::tui::fixtures::replay;
use crate::tui::rows::threads::{ThreadRow, rows};
use crate::tui::theme::Theme;

fn console() -> Controller {
    let theme = Theme {
        color: false,
        ascii: true,
    };
    Controller::new(replay("tasks"), Ui::new(theme), PathBuf::from("."))
}

/// The last snapshot of the `tasks` transcript, with `tasks` instead.
fn with_tasks(tasks: Vec<TaskInfo>) -> Feed {
    let text = include_str!("../../../tests/data/tui/tasks.jsonl");
    let last = text
        .lines()
        .rev()
        .find(|l| l.contains("\"state\",\"snapshot\""));
    let message: ServerMessage = serde_json::from_str(last.unwrap()).unwrap();
    let ServerMessage::State { mut snapshot } = message else {
        panic!("not a snapshot")
    };
    snapshot.tasks = tasks;
    Feed::Message(ServerMessage::State { snapshot })
}

fn task(id: u64, group: &str) -> TaskInfo {
    TaskInfo {
        id,
        group: group.into(),
        state: ThreadState::Running,
        last_point: Some("idle".into()),
        main_version: 0,
    }
}

/// The Threads table's rows, by name.
fn names(c: &Controller) -> Vec<String> {
    let nav = &c.ui.tables[ViewId::Threads.index()];
    rows(&c.state, nav, &c.ui.expanded)
        .into_iter()
        .map(|row| match row {
            ThreadRow::Thread(i) => c.state.threads[i].name.clone(),
            ThreadRow::Group(g) => format!("group {}", c.state.tasks.groups[g].name),
            ThreadRow::Task(g, t) => {
                let group = &c.state.tasks.groups[g];
                group.label(&group.tasks[t])
            }
        })
        .collect()
}

#[test]
fn enter_unfolds_a_group_and_opens_a_tasks_detail() {
    let mut c = console();
    assert_eq!(names(&c), ["stats", "group conn", "group purge"]);
    c.key(Key::Down, 10);
    c.key(Key::Enter, 10);
    assert!(c.ui.detail.is_none(), "a group unfolds, it opens no detail");
    let shown = names(&c);
    assert_eq!(shown.len(), 1 + 1 + 40 + 1);
    assert_eq!(shown[2], "conn#1");
    c.key(Key::Down, 10);
    c.key(Key::Enter, 10);
    assert_eq!(
        c.ui.detail,
        Some(Detail::Task {
            group: "conn".into(),
            id: 1
        })
    );
    c.key(Key::Esc, 10);
    c.key(Key::Up, 10);
    c.key(Key::Enter, 10);
    assert_eq!(
        names(&c),
        ["stats", "group conn", "group purge"],
        "folded again"
    );
}

#[test]
fn tasks_appear_and_disappear_as_snapshots_arrive() {
    let mut c = console();
    c.ui.expanded.insert("conn".into());
    assert_eq!(c.state.tasks.len(), 41);

    // Most connections closed, a new group came up, purge ended.
    c.feed(with_tasks(vec![
        task(7, "conn"),
        task(50, "conn"),
        task(60, "admin"),
    ]));
    assert_eq!(
        names(&c),
        ["stats", "group admin", "group conn", "conn#7", "conn#50"]
    );

    // Every task ended: only the thread is left, the view does not break.
    c.feed(with_tasks(vec![]));
    assert_eq!(names(&c), ["stats"]);
    assert!(c.state.tasks.is_empty());

    // Paused, new tasks wait with the rest of the stream.
    c.key(Key::Char('p'), 10);
    c.feed(with_tasks(vec![task(70, "conn")]));
    assert_eq!(names(&c), ["stats"]);
    c.key(Key::Char('p'), 10);
    assert_eq!(names(&c), ["stats", "group conn", "conn#70"]);
}

#[test]
fn the_filter_finds_a_task_by_its_label() {
    let mut c = console();
    c.ui.expanded.insert("conn".into());
    c.key(Key::Char('/'), 10);
    for ch in "#23".chars() {
        c.key(Key::Char(ch), 10);
    }
    c.key(Key::Enter, 10);
    assert_eq!(names(&c), ["group conn", "conn#23"]);
}

#[test]
fn reboot_on_a_task_group_or_one_of_its_tasks_asks_then_sends_the_groups_reboot() {
    let mut c = console();
    c.key(Key::Down, 10);
    assert!(c.key(Key::Char('r'), 10).is_empty());
    assert!(
        matches!(&c.ui.mode, Mode::Confirm(q) if q.question.starts_with("Reboot the 40 task(s) of group conn?")),
        "{:?}",
        c.ui.mode
    );
    assert_eq!(
        c.key(Key::Char('y'), 10),
        [Effect::Send(AgentCommand::RebootTasks("conn".into()))]
    );

    // On one of its tasks: the same group.
    c.key(Key::Enter, 10);
    c.key(Key::Down, 10);
    c.key(Key::Char('r'), 10);
    assert_eq!(
        c.key(Key::Char('y'), 10),
        [Effect::Send(AgentCommand::RebootTasks("conn".into()))]
    );

    // A DSU thread still reboots as a thread.
    c.key(Key::Char('g'), 10);
    c.key(Key::Char('r'), 10);
    assert!(
        matches!(&c.ui.mode, Mode::Confirm(q) if q.question.starts_with("Reboot thread stats?"))
    );
}
