//! `fleet list` and `fleet watch` over a real OpenSSH server
//! (tests/src/sshd.rs): step1-hello apps behind one private sshd, each
//! reached through its own host alias with its own runtime directory, so
//! each looks like its own host. The list says, by group, which target is
//! reachable and which app and pid it is; the watch follows every target,
//! says when the server dies under it, and reconnects when it is back.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use moult_e2e::{
    Demo, Sshd, all_in, build, console_bin_dir, exit_and_output, spawn_remote_console,
    wait_guarded, workspace_root,
};
use serde_json::Value;

/// Generous: a hang guard, not a timing assertion.
const HANG_GUARD: Duration = Duration::from_secs(240);

/// Two step1-hello hosts (`web1`, `web2`) and an empty one (`db1`) behind
/// one sshd.
struct Hosts {
    demos: Vec<Demo>,
    sshd: Sshd,
    ssh_command: String,
    local: PathBuf,
    empty: PathBuf,
}

impl Hosts {
    fn start() -> Hosts {
        let hello = build(&["step1-hello"]).join("step1-hello");
        let demos: Vec<Demo> = (0..2).map(|_| Demo::start(&hello)).collect();
        let sshd = Sshd::start(&console_bin_dir());
        let empty = moult_e2e::private_runtime_dir();
        std::fs::create_dir_all(&empty).unwrap();
        let ssh_command = sshd.ssh_command_for_hosts(&[
            ("web1", demos[0].runtime_dir.as_path()),
            ("web2", demos[1].runtime_dir.as_path()),
            ("db1", empty.as_path()),
        ]);
        Hosts {
            demos,
            sshd,
            ssh_command,
            local: moult_e2e::private_runtime_dir(),
            empty,
        }
    }
}

impl Drop for Hosts {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.local);
        let _ = std::fs::remove_dir_all(&self.empty);
    }
}

#[test]
fn fleet_list_shows_each_group_s_targets_reachable_or_why_not() {
    let hosts = Hosts::start();
    let fleet_file = hosts.sshd.dir.join("fleet.toml");
    std::fs::write(
        &fleet_file,
        format!(
            "[groups]\nweb = [{:?}, {:?}]\ndb = [{:?}]\n",
            hosts.sshd.alias_url("web1", "step1-hello"),
            hosts.sshd.alias_url("web2", "step1-hello"),
            hosts.sshd.alias_url("db1", "store"),
        ),
    )
    .unwrap();
    let fleet = fleet_file.to_str().unwrap();

    let out = wait_guarded(
        spawn_remote_console(
            &hosts.ssh_command,
            &hosts.local,
            &["fleet", "list", "--fleet", fleet, "--json"],
        ),
        HANG_GUARD,
        "fleet list --json",
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "db1 is not reachable: {}",
        exit_and_output(&out)
    );
    let rows: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", exit_and_output(&out)));
    let rows = rows.as_array().expect("an array");
    assert_eq!(rows.len(), 3, "{}", exit_and_output(&out));
    // Groups in name order: db, then web.
    let db = &rows[0];
    assert_eq!(db["group"], "db", "{db}");
    assert_eq!(db["reachable"], false, "{db}");
    assert!(
        db["error"]
            .as_str()
            .unwrap()
            .contains("no running moult agent named `store`"),
        "{db}"
    );
    for (row, demo) in rows[1..].iter().zip(&hosts.demos) {
        assert_eq!(row["group"], "web", "{row}");
        assert_eq!(row["reachable"], true, "{row}");
        assert_eq!(row["app"], "step1-hello", "{row}");
        assert_eq!(row["pid"], demo.pid(), "{row}");
    }

    let out = wait_guarded(
        spawn_remote_console(
            &hosts.ssh_command,
            &hosts.local,
            &["fleet", "list", "--fleet", fleet, "--group", "web"],
        ),
        HANG_GUARD,
        "fleet list --group web",
    );
    assert_eq!(out.status.code(), Some(0), "{}", exit_and_output(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("group web\n"), "{}", exit_and_output(&out));
    for demo in &hosts.demos {
        assert!(
            text.contains(&format!("reachable    step1-hello (pid {})", demo.pid())),
            "{}",
            exit_and_output(&out)
        );
    }
}

/// The JSON lines of a running `fleet watch`, parsed, as they come.
fn json_lines(child: &mut Child) -> Receiver<Value> {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
            if tx.send(value).is_err() {
                return;
            }
        }
    });
    rx
}

