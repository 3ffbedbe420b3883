//! The console survives what happens to terminals and apps in real life,
//! driven in tmux like `tui.rs`:
//!
//! 1. the app is killed (SIGKILL) in the middle of an update that is
//!    waiting for alterability: the console shows it detached, keeps its
//!    last state and still answers keys;
//! 2. the agent's socket file is deleted while the app lives: the open
//!    connection goes on, and the console keeps receiving live state;
//! 3. a resize storm (200 resizes in a row): the console keeps running and
//!    draws at the final size;
//! 4. a panic on the console's UI thread (injected with
//!    `MOULT_CONSOLE_PANIC_AFTER_MS`): the terminal is given back — main
//!    screen, cooked mode with echo — and the panic message is readable;
//!    in `attach` and in the tutorial alike (they run in one shell).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use moult_e2e::{App, Demo, Tmux, build, library_path, workspace_root};
use moult_protocol::discovery;

const SHORT: Duration = Duration::from_secs(20);

/// Builds the console on its own; returns the bin dir.
fn bin_dir() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| build(&["moult-console"])).clone()
}

/// `moult-console attach <pid>` in a 100×30 tmux terminal.
fn attach(pid: u32, runtime_dir: &Path) -> Tmux {
    Tmux::start(
        &bin_dir().join("moult-console"),
        &["attach", &pid.to_string()],
        &workspace_root(),
        &[(discovery::DIR_ENV, runtime_dir.to_str().unwrap())],
        (100, 30),
    )
}

fn step1_hello() -> Demo {
    Demo::start(&build(&["step1-hello"]).join("step1-hello"))
}

#[test]
fn the_app_killed_mid_update_leaves_the_console_detached_and_answering() {
    let bin = build(&["e2e-app", "upd-stuck"]);
    let mut app = App::start(&bin.join("e2e-app"));
    assert_eq!(app.ask("busy on"), "busy on");
    let pid = app.pid();
    let tui = attach(pid, &app.runtime_dir);
    tui.wait_text("connected", SHORT);
    tui.keys(&["a"]);
    tui.wait_text("Stage an update", SHORT);
    tui.type_text(library_path("upd-stuck").to_str().unwrap());
    tui.keys(&["Enter"]);
    tui.wait_text("Stage and apply", SHORT);
    tui.keys(&["y", "5"]);
    tui.wait_text("busy-caller", SHORT);

    // SIGKILL while the update waits for alterability: no goodbye.
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let screen = tui.wait_text("detached", SHORT);
    assert!(screen.contains(&format!("pid {pid} is gone")), "{screen}");
    assert!(tui.running(), "the console outlives the app");
    tui.keys(&["2"]);
    tui.wait_text("e2e_app::busy", SHORT);
    tui.keys(&["q"]);
    tui.wait_for("the console to quit", SHORT, |_| !tui.running());
    drop(app);
}

#[test]
fn a_deleted_socket_file_does_not_cut_the_open_connection() {
    let demo = step1_hello();
    let tui = attach(demo.pid(), &demo.runtime_dir);
    tui.wait_text("connected", SHORT);
    std::fs::remove_file(demo.socket()).expect("delete the agent's socket file");
    // The uptime in the header keeps moving: live state still arrives.
    let uptime = |screen: &str| {
        screen
            .lines()
            .next()
            .and_then(|l| l.split(" up ").nth(1))
            .map(|u| u.trim().to_string())
    };
    let first = uptime(&tui.screen());
    let screen = tui.wait_for("the uptime to move on", SHORT, |s| {
        uptime(s).is_some() && uptime(s) != first
    });
    assert!(screen.contains("connected"), "{screen}");
    tui.keys(&["q"]);
    tui.wait_for("the console to quit", SHORT, |_| !tui.running());
}

