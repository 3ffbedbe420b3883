//! The tutorial driven with keys and canned news, as plain data: list,
//! statement, start, check my update (fail), reveal and apply the solution
//! (pass, progress recorded), reset, back to the list; the demo's
//! differences; what is refused while a check runs.

use super::hint_pane::HintPane;
use super::report::{Attached, Report};
use super::running::{AppLife, Overlay, Running};
use super::work::{Effect, UpdateChoice, Work};
use super::workshop::{Screen, Workshop};
use crate::tui::feed::Feed;
use crate::tui::fixtures::replay;
use crate::tui::input::Key;
use crate::tui::theme::Theme;
use crate::tui::ui::Tone;
use crate::tutorial::catalog;
use crate::tutorial::check::Verdict;
use crate::tutorial::output_log::OutputLog;
use crate::tutorial::progress::{Outcome, Progress, Status};
use crate::tutorial::workspace::Workspace;

const THEME: Theme = Theme {
    color: false,
    ascii: true,
};

/// A workspace with step1-hello's statement and solution.
fn workspace() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    std::fs::create_dir_all(root.join("assets/tutorial")).unwrap();
    std::fs::write(
        root.join("assets/tutorial/step1-hello.md"),
        "# Hello world\n\nGreet someone else.\n",
    )
    .unwrap();
    let src = root.join("demo-apps/step1-hello/solution/src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        src.join("lib.rs"),
        "fn hello_v2() { println!(\"hello moult\"); }\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("assets/tutorial/hints")).unwrap();
    std::fs::write(
        root.join("assets/tutorial/hints/step1-hello.md"),
        "# Hints\n\n## Hint 1\n\nLook at hot_fn!.\n\n## Hint 2\n\nThen SafeRedefine.\n\n## Hint 3\n\nThe code.\n",
    )
    .unwrap();
    (dir, Workspace { root })
}

fn attached(pid: u32) -> Attached {
    let mut agent = replay("empty").agent.unwrap();
    agent.pid = pid;
    agent.app = "step1-hello".into();
    let output = OutputLog::new();
    output.push("hello world".into());
    Attached {
        pid,
        agent,
        output,
        errors: OutputLog::new(),
    }
}

fn keys(shop: &mut Workshop, keys: &str) -> Vec<Effect> {
    keys.chars()
        .flat_map(|c| shop.key(Key::Char(c), 10))
        .collect()
}

fn running(shop: &Workshop) -> &Running {
    match &shop.screen {
        Screen::Running(r) => r,
        other => panic!("not running: {other:?}"),
    }
}

/// The tutorial on step1-hello, its app started (pid 100).
fn started(ws: Workspace) -> Workshop {
    let mut shop = Workshop::tutorial(ws, Progress::default(), THEME);
    assert!(shop.key(Key::Enter, 10).is_empty());
    let Screen::Statement(statement) = &shop.screen else {
        panic!("no statement: {:?}", shop.screen)
    };
    assert_eq!(statement.exercise.id, "step1-hello");
    assert!(statement.text.contains("Greet someone else."));
    let step1 = catalog::find("step1-hello").unwrap();
    assert_eq!(
        shop.key(Key::Enter, 10),
        [Effect::Own(Work::StartApp(step1))]
    );
    assert!(
        shop.report(Report::StartLine("   Compiling step1-hello".into()))
            .is_empty()
    );
    let Screen::Starting(starting) = &shop.screen else {
        panic!("not starting")
    };
    assert_eq!(starting.log.last(), Some("   Compiling step1-hello"));
    assert_eq!(
        shop.report(Report::Started(attached(100))),
        [Effect::Own(Work::SaveProgress)]
    );
    assert_eq!(shop.progress.status("step1-hello"), Status::Started);
    shop
}

