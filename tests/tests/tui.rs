//! `moult-console attach` as an operator uses it: the real console in a
//! tmux terminal of 120×40, attached to a real app, driven with keys and
//! read from the screen.
//!
//! 1. step1-hello: stage the tutorial's solution crate from the path
//!    prompt; the console builds it, applies it, and shows
//!    `step1_hello::hello` at v1 while the app prints `hello moult`.
//! 2. The e2e app with a busy caller: an update that cannot reach
//!    alterability shows the blocking thread and function, is postponed,
//!    then aborted, with keys.
//! 3. Attached by app name, the console outlives the app (detached, last
//!    state kept) and reattaches to it when it starts again with a new pid.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use moult_e2e::{App, Demo, Tmux, all_in, build, library_path, line_of, workspace_root};
use moult_protocol::discovery;

/// Builds the console on its own; returns the bin dir.
fn bin_dir() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| build(&["moult-console"])).clone()
}

/// Starts `moult-console attach <pid>` in tmux, pointed at `runtime_dir`,
/// from the workspace root (where the stage prompt starts).
fn attach(pid: u32, runtime_dir: &Path) -> Tmux {
    attach_to(&pid.to_string(), runtime_dir)
}

/// Starts `moult-console attach <target>` (a pid or an app name) in tmux.
fn attach_to(target: &str, runtime_dir: &Path) -> Tmux {
    let console = bin_dir().join("moult-console");
    Tmux::start(
        &console,
        &["attach", target],
        &workspace_root(),
        &[(discovery::DIR_ENV, runtime_dir.to_str().unwrap())],
        (120, 40),
    )
}

/// The Updates table's row of update `id` named `name`.
fn update_row<'a>(screen: &'a str, id: u64, name: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(name) && l.trim_start_matches('│').starts_with(&format!("{id} ")))
        .unwrap_or_else(|| panic!("no row for update {name} #{id}:\n{screen}"))
}

const SHORT: Duration = Duration::from_secs(20);
/// Building the solution crate may compile moult first.
const BUILD: Duration = Duration::from_secs(600);

#[test]
fn the_step1_solution_is_staged_built_and_applied_with_keys() {
    let app = build(&["step1-hello"]).join("step1-hello");
    let mut demo = Demo::start(&app);
    all_in(&demo.fresh_lines(5), &["hello world"]);
    let tui = attach(demo.pid(), &demo.runtime_dir);
    tui.wait_text(&format!("step1-hello pid {}", demo.pid()), SHORT);
    tui.wait_text("connected", SHORT);

    tui.keys(&["2"]);
    let screen = tui.wait_text("step1_hello::hello", SHORT);
    assert!(
        line_of(&screen, "step1_hello::hello").contains(" v0 "),
        "{screen}"
    );

    tui.keys(&["a"]);
    tui.wait_text("Stage an update", SHORT);
    tui.type_text("demo-apps/step1-hello/solution");
    tui.keys(&["Enter"]);
    tui.wait_text("Build the update crate", SHORT);
    tui.keys(&["y"]);
    let screen = tui.wait_for("step1_hello::hello at v1", BUILD, |s| {
        s.lines()
            .any(|l| l.contains("step1_hello::hello") && l.contains(" v1 "))
    });
    assert!(screen.contains("connected"), "{screen}");
    all_in(&demo.fresh_lines(10), &["hello moult"]);

    tui.keys(&["4"]);
    let screen = tui.wait_text("Lifecycle:", SHORT);
    let row = update_row(&screen, 1, "redefine step1_hello::hello");
    assert!(row.contains("applied"), "{screen}");
    assert!(screen.contains("staged"), "the journal: {screen}");

    tui.keys(&["q"]);
    tui.wait_for("the console to quit", SHORT, |_| !tui.running());
}