#[test]
fn a_resize_storm_leaves_the_console_running_at_the_final_size() {
    let demo = step1_hello();
    let tui = attach(demo.pid(), &demo.runtime_dir);
    tui.wait_text("connected", SHORT);
    for i in 0..200u16 {
        let (w, h) = if i % 2 == 0 {
            (40 + i % 90, 10 + i % 30)
        } else {
            (120, 40)
        };
        tui.resize(w, h);
    }
    tui.resize(90, 26);
    let screen = tui.wait_for("a frame at 90x26", SHORT, |s| {
        s.contains("connected") && s.lines().count() == 26
    });
    assert!(
        screen.lines().all(|l| l.chars().count() <= 90),
        "nothing drawn past the final width:\n{screen}"
    );
    tui.keys(&["2"]);
    tui.wait_text("step1_hello::hello", SHORT);
    tui.keys(&["q"]);
    tui.wait_for("the console to quit", SHORT, |_| !tui.running());
}

#[test]
fn a_panic_gives_the_terminal_back() {
    let demo = step1_hello();
    let console = bin_dir().join("moult-console");
    // A shell runs the console, then shows the exit code and the terminal
    // modes it was left in.
    let modes_file = demo.runtime_dir.join("stty-after-panic");
    let script = format!(
        "{} attach {}; echo \"exit=$?\"; stty -a > {}; sleep 60",
        console.display(),
        demo.pid(),
        modes_file.display()
    );
    let tui = Tmux::start(
        Path::new("/bin/sh"),
        &["-c", &script],
        &workspace_root(),
        &[
            (discovery::DIR_ENV, demo.runtime_dir.to_str().unwrap()),
            ("MOULT_CONSOLE_PANIC_AFTER_MS", "1500"),
            ("RUST_BACKTRACE", "0"),
        ],
        (120, 40),
    );
    let screen = tui.wait_text("exit=101", SHORT);
    assert!(
        screen.contains("injected panic (MOULT_CONSOLE_PANIC_AFTER_MS)"),
        "the panic message is on the main screen:\n{screen}"
    );
    let modes = tui_wait_file(&modes_file);
    let modes: Vec<&str> = modes.split([' ', ';', '\n']).collect();
    for mode in ["icanon", "echo", "isig"] {
        assert!(
            modes.contains(&mode),
            "{mode} is back on after the panic: {modes:?}"
        );
    }
}

#[test]
fn a_panic_in_the_tutorial_gives_the_terminal_back_too() {
    // The tutorial ran its own loop, without the injected-panic hook; it
    // now runs in the console's one shell.
    let state_home = moult_e2e::private_runtime_dir();
    std::fs::create_dir_all(&state_home).unwrap();
    let console = bin_dir().join("moult-console");
    let modes_file = state_home.join("stty-after-panic");
    let script = format!(
        "{} tutorial; echo \"exit=$?\"; stty -a > {}; sleep 60",
        console.display(),
        modes_file.display()
    );
    let tui = Tmux::start(
        Path::new("/bin/sh"),
        &["-c", &script],
        &workspace_root(),
        &[
            (discovery::DIR_ENV, state_home.to_str().unwrap()),
            ("XDG_STATE_HOME", state_home.to_str().unwrap()),
            ("MOULT_CONSOLE_PANIC_AFTER_MS", "1500"),
            ("RUST_BACKTRACE", "0"),
        ],
        (120, 40),
    );
    let screen = tui.wait_text("exit=101", SHORT);
    assert!(
        screen.contains("injected panic (MOULT_CONSOLE_PANIC_AFTER_MS)"),
        "the panic message is on the main screen:\n{screen}"
    );
    let modes = tui_wait_file(&modes_file);
    let modes: Vec<&str> = modes.split([' ', ';', '\n']).collect();
    for mode in ["icanon", "echo", "isig"] {
        assert!(
            modes.contains(&mode),
            "{mode} is back on after the panic: {modes:?}"
        );
    }
    drop(tui);
    let _ = std::fs::remove_dir_all(&state_home);
}

/// The contents of `path` once the shell has written it.
fn tui_wait_file(path: &Path) -> String {
    let deadline = std::time::Instant::now() + SHORT;
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && text.contains("icanon")
        {
            return text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no {}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
