//! Tasks on screen, from the `tasks` transcript (kv-server: a DSU thread,
//! 40 connection tasks and a purge task, an update waiting for seven conn
//! tasks): the Threads view with its task groups folded and unfolded, and
//! the why-blocked diagnosis wherever it is shown, at 80×24 and 120×40.

use moult_protocol::{ServerMessage, TaskInfo, ThreadState};

use super::tests::{at, screen};
use crate::tui::fixtures::replay;
use crate::tui::ui::Detail;
use crate::tui::view_id::ViewId;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

#[test]
fn task_groups_sit_beside_threads_one_row_each() {
    let state = replay("tasks");
    for (w, h) in SIZES {
        let text = screen(&state, &mut at(ViewId::Threads), w, h);
        let conn = text
            .lines()
            .find(|l| l.contains("▸ conn"))
            .expect("conn's row");
        assert!(conn.contains("40 tasks, 33 parked"), "{conn}");
        assert!(
            conn.contains("⚠7"),
            "seven of its tasks block the update: {conn}"
        );
        assert!(text.contains("▸ purge"), "{text}");
        assert!(!text.contains("conn#1 "), "folded: {text}");
        insta::assert_snapshot!(format!("threads_tasks_folded_{w}x{h}"), text);
    }
}

#[test]
fn an_unfolded_group_lists_its_tasks_virtualised() {
    let state = replay("tasks");
    for (w, h) in SIZES {
        let mut ui = at(ViewId::Threads);
        ui.expanded.insert("conn".into());
        ui.tables[ViewId::Threads.index()].down(7);
        let text = screen(&state, &mut ui, w, h);
        assert!(text.contains("▾ conn"), "{text}");
        assert!(
            text.contains("⚠ conn#7"),
            "a named blocker is marked: {text}"
        );
        assert!(text.contains("8/43"), "{text}");
        // Only a window of the 40 tasks is drawn.
        let shown = text.lines().filter(|l| l.contains("conn#")).count();
        assert!(shown < 40 && shown > 5, "{shown} rows:\n{text}");
        insta::assert_snapshot!(format!("threads_tasks_unfolded_{w}x{h}"), text);
    }
}

#[test]
fn task_blockers_read_as_one_line_per_group() {
    let state = replay("tasks");
    for (w, h) in SIZES {
        let alter = screen(&state, &mut at(ViewId::Alterability), w, h);
        let header = alter.lines().nth(2).unwrap();
        assert!(
            header.contains("alterability 3/600, blocked by 7 conn tasks not at a point"),
            "{header}"
        );
        assert!(alter.contains("task conn#7"), "{alter}");
        assert!(alter.contains("last passed idle"), "{alter}");
        assert!(alter.contains("tasks conn"), "{alter}");
        assert!(alter.contains("+2 more tasks"), "{alter}");
        insta::assert_snapshot!(format!("alterability_tasks_{w}x{h}"), alter);

        let updates = screen(&state, &mut at(ViewId::Updates), w, h);
        assert!(
            updates.contains("blocked by conn: 7 tasks not at a point — conn#7 last passed"),
            "{updates}"
        );
        assert!(updates.contains("+4 more"), "{updates}");
        insta::assert_snapshot!(format!("updates_tasks_{w}x{h}"), updates);
    }
}

#[test]
fn a_tasks_detail_says_why_it_blocks_the_update() {
    let state = replay("tasks");
    let mut ui = at(ViewId::Threads);
    ui.detail = Some(Detail::Task {
        group: "conn".into(),
        id: 23,
    });
    let text = screen(&state, &mut ui, 80, 24);
    assert!(text.contains("Task conn#23"), "{text}");
    assert!(text.contains("blocks update incr #1"), "{text}");
    assert!(text.contains("this task: none passed yet"), "{text}");
    insta::assert_snapshot!("detail_task_80x24", text);
}

#[test]
fn a_thousand_connection_tasks_draw_only_the_visible_window() {
    let mut state = replay("tasks");
    let text = include_str!("../../../tests/data/tui/tasks.jsonl");
    let last = text
        .lines()
        .rev()
        .find(|l| l.contains("\"state\",\"snapshot\""));
    let ServerMessage::State { mut snapshot } = serde_json::from_str(last.unwrap()).unwrap() else {
        panic!("not a snapshot")
    };
    snapshot.tasks = (1..=1000)
        .map(|id| TaskInfo {
            id,
            group: "conn".into(),
            state: ThreadState::Running,
            last_point: Some("idle".into()),
            main_version: 0,
        })
        .collect();
    state.apply(ServerMessage::State { snapshot });
    let mut ui = at(ViewId::Threads);
    ui.expanded.insert("conn".into());
    ui.tables[ViewId::Threads.index()].bottom();
    let text = screen(&state, &mut ui, 80, 24);
    assert!(text.contains("1002/1002"), "{text}");
    assert!(text.contains("conn#1000"), "{text}");
    assert!(!text.contains("conn#1 "), "{text}");
    assert_eq!(text.lines().filter(|l| l.contains("conn#")).count(), 16);
}
