//! Every view drawn into a `TestBackend` from canned protocol transcripts
//! replayed through the real state module, and compared with insta
//! snapshots: empty, busy, blocked on alterability, rolled back, detached.

use moult_protocol::{FunctionInfo, ServerMessage, Snapshot, ThreadActivity};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;
use crate::tui::fixtures::{drawn_text, replay};
use crate::tui::input::help_lines;
use crate::tui::state::AppState;
use crate::tui::theme::Theme;
use crate::tui::ui::{Confirm, Detail, Pending, Ui};

const UNICODE: Theme = Theme {
    color: true,
    ascii: false,
};

/// The screen as text, one line per row, trailing spaces trimmed.
pub(super) fn screen(state: &AppState, ui: &mut Ui, width: u16, height: u16) -> String {
    drawn_text(width, height, |f| draw(f, state, ui))
}

/// The console at `view`, in colour and Unicode.
pub(super) fn at(view: ViewId) -> Ui {
    let mut ui = Ui::new(UNICODE);
    ui.view = view;
    ui
}

const SCENARIOS: [&str; 5] = ["empty", "busy", "blocked", "rolled_back", "detached"];

#[test]
fn every_view_in_every_state_at_80x24() {
    for scenario in SCENARIOS {
        let state = replay(scenario);
        for view in ViewId::ALL {
            let text = screen(&state, &mut at(view), 80, 24);
            insta::assert_snapshot!(format!("{}_{scenario}", view.title().to_lowercase()), text);
        }
    }
}

#[test]
fn a_blocked_update_names_its_blocking_thread_function_and_depth() {
    let state = replay("blocked");
    let text = screen(&state, &mut at(ViewId::Alterability), 80, 24);
    assert!(text.contains("busy-caller"), "{text}");
    assert!(text.contains("e2e_app::busy"), "{text}");
    assert!(text.contains("r1 3/600"), "{text}");
    let header = text.lines().nth(2).unwrap();
    assert!(
        header.contains("alterability 3/600, blocked by busy-caller in e2e_app::busy"),
        "{header}"
    );
}

#[test]
fn a_rolled_back_update_shows_its_reason_and_what_was_undone() {
    let state = replay("rolled_back");
    let text = screen(&state, &mut at(ViewId::Updates), 80, 24);
    assert!(
        text.contains("rolled back: apply failed: panicked"),
        "{text}"
    );
    assert!(
        text.contains("undid function step2_fibonacci::sum back to v0"),
        "{text}"
    );
    assert!(text.contains("[apply x]"), "{text}");
}

#[test]
fn a_detached_app_says_so_and_keeps_its_last_state() {
    let state = replay("detached");
    let text = screen(&state, &mut at(ViewId::Functions), 80, 24);
    assert!(text.lines().next().unwrap().contains("detached"), "{text}");
    assert!(text.contains("detached: the app exited"), "{text}");
    assert!(text.contains("e2e_app::busy"), "{text}");
}

#[test]
fn details_of_a_thread_a_function_a_class_and_an_update() {
    let cases = [
        ("busy", Detail::Thread("printer".into())),
        ("blocked", Detail::Function("e2e_app::busy".into())),
        ("busy", Detail::Class("step2_series::Integer".into())),
        ("rolled_back", Detail::Update(1)),
        ("blocked", Detail::Update(1)),
        ("empty", Detail::Thread("gone".into())),
    ];
    for (i, (scenario, detail)) in cases.into_iter().enumerate() {
        let state = replay(scenario);
        let mut ui = at(ViewId::Threads);
        ui.detail = Some(detail);
        insta::assert_snapshot!(
            format!("detail_{i}_{scenario}"),
            screen(&state, &mut ui, 80, 24)
        );
    }
}

#[test]
fn help_and_prompts_over_the_view() {
    let state = replay("blocked");
    let mut ui = at(ViewId::Updates);
    ui.mode = Mode::Help(0);
    insta::assert_snapshot!("help", screen(&state, &mut ui, 80, 24));
    ui.mode = Mode::Confirm(Confirm {
        question: "Abort update blocked busy #1?".into(),
        action: Pending::Abort(1),
    });
    insta::assert_snapshot!("confirm_abort", screen(&state, &mut ui, 80, 24));
    let mut picker = crate::tui::picker::Picker::new("tests/data".into());
    picker.down();
    ui.mode = Mode::Picker(picker);
    insta::assert_snapshot!("stage_picker", screen(&state, &mut ui, 80, 24));
}

