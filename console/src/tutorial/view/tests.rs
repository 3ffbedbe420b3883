//! The tutorial's screens drawn into a `TestBackend` and compared with insta
//! snapshots: the list with progress, a statement, an app starting (and
//! failing to), the running exercise with its output pane, the check pane
//! with a PASS and a FAIL verdict, the solution; then colours and ASCII.

use moult_protocol::{FunctionInfo, ServerMessage, Snapshot, ThreadActivity};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::draw;
use crate::tui::fixtures::{drawn_text, replay};
use crate::tui::text_scroll::TextScroll;
use crate::tui::theme::Theme;
use crate::tui::work_log::WorkLog;
use crate::tutorial::catalog;
use crate::tutorial::check::Verdict;
use crate::tutorial::hints::Hints;
use crate::tutorial::output_log::OutputLog;
use crate::tutorial::progress::Progress;
use crate::tutorial::screens::hint_pane::HintPane;
use crate::tutorial::screens::report::Attached;
use crate::tutorial::screens::running::{Overlay, Running, Solution};
use crate::tutorial::screens::workshop::{Screen, Starting, Statement, Workshop};
use crate::tutorial::workspace::Workspace;

const UNICODE: Theme = Theme {
    color: true,
    ascii: false,
};

/// The screen as text, one line per row, trailing spaces trimmed.
fn screen(shop: &mut Workshop, width: u16, height: u16) -> String {
    drawn_text(width, height, |f| draw(f, shop))
}

fn shop(theme: Theme) -> Workshop {
    let mut progress = Progress::default();
    // 2024-05-01 12:03 UTC.
    progress.passed("step1-hello", 1_714_565_000_999, false);
    progress.hinted("step1-hello", 2);
    progress.started("step1-tictoc", 1_714_565_100_000);
    progress.passed("step1-data", 1_714_565_200_000, true);
    Workshop::tutorial(
        Workspace {
            root: "/w/moult".into(),
        },
        progress,
        theme,
    )
}

const STATEMENT: &str = "# Hello world

The smallest update there is: a running program greets the world every two
seconds, and you make it greet someone else without stopping it.

## Your update

- `hello_v2()`, the new version of `hello`: make it print `hello <your
  name>`;
- the library's entry, `updates()`, which returns **the updates to run**.

```rust
let hello = moult::hot_fn!(step1_hello::hello)?;
```
";

/// The app's state: `hello` at v0, called on main.
fn hello_snapshot() -> ServerMessage {
    let mut agent = replay("empty").agent.unwrap();
    agent.app = "step1-hello".into();
    agent.pid = 4242;
    ServerMessage::State {
        snapshot: Snapshot {
            agent,
            uptime_ms: 6000,
            tasks: vec![],
            threads: vec![],
            functions: vec![FunctionInfo {
                name: "step1_hello::hello".into(),
                signature: "fn()".into(),
                version: 0,
                threads: vec![ThreadActivity {
                    thread: "main".into(),
                    active: 0,
                    calls: 3,
                }],
                gated: false,
                health: Vec::new(),
                source: None,
            }],
            classes: vec![],
            updates: vec![],
            next_event: 0,
            connections: 1,
            dropped_subscribers: 0,
        },
    }
}

/// The tutorial on a running step1-hello that printed a few lines.
fn running_shop(theme: Theme) -> Workshop {
    running_shop_of(theme, "step1-hello")
}

/// [`running_shop`] with exercise `id` (its title in panes), over the same
/// app.
fn running_shop_of(theme: Theme, id: &str) -> Workshop {
    let mut shop = shop(theme);
    let ServerMessage::State { snapshot } = hello_snapshot() else {
        unreachable!()
    };
    let output = OutputLog::new();
    let errors = OutputLog::new();
    output.push("hello world".into());
    output.push("hello world".into());
    errors.push("step1-hello: a warning on stderr".into());
    output.push("hello world".into());
    let app = Attached {
        pid: 4242,
        agent: snapshot.agent.clone(),
        output,
        errors,
    };
    let exercise = catalog::find(id).unwrap();
    let mut running = Running::new(exercise, true, app, theme, "/w/moult".into());
    running.console.state.apply(hello_snapshot());
    running.console.ui.view = crate::tui::view_id::ViewId::Functions;
    shop.screen = Screen::Running(Box::new(running));
    shop
}

fn with_running(shop: &mut Workshop, f: impl FnOnce(&mut Running)) {
    match &mut shop.screen {
        Screen::Running(r) => f(r),
        _ => unreachable!(),
    }
}

fn check(verdict: Option<Verdict>) -> WorkLog {
    let mut log = WorkLog::new(
        "Check 1.1 Hello world: your update (starter/)",
        "building your update (starter/)",
    );
    log.line("   Compiling step1-hello-starter v0.1.0 (/w/moult/demo-apps/step1-hello/starter)");
    log.line("    Finished `dev` profile [unoptimized + debuginfo] target(s) in 0.61s");
    log.step("watching version 0 of the app");
    log.step("version 0 behaves as the statement says");
    log.step("applying the update");
    if let Some(verdict) = verdict {
        log.finish(verdict);
    }
    log
}