#[test]
fn a_learner_fails_with_the_starter_then_passes_with_the_solution() {
    let (_dir, ws) = workspace();
    let mut shop = started(ws);
    assert_eq!(running(&shop).pid, 100);
    assert_eq!(running(&shop).life, AppLife::Running);

    assert_eq!(
        keys(&mut shop, "u"),
        [Effect::Own(Work::Check(UpdateChoice::Mine))]
    );
    assert_eq!(running(&shop).overlay, Overlay::CheckPane);
    shop.report(Report::CheckStep("applying the update".into()));
    let why = "the library queued no update: its entry returned an empty list\nmore";
    // A failed check is kept too (the leader's view shows it): saved.
    assert_eq!(
        shop.report(Report::CheckDone(Verdict::Fail(why.into()))),
        [Effect::Own(Work::SaveProgress)]
    );
    let check = running(&shop).check.clone().unwrap();
    assert_eq!(check.outcome, Some(Verdict::Fail(why.into())));
    assert_eq!(check.last(), Some("applying the update"));
    assert!(check.lines.back().unwrap().step);
    assert_eq!(shop.progress.status("step1-hello"), Status::Started);
    let (id, last) = shop.progress.last_check().unwrap();
    assert_eq!(id, "step1-hello");
    assert_eq!(
        last.outcome,
        Outcome::Fail {
            why: "the library queued no update: its entry returned an empty list".into()
        }
    );

    shop.key(Key::Esc, 10);
    assert_eq!(running(&shop).overlay, Overlay::None);
    keys(&mut shop, "v");
    let Overlay::Confirm(ask) = &running(&shop).overlay else {
        panic!("reveal asks first")
    };
    assert!(
        ask.question
            .starts_with("Reveal the solution of 1.1 Hello world?")
    );
    keys(&mut shop, "y");
    let Overlay::Solution(solution) = &running(&shop).overlay else {
        panic!("no solution shown")
    };
    assert!(solution.text.contains("hello moult"));
    assert_eq!(
        solution.path.to_str(),
        Some("demo-apps/step1-hello/solution/src/lib.rs")
    );
    assert_eq!(
        keys(&mut shop, "a"),
        [Effect::Own(Work::Check(UpdateChoice::Solution))]
    );
    let pass = Verdict::Pass("the app prints \"hello moult\"".into());
    assert_eq!(
        shop.report(Report::CheckDone(pass)),
        [Effect::Own(Work::SaveProgress)]
    );
    assert!(matches!(
        shop.progress.status("step1-hello"),
        Status::Passed {
            with_solution: true,
            ..
        }
    ));
    let last = shop.progress.last_check().unwrap().1;
    assert_eq!((last.outcome, last.with_solution), (Outcome::Pass, true));

    shop.key(Key::Esc, 10);
    assert_eq!(keys(&mut shop, "b"), [Effect::Own(Work::StopApp)]);
    assert!(matches!(shop.screen, Screen::List));
    assert_eq!(shop.selected().id, "step1-hello");
    assert_eq!(keys(&mut shop, "q"), [Effect::Quit]);
}

#[test]
fn a_running_check_holds_reset_and_back_and_a_second_check() {
    let (_dir, ws) = workspace();
    let mut shop = started(ws);
    keys(&mut shop, "u");
    shop.key(Key::Esc, 10);
    assert!(keys(&mut shop, "R").is_empty());
    assert!(keys(&mut shop, "b").is_empty());
    assert!(keys(&mut shop, "u").is_empty(), "one check at a time");
    assert_eq!(running(&shop).overlay, Overlay::CheckPane);
    shop.key(Key::Esc, 10);
    let message = running(&shop).console.ui.message.clone();
    assert_eq!(
        message,
        Some((
            Tone::Info,
            "the check goes on; its verdict shows when it ends".into()
        ))
    );
    assert!(matches!(shop.screen, Screen::Running(_)));
}

#[test]
fn reset_asks_then_restarts_and_reattaches_to_the_new_process() {
    let (_dir, ws) = workspace();
    let mut shop = started(ws);
    shop.report(Report::Console(Feed::Reply(Ok("queued".into()))));
    assert!(keys(&mut shop, "R").is_empty());
    assert!(matches!(running(&shop).overlay, Overlay::Confirm(_)));
    assert_eq!(keys(&mut shop, "y"), [Effect::Own(Work::Reset)]);
    assert_eq!(running(&shop).life, AppLife::Restarting);
    assert!(
        keys(&mut shop, "u").is_empty(),
        "no check on a restarting app"
    );
    assert!(shop.report(Report::Started(attached(200))).is_empty());
    let r = running(&shop);
    assert_eq!((r.pid, &r.life), (200, &AppLife::Running));
    assert_eq!(r.console.state.agent.as_ref().unwrap().pid, 200);

    shop.report(Report::AppExited);
    assert_eq!(running(&shop).life, AppLife::Exited);
    assert!(keys(&mut shop, "u").is_empty());
    assert_eq!(
        running(&shop).console.ui.message.as_ref().unwrap().1,
        "the app is not running: R starts it again"
    );
}

#[test]
fn the_demo_starts_at_once_has_no_list_and_quits() {
    let (_dir, ws) = workspace();
    let step1 = catalog::find("step1-hello").unwrap();
    let (mut shop, effects) = Workshop::demo(ws, step1, Progress::default(), THEME);
    assert_eq!(effects, [Effect::Own(Work::StartApp(step1))]);
    assert!(shop.key(Key::Esc, 10).is_empty());
    assert!(
        matches!(shop.screen, Screen::Starting(_)),
        "no statement to go back to"
    );
    shop.report(Report::Started(attached(100)));
    assert!(keys(&mut shop, "b").is_empty());
    assert!(matches!(shop.screen, Screen::Running(_)));
    assert_eq!(keys(&mut shop, "q"), [Effect::Quit]);
}