/// Reads lines (keeping them in `seen`) until one satisfies `wanted`.
fn wait_for(
    rx: &Receiver<Value>,
    seen: &mut Vec<Value>,
    what: &str,
    wanted: impl Fn(&Value) -> bool,
) {
    loop {
        let line = rx
            .recv_timeout(HANG_GUARD)
            .unwrap_or_else(|_| panic!("no {what} line; seen: {seen:#?}"));
        let found = wanted(&line);
        seen.push(line);
        if found {
            return;
        }
    }
}

fn of(line: &Value, host: &str, kind: &str) -> bool {
    line["target"]
        .as_str()
        .unwrap_or_default()
        .contains(&format!("@{host}"))
        && line["type"] == kind
}

#[test]
fn fleet_watch_follows_every_target_says_which_is_lost_and_reconnects() {
    let mut hosts = Hosts::start();
    let urls: Vec<String> = ["web1", "web2"]
        .iter()
        .map(|h| hosts.sshd.alias_url(h, "step1-hello"))
        .collect();
    let mut watch = spawn_remote_console(
        &hosts.ssh_command,
        &hosts.local,
        &[
            "fleet", "watch", "--target", &urls[0], "--target", &urls[1], "--json",
        ],
    );
    let rx = json_lines(&mut watch);
    let mut seen = Vec::new();
    for host in ["web1", "web2"] {
        if !seen.iter().any(|l| of(l, host, "connected")) {
            wait_for(&rx, &mut seen, "connected", |l| of(l, host, "connected"));
        }
    }

    // An update on web2 shows, with web2's name, as its outcome.
    let solution = workspace_root().join("demo-apps/step1-hello/solution");
    let applied = wait_guarded(
        spawn_remote_console(
            &hosts.ssh_command,
            &hosts.local,
            &["apply", &urls[1], solution.to_str().unwrap()],
        ),
        HANG_GUARD,
        "apply to web2",
    );
    assert_eq!(
        applied.status.code(),
        Some(0),
        "{}",
        exit_and_output(&applied)
    );
    all_in(&hosts.demos[1].fresh_lines(5), &["hello moult"]);
    wait_for(&rx, &mut seen, "update_done", |l| {
        of(l, "web2", "event")
            && l["event"]["kind"]["type"] == "update_done"
            && l["event"]["kind"]["outcome"]["outcome"] == "applied"
    });

    // The server dies: each target is said lost, with ssh's reason.
    hosts.sshd.kill_all();
    for host in ["web1", "web2"] {
        if !seen.iter().any(|l| of(l, host, "lost")) {
            wait_for(&rx, &mut seen, "lost", |l| of(l, host, "lost"));
        }
    }
    for lost in seen.iter().filter(|l| l["type"] == "lost") {
        assert!(
            lost["reason"].as_str().unwrap().contains("was lost"),
            "{lost}"
        );
    }

    // It is back: both are followed again, the same processes.
    hosts.sshd.restart();
    let again = |l: &Value, host: &str| of(l, host, "connected") && l["again"] == true;
    for host in ["web1", "web2"] {
        if !seen.iter().any(|l| again(l, host)) {
            wait_for(&rx, &mut seen, "connected again", |l| again(l, host));
        }
    }
    let pids: Vec<&Value> = seen
        .iter()
        .filter(|l| l["type"] == "connected")
        .map(|l| &l["pid"])
        .collect();
    assert_eq!(pids.len(), 4, "{seen:#?}");

    // Only what matters at a fleet's scale, and nothing of web1's.
    let events: Vec<&Value> = seen.iter().filter(|l| l["type"] == "event").collect();
    assert!(
        events
            .iter()
            .all(|l| l["event"]["kind"]["type"] != "lifecycle"),
        "lifecycle steps are --all's: {events:#?}"
    );
    assert!(events.iter().all(|l| of(l, "web2", "event")), "{events:#?}");

    // Until Ctrl-C.
    let _ = Command::new("kill")
        .args(["-INT", &watch.id().to_string()])
        .status();
    let out = wait_guarded(watch, HANG_GUARD, "fleet watch after Ctrl-C");
    assert!(!out.status.success(), "{}", exit_and_output(&out));
}
