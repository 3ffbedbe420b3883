//! `moult-console demo step5-async-kv` as a learner uses it, in tmux: the
//! app's output pane shows the two commands of the statement with the
//! app's port filled in, and they work as shown — redis-benchmark started
//! from the pane's line keeps loading the server while the solution is
//! applied and checked (`v`, `y`, `a`: PASS), never stopping on an error,
//! and redis-cli's APPEND goes from an unknown command to an integer.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use moult_e2e::{Tmux, build, private_runtime_dir, require_redis_tools, workspace_root};
use moult_protocol::discovery;

const SHORT: Duration = Duration::from_secs(20);
/// The console builds the app and the update crate with cargo; the first
/// build may compile moult and kv-server.
const BUILD: Duration = Duration::from_secs(600);

/// A private directory, removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The command the output pane shows after `label` (`load it:`), as words.
fn pane_command(screen: &str, label: &str) -> Vec<String> {
    let line = screen
        .lines()
        .find(|l| l.contains(label))
        .unwrap_or_else(|| panic!("no {label:?} line in the output pane:\n{screen}"));
    let after = line.split(label).nth(1).unwrap();
    after
        .trim_matches(|c: char| c == '│' || c.is_whitespace())
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// Runs `words` (a redis-cli command line) and returns its answer.
fn run_cli(words: &[String]) -> String {
    let out = Command::new(&words[0])
        .args(&words[1..])
        .stdin(Stdio::null())
        .output()
        .expect("run redis-cli");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn the_pane_shows_the_load_and_the_try_commands_and_they_work_across_the_update() {
    require_redis_tools();
    let console = build(&["moult-console"]).join("moult-console");
    let state = TempDir(private_runtime_dir());
    let runtime = TempDir(private_runtime_dir());
    let tui = Tmux::start(
        &console,
        &["demo", "step5-async-kv"],
        &workspace_root(),
        &[
            ("XDG_STATE_HOME", state.0.to_str().unwrap()),
            (discovery::DIR_ENV, runtime.0.to_str().unwrap()),
        ],
        (160, 45),
    );
    let screen = tui.wait_for("the app's commands in its output pane", BUILD, |s| {
        s.contains("connected") && s.contains("try it:  redis-cli -p ")
    });
    let load = pane_command(&screen, "load it:");
    let try_it = pane_command(&screen, "try it:");
    assert_eq!(load[0], "redis-benchmark", "{screen}");
    assert!(load.contains(&"-l".to_string()), "it loops: {load:?}");
    assert_eq!(
        try_it[..2],
        ["redis-cli".to_string(), "-p".to_string()],
        "{screen}"
    );
    assert_eq!(load[2], try_it[2], "one port in both: {screen}");
    let before = run_cli(&try_it);
    assert!(
        before.starts_with("ERR unknown command 'APPEND'"),
        "APPEND before the update: {before}"
    );

    // The learner's own load, as the pane shows it.
    let mut bench = Command::new(&load[0])
        .args(&load[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run redis-benchmark");
    tui.keys(&["v"]);
    tui.wait_text("Reveal the solution of", SHORT);
    tui.keys(&["y"]);
    tui.wait_text("Solution: demo-apps/step5-async-kv/solution", SHORT);
    tui.keys(&["a"]);
    let verdict = tui.wait_for("the verdict", BUILD, |s| {
        s.contains(" PASS ") || s.contains(" FAIL ")
    });
    let stopped = bench.try_wait().expect("redis-benchmark's status");
    let _ = bench.kill();
    let _ = bench.wait();
    assert!(verdict.contains(" PASS "), "{verdict}");
    assert_eq!(
        stopped, None,
        "the learner's redis-benchmark stops only on a failed request"
    );
    let after = run_cli(&try_it);
    assert!(
        after.parse::<i64>().is_ok(),
        "APPEND after the update answers a length: {after:?}"
    );

    tui.keys(&["q"]);
    tui.wait_for("the console to quit", SHORT, |_| !tui.running());
}