#[test]
fn an_app_started_for_a_screen_left_since_is_stopped() {
    let (_dir, ws) = workspace();
    let mut shop = Workshop::tutorial(ws, Progress::default(), THEME);
    shop.key(Key::Enter, 10);
    shop.key(Key::Enter, 10);
    shop.key(Key::Esc, 10);
    assert!(matches!(shop.screen, Screen::Statement(_)));
    assert_eq!(
        shop.report(Report::Started(attached(100))),
        [Effect::Own(Work::StopApp)]
    );
    shop.key(Key::Esc, 10);
    assert!(matches!(shop.screen, Screen::List));
    assert!(keys(&mut shop, "?").is_empty());
    assert_eq!(shop.help, Some(0));
    keys(&mut shop, "x");
    assert_eq!(shop.help, None, "a key closes the help");
}

#[test]
fn a_failed_start_shows_why_and_goes_back_to_the_statement() {
    let (_dir, ws) = workspace();
    let mut shop = Workshop::tutorial(ws, Progress::default(), THEME);
    shop.key(Key::Enter, 10);
    shop.key(Key::Enter, 10);
    shop.report(Report::StartFailed(
        "the app step1-hello did not build".into(),
    ));
    let Screen::Starting(starting) = &shop.screen else {
        panic!("not starting")
    };
    assert_eq!(
        starting.log.outcome,
        Some(Verdict::Fail("the app step1-hello did not build".into()))
    );
    shop.key(Key::Esc, 10);
    assert!(matches!(shop.screen, Screen::Statement(_)));
    assert_eq!(shop.progress.status("step1-hello"), Status::NotStarted);
}

fn hint_pane(shop: &Workshop) -> &HintPane {
    match &running(shop).overlay {
        Overlay::Hints(pane) => pane,
        other => panic!("no hints shown: {other:?}"),
    }
}

#[test]
fn h_reveals_the_hints_one_at_a_time_and_progress_counts_them() {
    let (_dir, ws) = workspace();
    let mut shop = started(ws);
    assert_eq!(shop.progress.hints_used("step1-hello"), 0);

    // The first h opens the pane on hint 1: one hint used, saved.
    assert_eq!(keys(&mut shop, "h"), [Effect::Own(Work::SaveProgress)]);
    assert_eq!(hint_pane(&shop).shown, 1);
    assert_eq!(shop.progress.hints_used("step1-hello"), 1);
    // Moving in the pane reveals nothing.
    assert!(shop.key(Key::Down, 10).is_empty());
    assert_eq!(hint_pane(&shop).shown, 1);
    // Closing and opening again shows what was revealed, no more.
    assert!(shop.key(Key::Esc, 10).is_empty());
    assert_eq!(running(&shop).overlay, Overlay::None);
    assert!(keys(&mut shop, "h").is_empty(), "nothing new to record");
    assert_eq!(hint_pane(&shop).shown, 1);
    // h in the pane: the next one, each recorded.
    assert_eq!(keys(&mut shop, "h"), [Effect::Own(Work::SaveProgress)]);
    assert_eq!(hint_pane(&shop).shown, 2);
    assert_eq!(shop.progress.hints_used("step1-hello"), 2);
    assert_eq!(keys(&mut shop, "h"), [Effect::Own(Work::SaveProgress)]);
    assert_eq!(shop.progress.hints_used("step1-hello"), 3);
    // None past the last: the solution is what is left.
    assert!(keys(&mut shop, "h").is_empty());
    assert_eq!(hint_pane(&shop).shown, 3);
    let message = running(&shop).console.ui.message.clone().unwrap().1;
    assert_eq!(message, "that was the last hint; v shows the solution");
    assert_eq!(shop.progress.hints_used("step1-hello"), 3);
    // Back to the list and into the exercise again: the count is kept.
    shop.key(Key::Esc, 10);
    assert_eq!(keys(&mut shop, "b"), [Effect::Own(Work::StopApp)]);
    shop.key(Key::Enter, 10);
    shop.key(Key::Enter, 10);
    shop.report(Report::Started(attached(101)));
    assert_eq!(running(&shop).hints_used, 3);
    assert!(keys(&mut shop, "h").is_empty());
    assert_eq!(hint_pane(&shop).shown, 3, "all three shown again");
}

#[test]
fn missing_hints_are_reported_not_fatal() {
    let (dir, ws) = workspace();
    std::fs::remove_file(dir.path().join("assets/tutorial/hints/step1-hello.md")).unwrap();
    let mut shop = started(ws);
    assert!(keys(&mut shop, "h").is_empty());
    assert_eq!(running(&shop).overlay, Overlay::None);
    let (tone, text) = running(&shop).console.ui.message.clone().unwrap();
    assert_eq!(tone, Tone::Error);
    assert!(text.starts_with("cannot read the hints"), "{text}");
    assert_eq!(shop.progress.hints_used("step1-hello"), 0);
}