#[test]
fn an_update_blocked_by_a_busy_thread_shows_its_blocker_and_is_postponed_then_aborted() {
    let bin = build(&["e2e-app", "upd-stuck"]);
    let mut app = App::start(&bin.join("e2e-app"));
    assert_eq!(app.ask("busy on"), "busy on");
    let tui = attach(app.pid(), &app.runtime_dir);
    tui.wait_text("connected", SHORT);

    tui.keys(&["a"]);
    tui.wait_text("Stage an update", SHORT);
    tui.type_text(library_path("upd-stuck").to_str().unwrap());
    tui.keys(&["Enter"]);
    tui.wait_text("Stage and apply", SHORT);
    tui.keys(&["y"]);

    tui.keys(&["5"]);
    let screen = tui.wait_text("busy-caller", SHORT);
    let blocker = line_of(&screen, "busy-caller");
    assert!(blocker.contains("e2e_app::busy"), "{screen}");
    assert!(
        screen.contains("blocked by busy-caller in e2e_app::busy (depth 1)"),
        "{screen}"
    );

    tui.keys(&["4", "P"]);
    tui.wait_text("Postpone update stuck busy #1?", SHORT);
    tui.keys(&["y"]);
    let screen = tui.wait_text("postponed by operator", SHORT);
    assert!(
        update_row(&screen, 1, "stuck busy").contains("(last: postponed)"),
        "{screen}"
    );

    tui.keys(&["x"]);
    tui.wait_text("Abort update stuck busy #1?", SHORT);
    tui.keys(&["y"]);
    let screen = tui.wait_text("aborted: aborted by operator", SHORT);
    assert!(
        update_row(&screen, 1, "stuck busy").contains("done"),
        "{screen}"
    );

    // Every hold was released: the app goes on as before.
    assert_eq!(app.ask("busy off"), "busy off");
    assert_eq!(app.ask("greet"), "greet hello world");
    assert_eq!(app.ask("version e2e_app::busy"), "version 0");
    tui.keys(&["q"]);
    tui.wait_for("the console to quit", SHORT, |_| !tui.running());
}

#[test]
fn the_console_outlives_the_app_and_reattaches_when_it_comes_back() {
    let app = build(&["step1-hello"]).join("step1-hello");
    let first = Demo::start(&app);
    let runtime_dir = first.runtime_dir.clone();
    let tui = attach_to("step1-hello", &runtime_dir);
    tui.wait_text(&format!("step1-hello pid {}", first.pid()), SHORT);
    tui.keys(&["2"]);
    tui.wait_text("step1_hello::hello", SHORT);

    let old_pid = first.pid();
    drop(first);
    let screen = tui.wait_text("detached", SHORT);
    assert!(
        screen.contains(&format!("step1-hello exited (pid {old_pid} is gone)")),
        "{screen}"
    );
    assert!(
        screen.contains("step1_hello::hello"),
        "the last state stays: {screen}"
    );
    assert!(tui.running(), "the console does not quit with the app");

    let second = Demo::start_in(&app, runtime_dir);
    let screen = tui.wait_text(&format!("step1-hello pid {}", second.pid()), SHORT);
    assert!(screen.contains("connected"), "{screen}");
    tui.wait_text("step1_hello::hello", SHORT);
    tui.keys(&["q"]);
    tui.wait_for("the console to quit", SHORT, |_| !tui.running());
}

#[test]
fn an_applied_update_is_reverted_from_the_updates_view() {
    let bin = build(&["e2e-app", "upd-panicky"]);
    let mut app = App::start(&bin.join("e2e-app"));
    assert_eq!(
        app.apply("upd-panicky"),
        [r#"outcome {"outcome":"applied"}"#]
    );
    assert_eq!(app.ask("compute 1"), "compute 101");
    let tui = attach(app.pid(), &app.runtime_dir);
    tui.wait_text("connected", SHORT);

    tui.keys(&["4"]);
    let screen = tui.wait_text("applied (revertible)", SHORT);
    assert!(
        update_row(&screen, 1, "compute v2").contains("applied (revertible)"),
        "{screen}"
    );
    tui.keys(&["z"]);
    tui.wait_text("Revert update compute v2 #1?", SHORT);
    tui.keys(&["y"]);
    let screen = tui.wait_text("reverted by #2", SHORT);
    assert!(
        update_row(&screen, 2, "revert #1 (compute v2)").contains("applied"),
        "{screen}"
    );
    // The function's version went back.
    tui.keys(&["2"]);
    let screen = tui.wait_for("compute back at v0", SHORT, |s| {
        s.lines()
            .any(|l| l.contains("e2e_app::compute") && l.contains(" v0 "))
    });
    assert!(
        line_of(&screen, "e2e_app::compute").contains(" v0 "),
        "{screen}"
    );
    assert_eq!(app.ask("version e2e_app::compute"), "version 0");
    assert_eq!(app.ask("compute 1"), "compute 2");
    tui.keys(&["q"]);
    tui.wait_for("the console to quit", SHORT, |_| !tui.running());
}