#[test]
fn no_color_draws_every_cell_in_the_terminal_default_colours() {
    let state = replay("blocked");
    for view in ViewId::ALL {
        let mut ui = at(view);
        ui.theme = Theme::with(false, Some("1".into()));
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal.draw(|f| draw(f, &state, &mut ui)).unwrap();
        let buffer = terminal.backend().buffer();
        for cell in buffer.content() {
            assert_eq!(
                (cell.fg, cell.bg),
                (ratatui::style::Color::Reset, ratatui::style::Color::Reset),
                "{view:?}: {cell:?}"
            );
        }
    }
    // And with colours, some are used.
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|f| draw(f, &state, &mut at(ViewId::Alterability)))
        .unwrap();
    assert!(
        terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .any(|c| c.fg != ratatui::style::Color::Reset)
    );
}

#[test]
fn ascii_mode_draws_no_unicode_and_scales_up() {
    let state = replay("busy");
    let mut ui = at(ViewId::Classes);
    ui.theme = Theme {
        color: false,
        ascii: true,
    };
    let text = screen(&state, &mut ui, 80, 24);
    assert!(text.is_ascii(), "{text}");
    insta::assert_snapshot!("classes_busy_ascii", text);
    let wide = screen(&state, &mut at(ViewId::Functions), 120, 30);
    assert!(wide.contains("step2_series::Serie::show"), "{wide}");
}

/// A snapshot of an app with `n` hot functions `app::f00000`..., each called
/// on one thread.
fn many_functions(n: usize, calls: u64) -> ServerMessage {
    let empty = replay("empty");
    let functions = (0..n)
        .map(|i| FunctionInfo {
            name: format!("app::f{i:05}"),
            signature: "fn()".into(),
            version: (i % 3) as u32,
            threads: vec![ThreadActivity {
                thread: "main".into(),
                active: 0,
                calls: calls * i as u64,
            }],
            gated: false,
            health: Vec::new(),
            source: None,
        })
        .collect();
    ServerMessage::State {
        snapshot: Snapshot {
            agent: empty.agent.clone().unwrap(),
            uptime_ms: 1000 * calls,
            tasks: vec![],
            threads: vec![],
            functions,
            classes: vec![],
            updates: vec![],
            next_event: 0,
            connections: 1,
            dropped_subscribers: 0,
        },
    }
}

#[test]
fn ten_thousand_functions_draw_only_the_visible_window() {
    let mut state = replay("empty");
    state.apply(many_functions(10_000, 1));
    state.apply(many_functions(10_000, 2));
    let mut ui = at(ViewId::Functions);
    let first = screen(&state, &mut ui, 80, 24);
    assert!(first.contains("1/10000"), "{first}");
    assert!(
        first.contains("app::f00000") && first.contains("app::f00015"),
        "{first}"
    );
    assert!(!first.contains("app::f00016"), "{first}");

    // Down into the middle: the window follows, the selected row is last.
    ui.tables[ViewId::Functions.index()].down(5000);
    let middle = screen(&state, &mut ui, 80, 24);
    assert!(middle.contains("5001/10000"), "{middle}");
    let rows: Vec<&str> = middle.lines().filter(|l| l.contains("app::f")).collect();
    assert_eq!(rows.len(), 16, "{middle}");
    assert!(rows[0].contains("app::f04985"), "{middle}");
    assert!(rows[15].contains("app::f05000"), "{middle}");
    // Rate of f05000: it made 5000 more calls in the second second.
    assert!(rows[15].contains("5000"), "{}", rows[15]);

    // Sorted by calls/s, descending, filtered: still a window of rows.
    let nav = &mut ui.tables[ViewId::Functions.index()];
    nav.sort = 3;
    nav.descending = true;
    nav.filter = "f09".into();
    nav.top();
    let sorted = screen(&state, &mut ui, 80, 24);
    assert!(sorted.contains("1/1000"), "{sorted}");
    let rows: Vec<&str> = sorted.lines().filter(|l| l.contains("app::f")).collect();
    assert!(rows[0].contains("app::f09999"), "{sorted}");
    assert!(rows[1].contains("app::f09998"), "{sorted}");
}

#[test]
fn the_help_stops_scrolling_at_its_last_line() {
    // Defect 13: j past the end scrolled the help into blank lines.
    let state = replay("busy");
    let mut ui = at(ViewId::Threads);
    ui.mode = Mode::Help(10_000);
    let text = screen(&state, &mut ui, 80, 24);
    let last = help_lines().last().unwrap().help;
    assert!(
        text.contains(last),
        "the last help line is in sight:\n{text}"
    );
    let Mode::Help(scroll) = ui.mode else {
        panic!("help closed")
    };
    assert!(scroll < 10_000, "the scroll was brought back to the end");
    // One line up from the end moves the text at once (no dead keys).
    let mut up = ui.clone();
    up.mode = Mode::Help(scroll - 1);
    assert_ne!(screen(&state, &mut up, 80, 24), text);
}