#[test]
fn the_list_shows_every_exercise_with_progress() {
    let mut shop = shop(UNICODE);
    let text = screen(&mut shop, 80, 24);
    insta::assert_snapshot!("list_80x24", text);
    assert!(text.contains("passed 2024-05-01 12:03 UTC"), "{text}");
    let wide = screen(&mut shop, 120, 40);
    insta::assert_snapshot!("list_120x40", wide);
    assert!(wide.contains("4.2  Web server"), "{wide}");
}

#[test]
fn a_statement_reads_as_wrapped_text_with_headings() {
    let mut shop = shop(UNICODE);
    shop.screen = Screen::Statement(Statement {
        exercise: catalog::find("step1-hello").unwrap(),
        text: STATEMENT.into(),
        scroll: TextScroll::default(),
    });
    let text = screen(&mut shop, 80, 24);
    insta::assert_snapshot!("statement", text);
    assert!(
        !text.contains("# Hello"),
        "headings lose their marks: {text}"
    );
    assert!(!text.contains('`'), "{text}");
}

#[test]
fn an_app_starting_then_failing_to() {
    let mut shop = shop(UNICODE);
    let mut log = WorkLog::new(
        "Starting 1.1 Hello world",
        "building the app step1-hello with cargo (in /w/moult)",
    );
    log.line("   Compiling step1-hello v0.1.0 (/w/moult/demo-apps/step1-hello/app)");
    log.line("error[E0425]: cannot find function `hullo` in this scope");
    shop.screen = Screen::Starting(Starting {
        exercise: catalog::find("step1-hello").unwrap(),
        log: log.clone(),
    });
    insta::assert_snapshot!("starting", screen(&mut shop, 80, 24));
    log.finish(Verdict::Fail(
        "the app step1-hello did not build: build failed: cargo exited with code 101 (its errors are above)".into(),
    ));
    shop.screen = Screen::Starting(Starting {
        exercise: catalog::find("step1-hello").unwrap(),
        log,
    });
    let text = screen(&mut shop, 80, 24);
    insta::assert_snapshot!("starting_failed", text);
    assert!(text.contains("COULD NOT START"), "{text}");
}

#[test]
fn the_running_exercise_shows_the_view_and_the_output_pane() {
    let mut shop = running_shop(UNICODE);
    let text = screen(&mut shop, 80, 24);
    insta::assert_snapshot!("running_80x24", text);
    assert!(text.contains("step1_hello::hello"), "{text}");
    assert!(
        text.contains("! step1-hello: a warning on stderr"),
        "{text}"
    );
    insta::assert_snapshot!("running_120x40", screen(&mut shop, 120, 40));
    with_running(&mut shop, |r| r.zoom = true);
    insta::assert_snapshot!("output_zoomed", screen(&mut shop, 80, 24));
}

#[test]
fn the_check_pane_shows_its_steps_then_the_verdict() {
    let mut shop = running_shop(UNICODE);
    with_running(&mut shop, |r| {
        r.check = Some(check(None));
        r.overlay = Overlay::CheckPane;
    });
    insta::assert_snapshot!("check_running", screen(&mut shop, 80, 24));
    with_running(&mut shop, |r| {
        r.check = Some(check(Some(Verdict::Fail(
            "the library queued no update: its entry returned an empty list (the TODOs are not done yet?)".into(),
        ))));
    });
    let fail = screen(&mut shop, 80, 24);
    insta::assert_snapshot!("check_fail", fail);
    assert!(
        fail.contains(" FAIL  the library queued no update"),
        "{fail}"
    );
    assert!(
        fail.contains("Output of"),
        "a short verdict leaves the output in sight"
    );
    with_running(&mut shop, |r| {
        r.check = Some(check(Some(Verdict::Fail(
            "before the update: no `hello world` within 12s (the app is running); its last lines:\n  | hello moult\n  | hello moult\n  | hello moult\n  | hello moult\n  | hello moult\n  | hello moult\nIf an update was applied to this app already, reset it (R) and apply again.".into(),
        ))));
    });
    let long = screen(&mut shop, 80, 24);
    insta::assert_snapshot!("check_fail_long", long);
    assert!(
        !long.contains("Output of"),
        "a long verdict takes the room: {long}"
    );
    assert!(long.contains("reset it (R) and apply"), "{long}");
    with_running(&mut shop, |r| {
        r.check = Some(check(Some(Verdict::Pass(
            "the app prints \"hello moult\" (hello at version 1)".into(),
        ))));
    });
    let pass = screen(&mut shop, 120, 40);
    insta::assert_snapshot!("check_pass_120x40", pass);
    assert!(
        pass.contains(" PASS  the app prints \"hello moult\""),
        "{pass}"
    );
    assert!(
        pass.contains("hello world"),
        "the output stays in sight: {pass}"
    );
}

