//! Fleet rollouts over a real OpenSSH server (tests/src/sshd.rs): three
//! apps behind one private sshd, each with its own runtime directory and
//! reached through its own host alias, so each looks like its own host.
//! A rollout updates all three; a rollout whose canary's new version
//! panics stops after the canary (reverted by its watch) and leaves the
//! others untouched.

use std::path::Path;
use std::process::Child;
use std::time::Duration;

use moult_e2e::{
    App, Demo, Sshd, all_in, build, console_bin_dir, exit_and_output, library_path,
    spawn_remote_console, wait_guarded, workspace_root,
};

/// Generous: a hang guard, not a timing assertion.
const HANG_GUARD: Duration = Duration::from_secs(240);

const HOSTS: [&str; 3] = ["canary", "web2", "web3"];

/// The fleet console: `MOULT_SSH_COMMAND` naming the three hosts, no agent
/// of its own here; started, not waited for.
fn spawn_fleet(ssh_command: &str, local: &Path, args: &[String]) -> Child {
    let args: Vec<&str> = std::iter::once("fleet")
        .chain(args.iter().map(String::as_str))
        .collect();
    spawn_remote_console(ssh_command, local, &args)
}

/// `--target` for each host, the app named `app` there.
fn target_args(sshd: &Sshd, app: &str) -> Vec<String> {
    HOSTS
        .iter()
        .flat_map(|h| ["--target".to_string(), sshd.alias_url(h, app)])
        .collect()
}

/// The summary's row per target: (target, outcome word).
fn outcomes(summary: &serde_json::Value) -> Vec<String> {
    summary["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| t["outcome"]["outcome"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_rollout_updates_three_hosts_and_says_so() {
    let hello = build(&["step1-hello"]).join("step1-hello");
    let mut demos: Vec<Demo> = HOSTS.iter().map(|_| Demo::start(&hello)).collect();
    let sshd = Sshd::start(&console_bin_dir());
    let hosts: Vec<(&str, &Path)> = HOSTS
        .iter()
        .zip(&demos)
        .map(|(h, d)| (*h, d.runtime_dir.as_path()))
        .collect();
    let ssh_command = sshd.ssh_command_for_hosts(&hosts);
    let local = moult_e2e::private_runtime_dir();
    let solution = workspace_root().join("demo-apps/step1-hello/solution");

    let mut args = vec!["apply".to_string(), solution.display().to_string()];
    args.extend(target_args(&sshd, "step1-hello"));
    args.extend(["--canary", "1", "--batch", "2", "--watch", "1", "--json"].map(String::from));
    let out = wait_guarded(
        spawn_fleet(&ssh_command, &local, &args),
        HANG_GUARD,
        "fleet apply",
    );
    assert_eq!(out.status.code(), Some(0), "{}", exit_and_output(&out));
    let summary: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", exit_and_output(&out)));
    assert_eq!(summary["stopped"], false, "{}", exit_and_output(&out));
    assert_eq!(
        outcomes(&summary),
        ["applied"; 3],
        "{}",
        exit_and_output(&out)
    );
    for target in summary["targets"].as_array().unwrap() {
        assert_eq!(
            target["versions"],
            serde_json::json!([{ "function": "step1_hello::hello", "before": 0, "after": 1 }]),
            "{target}"
        );
    }
    for demo in &mut demos {
        all_in(&demo.fresh_lines(5), &["hello moult"]);
    }

    // fleet status sees the new version everywhere; fleet revert undoes it.
    let mut args = vec!["status".to_string(), "--json".to_string()];
    args.extend(target_args(&sshd, "step1-hello"));
    let out = wait_guarded(
        spawn_fleet(&ssh_command, &local, &args),
        HANG_GUARD,
        "fleet status",
    );
    assert_eq!(out.status.code(), Some(0), "{}", exit_and_output(&out));
    let rows: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", exit_and_output(&out)));
    for row in rows.as_array().unwrap() {
        assert_eq!(row["functions"]["step1_hello::hello"], 1, "{row}");
    }
    let mut args = vec!["revert".to_string()];
    args.extend(target_args(&sshd, "step1-hello"));
    let out = wait_guarded(
        spawn_fleet(&ssh_command, &local, &args),
        HANG_GUARD,
        "fleet revert",
    );
    assert_eq!(out.status.code(), Some(0), "{}", exit_and_output(&out));
    for demo in &mut demos {
        all_in(&demo.fresh_lines(5), &["hello world"]);
    }
    let _ = std::fs::remove_dir_all(&local);
}

#[test]
fn a_canary_whose_new_version_panics_stops_the_rollout_and_is_reverted() {
    let e2e_app = build(&["e2e-app", "upd-panicky"]).join("e2e-app");
    let library = library_path("upd-panicky");
    let mut apps: Vec<App> = HOSTS.iter().map(|_| App::start(&e2e_app)).collect();
    let sshd = Sshd::start(&console_bin_dir());
    let hosts: Vec<(&str, &Path)> = HOSTS
        .iter()
        .zip(&apps)
        .map(|(h, a)| (*h, a.runtime_dir.as_path()))
        .collect();
    let ssh_command = sshd.ssh_command_for_hosts(&hosts);
    let local = moult_e2e::private_runtime_dir();

    let mut args = vec!["apply".to_string(), library.display().to_string()];
    args.extend(target_args(&sshd, "e2e-app"));
    // A long watch: the canary's panic, not the window's end, ends it.
    args.extend(
        [
            "--canary",
            "1",
            "--batch",
            "2",
            "--watch",
            "600",
            "--max-panics",
            "0",
            "--json",
        ]
        .map(String::from),
    );
    let fleet = spawn_fleet(&ssh_command, &local, &args);
    // The canary runs compute v2 (which panics on 13) once it is applied.
    let canary = &mut apps[0];
    canary.ask_until("compute 1", HANG_GUARD, |line| line == "compute 101");
    assert_eq!(
        canary.ask("guarded 13"),
        "guarded panic compute v2 refuses 13"
    );
    let out = wait_guarded(fleet, HANG_GUARD, "fleet apply");
    assert_eq!(out.status.code(), Some(1), "{}", exit_and_output(&out));
    let summary: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", exit_and_output(&out)));
    assert_eq!(summary["stopped"], true);
    assert_eq!(
        outcomes(&summary),
        ["reverted_by_watch", "skipped", "skipped"],
        "{}",
        exit_and_output(&out)
    );
    // The canary runs the compiled-in compute again; the others never left it.
    assert_eq!(apps[0].ask("compute 1"), "compute 2");
    for app in &mut apps[1..] {
        assert_eq!(app.ask("compute 1"), "compute 2");
    }
    let _ = std::fs::remove_dir_all(&local);
}