#[test]
fn the_footer_reminder_and_the_help_title_come_from_the_key_table() {
    assert_eq!(
        crate::tui::input::reminder(),
        "Enter: details  Tab/1-5: views  s: sort  ?: all keys"
    );
    let state = replay("empty");
    let mut ui = at(ViewId::Threads);
    ui.mode = Mode::Help(0);
    let text = screen(&state, &mut ui, 100, 24);
    assert!(
        text.contains("Keys (Up/k/Down/j scroll  Esc or any other key closes)"),
        "{text}"
    );
}

#[test]
fn a_filter_that_matches_nothing_says_so_not_that_there_is_nothing() {
    // Defect 10: it said "no hot function (mark them #[moult::hot])".
    let state = replay("busy");
    let mut ui = at(ViewId::Functions);
    ui.tables[ViewId::Functions.index()].filter = "zzz".into();
    let text = screen(&state, &mut ui, 80, 24);
    assert!(
        text.contains("no row matches the filter \"zzz\" (Esc clears it)"),
        "{text}"
    );
    assert!(!text.contains("mark them"), "{text}");
}

#[test]
fn a_long_message_wraps_at_80_columns_so_its_hint_is_read_whole() {
    // Defect 7: the hint that fixes the error was only visible at 160 columns.
    let state = replay("busy");
    let mut ui = at(ViewId::Threads);
    let why = crate::update_build::BuildError::NoCdylib(std::path::PathBuf::from(
        "/home/learner/moult/demo-apps/step1-hello/app",
    ));
    ui.say(crate::tui::ui::Tone::Error, why.to_string());
    let text = screen(&state, &mut ui, 80, 24);
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("`[lib] crate-type = [\"cdylib\"]`"), "{text}");
    insta::assert_snapshot!("long_message_80x24", text);
}

#[test]
fn footer_keys_that_do_not_fit_end_with_an_ellipsis() {
    let state = replay("busy");
    let mut ui = at(ViewId::Threads);
    let text = screen(&state, &mut ui, 40, 24);
    let keys = text.lines().last().unwrap();
    assert!(keys.ends_with('…'), "{keys:?}");
}

#[test]
fn the_picker_title_claims_no_row_before_one_is_highlighted() {
    // Defect 8: the title said "Pick 1/2" with no row highlighted.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("upd")).unwrap();
    let state = replay("busy");
    let mut ui = at(ViewId::Threads);
    ui.mode = Mode::Picker(crate::tui::picker::Picker::new(dir.path().to_path_buf()));
    let text = screen(&state, &mut ui, 80, 24);
    assert!(text.contains(" Pick 2 sort"), "{text}");
    let Mode::Picker(picker) = &mut ui.mode else {
        unreachable!()
    };
    picker.down();
    let text = screen(&state, &mut ui, 80, 24);
    assert!(text.contains(" Pick 1/2 sort"), "{text}");
}

#[test]
fn a_failed_build_shows_cargos_last_lines_then_the_verdict_wrapped() {
    let state = replay("busy");
    let mut ui = at(ViewId::Threads);
    let mut log = crate::tui::work_log::WorkLog::new("Building /w/demo/app", "cargo build (debug)");
    log.line("   Compiling app v0.1.0 (/w/demo/app)");
    log.line("    Finished `dev` profile [unoptimized + debuginfo] target(s) in 0.52s");
    let why = crate::update_build::BuildError::NoCdylib("/w/demo/app".into());
    log.finish(crate::tui::work_log::Verdict::Fail(why.to_string()));
    ui.mode = Mode::Build(log);
    let text = screen(&state, &mut ui, 80, 24);
    insta::assert_snapshot!("build_failed_80x24", text);
}

#[test]
fn reverts_watches_and_panics_are_shown_where_an_operator_looks() {
    let state = replay("reverted");
    let updates = screen(&state, &mut at(ViewId::Updates), 120, 40);
    assert!(updates.contains("applied (reverted by #2)"), "{updates}");
    assert!(updates.contains("applied (revertible)"), "{updates}");
    let header = updates.lines().next().unwrap();
    assert!(header.contains("watching handle v3 #3"), "{header}");
    let functions = screen(&state, &mut at(ViewId::Functions), 120, 40);
    let row = functions
        .lines()
        .find(|l| l.contains("my_app::handle"))
        .expect("the function's row");
    assert!(row.contains(" 2 "), "the current version's panics: {row}");
    insta::assert_snapshot!("reverted_updates_120x40", updates);
}