#[test]
fn the_solution_is_shown_over_the_exercise() {
    let mut shop = running_shop(UNICODE);
    with_running(&mut shop, |r| {
        r.overlay = Overlay::Solution(Solution {
            path: "demo-apps/step1-hello/solution/src/lib.rs".into(),
            text: "pub fn hello_v2() {\n    println!(\"hello moult\");\n}\n".into(),
            scroll: TextScroll::default(),
        });
    });
    insta::assert_snapshot!("solution", screen(&mut shop, 80, 24));
}

#[test]
fn each_hint_level_is_shown_over_the_exercise_one_more_at_a_time() {
    let hints = Hints::parse(include_str!(
        "../../../../assets/tutorial/hints/step1-hello.md"
    ))
    .unwrap();
    assert_eq!(hints.len(), 3);
    let mut shop = running_shop(UNICODE);
    with_running(&mut shop, |r| {
        r.overlay = Overlay::Hints(HintPane::open(hints.clone(), 0));
    });
    let first = screen(&mut shop, 80, 24);
    insta::assert_snapshot!("hint_1_of_3", first);
    assert!(
        first.contains("Hints for 1.1 Hello world · 1 of 3 revealed"),
        "{first}"
    );
    assert!(first.contains("h next hint"), "{first}");
    assert!(!first.contains("Hint 2"), "{first}");
    with_running(&mut shop, |r| {
        let Overlay::Hints(pane) = &mut r.overlay else {
            unreachable!()
        };
        assert_eq!(pane.reveal_next(), Some(2));
    });
    let second = screen(&mut shop, 80, 24);
    insta::assert_snapshot!("hint_2_of_3", second);
    assert!(second.contains("2 of 3 revealed"), "{second}");
    with_running(&mut shop, |r| {
        let Overlay::Hints(pane) = &mut r.overlay else {
            unreachable!()
        };
        assert_eq!(pane.reveal_next(), Some(3));
        assert_eq!(pane.reveal_next(), None, "three hints, no fourth");
    });
    let third = screen(&mut shop, 80, 40);
    insta::assert_snapshot!("hint_3_of_3", third);
    assert!(
        third.contains("SafeRedefine::new(hello, hello_v2 as fn())"),
        "{third}"
    );
    assert!(third.contains("That was the last hint"), "{third}");
}

#[test]
fn the_async_kv_hints_are_shown_one_level_at_a_time() {
    let hints = Hints::parse(include_str!(
        "../../../../assets/tutorial/hints/step5-async-kv.md"
    ))
    .unwrap();
    assert_eq!(hints.len(), 3);
    let mut shop = running_shop_of(UNICODE, "step5-async-kv");
    with_running(&mut shop, |r| {
        r.overlay = Overlay::Hints(HintPane::open(hints.clone(), 0));
    });
    // What each level adds: the pieces, then the calls, then the code.
    let news = [
        "kv_server::commands::execute",
        "db.update(key, |slot| ...)",
        "pub async fn fallback_v1(db: &Keyspace, args: &[Vec<u8>]) -> Reply {",
    ];
    for (level, news) in (1..=3).zip(news) {
        if level > 1 {
            with_running(&mut shop, |r| {
                let Overlay::Hints(pane) = &mut r.overlay else {
                    unreachable!()
                };
                assert_eq!(pane.reveal_next(), Some(level));
            });
        }
        let text = screen(&mut shop, 100, 50);
        insta::assert_snapshot!(format!("async_kv_hint_{level}_of_3"), text);
        assert!(
            text.contains(&format!(
                "Hints for 5.2 A command for a live async server · {level} of 3 revealed"
            )),
            "{text}"
        );
        assert!(text.contains(news), "hint {level} shows {news:?}:\n{text}");
        let next = format!("Hint {}", level + 1);
        assert!(!text.contains(&next), "{next} is not shown yet:\n{text}");
    }
}

#[test]
fn no_color_and_ascii_hold_on_every_screen() {
    let plain = Theme {
        color: false,
        ascii: true,
    };
    let mut screens = vec![shop(plain), running_shop(plain)];
    let mut checked = running_shop(plain);
    with_running(&mut checked, |r| {
        r.check = Some(check(Some(Verdict::Fail("no".into()))));
        r.overlay = Overlay::CheckPane;
    });
    screens.push(checked);
    let mut hinted = running_shop(plain);
    with_running(&mut hinted, |r| {
        let hints = Hints::parse("## Hint 1\n\nUse `a`.\n\n## Hint 2\n\nb\n").unwrap();
        r.overlay = Overlay::Hints(HintPane::open(hints, 2));
    });
    screens.push(hinted);
    for mut shop in screens {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal.draw(|f| draw(f, &mut shop)).unwrap();
        for cell in terminal.backend().buffer().content() {
            assert_eq!(
                (cell.fg, cell.bg),
                (ratatui::style::Color::Reset, ratatui::style::Color::Reset),
                "{cell:?}"
            );
        }
        let text = screen(&mut shop, 80, 24);
        assert!(text.is_ascii(), "{text}");
    }
}
