//! The leader's view: learners at different exercises with hints used, one
//! whose last check failed (the reason in the footer when selected), what a
//! learner's report reads as, and the keys (read-only by default).

use super::learner::Learner;
use super::report::{LearnerReport, RunningApp};
use super::roster;
use super::screen::WorkshopScreen;
use crate::live_targets::fixtures::{THEME, member, screen_text};
use crate::live_targets::screen::{LiveScreen, OpenConsole};
use crate::live_targets::{News, Report};
use crate::target::Target;
use crate::tui::effect::Effect;
use crate::tui::input::Key;
use crate::tui::shell::Screen;
use crate::tutorial::progress::{CheckResult, Outcome, Progress};

/// 2024-05-01 12:03 UTC.
const T0: u64 = 1_714_564_980_000;

fn alice() -> LearnerReport {
    let mut p = Progress::default();
    p.passed("step1-hello", T0, false);
    p.passed("step1-tictoc", T0 + 60_000, true);
    p.started("step1-data", T0 + 120_000);
    p.hinted("step1-tictoc", 3);
    p.hinted("step1-data", 1);
    LearnerReport {
        file: Some("/home/alice/.local/state/moult/tutorial.json".into()),
        progress: p,
        problem: None,
        apps: vec![RunningApp {
            app: "step1-data".into(),
            pid: 5101,
            started_unix_ms: T0 + 120_000,
        }],
    }
}

/// Why Bob's check failed, as the step1-hello check says it.
const BOB_WHY: &str = "no line \"hello moult\" within 5s (the app is running); its last lines";

fn bob() -> LearnerReport {
    let mut p = Progress::default();
    p.started("step1-hello", T0);
    p.hinted("step1-hello", 2);
    // 12:07: his update still prints the old greeting.
    let why = BOB_WHY.to_string();
    p.checked("step1-hello", T0 + 240_000, false, Outcome::Fail { why });
    LearnerReport {
        progress: p,
        ..LearnerReport::default()
    }
}

fn room() -> WorkshopScreen {
    WorkshopScreen::new(
        vec![
            member("ssh://alice@pc1/tutorial"),
            member("ssh://bob@pc2/tutorial"),
            member("ssh://carol@pc3/tutorial"),
        ],
        false,
        THEME,
    )
}

fn tell(screen: &mut WorkshopScreen, index: usize, news: News) {
    screen.report(Report { index, news });
}

fn output(report: &LearnerReport) -> News {
    News::Output(serde_json::to_string(report).unwrap())
}

#[test]
fn a_learner_is_on_the_exercise_whose_app_runs_else_the_last_one_touched() {
    let a = Learner::of(&alice());
    assert_eq!(a.current.as_deref(), Some("step1-data"));
    assert!(!a.current_passed);
    assert_eq!(a.passed.0, 2);
    // Alice's passes were recorded without their checks (as an older
    // console did): the newest pass is her last check.
    let pass = CheckResult {
        at_ms: T0 + 60_000,
        with_solution: true,
        outcome: Outcome::Pass,
    };
    assert_eq!(a.last_check, Some(("step1-tictoc".into(), pass)));
    assert_eq!((a.hints_here, a.hints_total), (1, 4));
    assert_eq!(a.app.as_ref().map(|a| a.pid), Some(5101));

    let b = Learner::of(&bob());
    assert_eq!(b.current.as_deref(), Some("step1-hello"));
    assert_eq!((b.passed.0, b.hints_here), (0, 2));
    let fail = CheckResult {
        at_ms: T0 + 240_000,
        with_solution: false,
        outcome: Outcome::Fail {
            why: BOB_WHY.into(),
        },
    };
    assert_eq!(b.last_check, Some(("step1-hello".into(), fail)));
    assert!(!b.current_passed);
    assert_eq!(b.app, None);

    // A non-exercise app is not the exercise.
    let mut other = bob();
    other.apps.push(RunningApp {
        app: "my-own-app".into(),
        pid: 9,
        started_unix_ms: T0 + 1,
    });
    assert_eq!(Learner::of(&other).app, None);
}

#[test]
fn learners_at_different_exercises_with_hints_used() {
    let mut w = room();
    tell(&mut w, 0, output(&alice()));
    tell(&mut w, 1, output(&bob()));
    tell(
        &mut w,
        2,
        News::Unreachable("pc3: ssh: Could not resolve hostname pc3".into()),
    );
    insta::assert_snapshot!(screen_text(&mut w, 140, 12));
}

