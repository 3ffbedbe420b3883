//! The fleet view drawn in each state a target can be in, and its keys.

use serde_json::json;

use super::screen::FleetScreen;
use crate::live_targets::fixtures::{THEME, agent, member, screen_text, snapshot};
use crate::live_targets::screen::{LiveScreen, OpenConsole};
use crate::live_targets::{News, Report};
use crate::target::Target;
use crate::tui::effect::Effect;
use crate::tui::input::Key;
use crate::tui::shell::Screen;

fn fleet() -> FleetScreen {
    FleetScreen::new(
        vec![
            member("ssh://ops@web1/step1-hello"),
            member("ssh://ops@web2/step1-hello"),
            member("ssh://ops@db1:2222/store"),
        ],
        THEME,
    )
}

fn tell(screen: &mut FleetScreen, index: usize, news: News) {
    screen.report(Report { index, news });
}

#[test]
fn connecting() {
    insta::assert_snapshot!(screen_text(&mut fleet(), 120, 12));
}

#[test]
fn connected_with_versions_and_one_unreachable() {
    let mut f = fleet();
    let applied = json!([{"id": 1, "name": "hello_v2", "step": "done", "attempts": 1,
                          "outcome": {"outcome": "applied"}}]);
    tell(
        &mut f,
        0,
        News::Snapshot(Box::new(snapshot("step1-hello", 4101, 1, false, applied))),
    );
    let rolled_back = json!([{"id": 1, "name": "hello_v2", "step": "done", "attempts": 1,
                              "outcome": {"outcome": "rolled_back", "reason": "apply panicked"}}]);
    tell(
        &mut f,
        1,
        News::Snapshot(Box::new(snapshot(
            "step1-hello",
            4102,
            0,
            true,
            rolled_back,
        ))),
    );
    tell(
        &mut f,
        2,
        News::Unreachable(
            "db1:2222: ssh: connect to host db1 port 2222: Connection refused".into(),
        ),
    );
    // The unreachable row selected: the footer gives its whole reason.
    f.key(Key::Char('j'), 10);
    f.key(Key::Char('j'), 10);
    insta::assert_snapshot!(screen_text(&mut f, 120, 12));
}

#[test]
fn the_help_lists_the_fleet_keys() {
    let mut f = fleet();
    f.key(Key::Char('?'), 10);
    let text = screen_text(&mut f, 100, 40);
    assert!(text.contains("Keys ("), "{text}");
    let fleet: Vec<_> = crate::tui::input::help_lines()
        .into_iter()
        .filter(|l| l.scope == crate::tui::input::Scope::Fleet)
        .collect();
    assert_eq!(fleet.len(), 1, "{fleet:?}");
    assert_eq!(fleet[0].keys, "Enter");
    f.key(Key::Esc, 10);
    assert_eq!(f.ui.help, None);
}

#[test]
fn enter_opens_the_selected_targets_console_by_pid_once_known() {
    let mut f = fleet();
    assert_eq!(f.key(Key::Char('j'), 10), vec![]);
    let opened = f.key(Key::Enter, 10);
    let open = OpenConsole {
        index: 1,
        allow_actions: true,
    };
    assert_eq!(opened, vec![Effect::Own(open.clone())]);
    assert_eq!(
        f.console_route(&open).unwrap().target(),
        &Target::App("step1-hello".into())
    );
    tell(
        &mut f,
        1,
        News::Connected(Box::new(agent("step1-hello", 4102))),
    );
    assert_eq!(f.console_route(&open).unwrap().target(), &Target::Pid(4102));
    assert_eq!(f.key(Key::Char('q'), 10), vec![Effect::Quit]);
}
