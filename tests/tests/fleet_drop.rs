//! A rollout whose connection drops under it: the canary sits behind one
//! private sshd, `web2` and `web3` behind another (tests/src/sshd.rs), all
//! in one client config. The second server is killed, with every session
//! it started, while `web2` — already updated — is in its watch window.
//! The rollout must end (no hang: a generous guard, not a timing), exit
//! non-zero, name `web2` and why it was lost, touch no further target, and
//! revert the canary it had updated, which is still reachable; `web2`,
//! updated but unreachable, is reported as not reverted. The agents are
//! local processes, so the test reads each app's version from the app.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use moult_e2e::{App, Sshd, build, exit_and_output, library_path, wait_guarded};

/// Generous: a hang guard, not a timing assertion.
const HANG_GUARD: Duration = Duration::from_secs(300);

/// `ssh://user@alias/app`: the alias's config gives the port.
fn url(sshd: &Sshd, alias: &str) -> String {
    format!("ssh://{}@{alias}/e2e-app", sshd.user)
}

#[test]
fn a_server_killed_mid_rollout_stops_it_names_the_lost_target_and_reverts_the_reachable() {
    let bin = build(&["moult-console"]);
    let e2e_app = build(&["e2e-app", "upd-panicky"]).join("e2e-app");
    let library = library_path("upd-panicky");
    let mut apps: Vec<App> = (0..3).map(|_| App::start(&e2e_app)).collect();
    let kept = Sshd::start(&bin);
    let mut doomed = Sshd::start(&bin);
    let ssh_command = Sshd::ssh_command_for_servers(&[
        (&kept, "canary", apps[0].runtime_dir.as_path()),
        (&doomed, "web2", apps[1].runtime_dir.as_path()),
        (&doomed, "web3", apps[2].runtime_dir.as_path()),
    ]);
    let targets = [
        url(&kept, "canary"),
        url(&doomed, "web2"),
        url(&doomed, "web3"),
    ];
    let local: PathBuf = moult_e2e::private_runtime_dir();

    let mut fleet = Command::new(bin.join("moult-console"))
        .args(["fleet", "apply"])
        .arg(&library)
        .args(targets.iter().flat_map(|t| ["--target", t.as_str()]))
        // Batches of one: web3 comes after web2. The watch is long enough
        // that web2 is still in it when its server dies (the kill follows
        // the line saying it is watching).
        .args(["--canary", "1", "--batch", "1", "--watch", "30", "--json"])
        .env("MOULT_SSH_COMMAND", &ssh_command)
        .env("MOULT_RUNTIME_DIR", &local)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run moult-console fleet apply");
    let (tx, rx) = mpsc::channel();
    let stderr = fleet.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut said = Vec::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line.clone());
            said.push(line);
        }
        said
    });
    // Progress lines start with `[<target>] `; the target as the console
    // names it ends with its host.
    let web2_watching = "web2] watching for";
    let mut seen = Vec::new();
    loop {
        let line = rx
            .recv_timeout(HANG_GUARD)
            .unwrap_or_else(|_| panic!("web2 never reached its watch: {seen:#?}"));
        let found = line.contains(web2_watching);
        seen.push(line);
        if found {
            break;
        }
    }
    doomed.kill_all();

    let stdout = fleet.stdout.take().unwrap();
    let out = wait_guarded(fleet, HANG_GUARD, "fleet apply after its server died");
    let said = reader.join().unwrap().join("\n");
    let summary_text = std::io::read_to_string(stdout).unwrap();
    let out = Output {
        stdout: summary_text.into_bytes(),
        stderr: said.into_bytes(),
        ..out
    };
    assert_eq!(out.status.code(), Some(1), "{}", exit_and_output(&out));
    let summary: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", exit_and_output(&out)));
    assert_eq!(summary["stopped"], true, "{}", exit_and_output(&out));
    let rows = summary["targets"].as_array().expect("targets");
    let outcome = |i: usize| rows[i]["outcome"]["outcome"].as_str().unwrap().to_string();
    let reason = |i: usize| {
        rows[i]["outcome"]["reason"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        rows[1]["target"].as_str().unwrap().contains("web2"),
        "{}",
        exit_and_output(&out)
    );
    // web2 applied the update, then was lost: its row says both, and that
    // the rollout could not take the update back (a lost target was once
    // reported as merely "failed", as if it had never been updated).
    assert_eq!(outcome(1), "revert_failed", "{}", exit_and_output(&out));
    assert!(reason(1).contains("was lost"), "{}", exit_and_output(&out));
    assert!(reason(1).contains("web2"), "{}", exit_and_output(&out));
    assert!(
        reason(1).contains("may still run update #"),
        "{}",
        exit_and_output(&out)
    );
    assert_eq!(
        [outcome(0), outcome(2)],
        ["reverted_by_rollout", "skipped"],
        "{}",
        exit_and_output(&out)
    );
    // The canary (still reachable) runs the compiled-in compute again;
    // web3 was never touched; web2 keeps the update nobody could revert.
    assert_eq!(apps[0].ask("compute 1"), "compute 2");
    assert_eq!(apps[1].ask("compute 1"), "compute 101");
    assert_eq!(apps[2].ask("compute 1"), "compute 2");
    let _ = std::fs::remove_dir_all(&local);
}