#[test]
fn a_learner_whose_last_check_failed_has_the_reason_in_the_footer_when_selected() {
    let mut w = room();
    tell(&mut w, 0, output(&alice()));
    tell(&mut w, 1, output(&bob()));
    // Back from Alice's app: that message goes once Bob is selected.
    w.say(
        crate::tui::ui::Tone::Info,
        "back from pid 5101 on alice@pc1".into(),
    );
    w.key(Key::Char('j'), 10);
    let text = screen_text(&mut w, 140, 12);
    assert!(!text.contains("back from"), "{text}");
    let footer = text.lines().rev().nth(1).unwrap();
    assert!(
        footer.contains(&format!("bob@pc2 FAIL step1-hello 12:07: {BOB_WHY}")),
        "{text}"
    );
    insta::assert_snapshot!(text);
    // Alice's last check passed: the footer says what Enter does.
    w.key(Key::Char('k'), 10);
    let text = screen_text(&mut w, 140, 12);
    assert!(!text.contains(BOB_WHY), "{text}");
    assert!(text.contains("attaches read-only"), "{text}");
}

#[test]
fn learners_connecting() {
    insta::assert_snapshot!(screen_text(&mut room(), 140, 12));
}

#[test]
fn a_reply_that_is_no_report_says_so_in_the_row() {
    let mut w = room();
    tell(&mut w, 0, News::Output("usage: moult-console ...".into()));
    assert!(matches!(&w.learners[0], Some(Err(why)) if why.contains("said no report")));
}

#[test]
fn enter_attaches_read_only_to_the_learners_app_unless_allowed() {
    let mut w = room();
    tell(&mut w, 0, output(&alice()));
    tell(&mut w, 1, output(&bob()));
    let first = OpenConsole {
        index: 0,
        allow_actions: false,
    };
    assert_eq!(w.key(Key::Enter, 10), vec![Effect::Own(first.clone())]);
    assert_eq!(
        w.console_route(&first).unwrap().target(),
        &Target::Pid(5101)
    );
    assert!(
        w.read_only_reason().contains("press a"),
        "{}",
        w.read_only_reason()
    );

    w.key(Key::Char('j'), 10);
    let second = OpenConsole {
        index: 1,
        allow_actions: false,
    };
    let why = w.console_route(&second).unwrap_err();
    assert!(why.contains("runs no exercise app"), "{why}");
    w.key(Key::Char('a'), 10);
    assert_eq!(
        w.key(Key::Enter, 10),
        vec![Effect::Own(OpenConsole {
            index: 1,
            allow_actions: true
        })]
    );
    let three = OpenConsole {
        index: 2,
        allow_actions: true,
    };
    assert!(
        w.console_route(&three)
            .unwrap_err()
            .contains("not reported")
    );
}

#[test]
fn a_learners_address_needs_no_app() {
    let endpoint = roster::learner_endpoint("ssh://alice@pc1:2222").unwrap();
    assert_eq!(endpoint.to_string(), "app `tutorial` on alice@pc1:2222");
    assert!(roster::learner_endpoint("ssh://alice@pc1/step1-hello").is_ok());
    let dir = std::path::Path::new("/run/moult");
    let options = crate::remote::RemoteOptions::default();
    let local = roster::members(&["step1-hello".into()], None, &[], dir, &options);
    assert!(local.unwrap_err().contains("over ssh"));
    assert!(
        roster::members(&[], None, &[], dir, &options)
            .unwrap_err()
            .contains("no learners")
    );

    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        file.path(),
        "[groups]\nmorning = [\"ssh://alice@pc1\", \"ssh://bob@pc2\"]\nevening = [\"ssh://carol@pc3\"]\n",
    )
    .unwrap();
    let names = |groups: &[String]| -> Vec<String> {
        roster::members(
            &["ssh://alice@pc1".into()],
            Some(file.path()),
            groups,
            dir,
            &options,
        )
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect()
    };
    assert_eq!(
        names(&[]),
        ["ssh://alice@pc1", "ssh://carol@pc3", "ssh://bob@pc2"]
    );
    assert_eq!(
        names(&["morning".into()]),
        ["ssh://alice@pc1", "ssh://bob@pc2"]
    );
}
