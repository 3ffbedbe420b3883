//! The reading commands of the real binary against a fake agent: `status`,
//! `log` (from the agent and from an exited app's file), `watch`, `list`,
//! `convert`, and the errors that say what to do.

mod fake_agent;

use std::path::Path;

use fake_agent::messages::{lifecycle, ok};
use fake_agent::{FakeAgent, console, info};
use moult_protocol::{
    ClassInfo, ErrorCode, FunctionInfo, JournalAction, JournalEntry, LifecycleStep, Outcome,
    ProtocolError, Request, Response, ServerMessage, Snapshot, ThreadActivity, ThreadInfo,
    ThreadState, UpdateInfo, VersionCount, discovery,
};

fn snapshot(dir: &Path, pid: u32) -> Snapshot {
    Snapshot {
        agent: info(dir, pid),
        uptime_ms: 61_000,
        tasks: vec![],
        threads: vec![ThreadInfo {
            name: "main".into(),
            state: ThreadState::Running,
            last_point: Some("loop_head".into()),
            main_version: 0,
            reboots: 0,
            mains: Vec::new(),
        }],
        functions: vec![FunctionInfo {
            name: "step1_hello::hello".into(),
            signature: "fn()".into(),
            version: 0,
            threads: vec![ThreadActivity {
                thread: "main".into(),
                active: 1,
                calls: 30,
            }],
            gated: false,
            health: Vec::new(),
            source: None,
        }],
        classes: vec![ClassInfo {
            name: "step1_hello::Data".into(),
            version: 0,
            versions: vec![VersionCount {
                version: 0,
                type_name: "step1_hello::Data".into(),
                live: 5,
            }],
            pending_lazy: 0,
        }],
        updates: vec![UpdateInfo {
            id: 1,
            name: "older".into(),
            step: LifecycleStep::Done,
            attempts: 1,
            outcome: Some(Outcome::Applied),
            revertible: None,
            reverted_by: None,
        }],
        next_event: 0,
        connections: 1,
        dropped_subscribers: 0,
    }
}

#[test]
fn status_json_prints_the_snapshot_and_the_text_has_every_section() {
    let agent = FakeAgent::start(Box::new(|m| match m.request {
        Request::Snapshot => vec![ok(
            m.id,
            Response::Snapshot {
                snapshot: snapshot(Path::new("/d"), 1),
            },
        )],
        _ => vec![],
    }));
    let run = console(
        agent.dir.path(),
        &["status", &agent.pid.to_string(), "--json"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let printed: Snapshot = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(printed, snapshot(Path::new("/d"), 1));
    let requests: Vec<Request> = agent.received().into_iter().map(|m| m.request).collect();
    assert!(
        matches!(requests[0], Request::Hello { protocol, .. } if protocol == moult_protocol::PROTOCOL_VERSION)
    );
    assert_eq!(requests[1..], [Request::Snapshot]);

    // By app name, as text, ending with the loaded libraries.
    let agent = FakeAgent::start(Box::new(|m| match m.request {
        Request::Snapshot => vec![ok(
            m.id,
            Response::Snapshot {
                snapshot: snapshot(Path::new("/d"), 1),
            },
        )],
        Request::Libraries => vec![ok(
            m.id,
            Response::Libraries {
                libraries: vec![moult_protocol::LibraryInfo {
                    path: "/w/libhello_v2.so".into(),
                    fingerprint: "rustc=x|moult=0.1.0".into(),
                    size_bytes: 123_456,
                    loaded_unix_ms: 1_714_565_000_000,
                }],
            },
        )],
        _ => vec![],
    }));
    let run = console(agent.dir.path(), &["status", "fake-app"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.starts_with(&format!(
            "agent fake-app (pid 1): moult 0.1.0, protocol {}, debug build, up 1m 01s, 1 client\n",
            moult_protocol::PROTOCOL_VERSION
        )),
        "{}",
        run.stdout
    );
    for line in [
        "Threads",
        "  main  running  loop_head   v0    0",
        "  step1_hello::hello  v0       main: 1  30     no",
        "  step1_hello::Data  v0       v0: 5  0",
        "  1   older  done  1         applied",
        "Libraries",
        "  /w/libhello_v2.so  123456 bytes  loaded 2024-05-01T12:03:20Z  fingerprint rustc=x|moult=0.1.0",
    ] {
        assert!(
            run.stdout.lines().any(|l| l == line),
            "{line:?} in\n{}",
            run.stdout
        );
    }
}

#[test]
fn log_prints_the_agents_journal() {
    let entry = |action, detail: &str| JournalEntry {
        unix_ms: 1_714_565_000_000,
        action,
        update: Some("hello_v2".into()),
        id: Some(7),
        detail: detail.into(),
    };
    let journal = vec![
        entry(JournalAction::Queued, ""),
        entry(JournalAction::Applied, ""),
    ];
    let agent = FakeAgent::start(Box::new(move |m| match m.request {
        Request::Journal => vec![ok(
            m.id,
            Response::Journal {
                entries: journal.clone(),
                skipped: 2,
            },
        )],
        _ => vec![],
    }));
    let run = console(agent.dir.path(), &["log", "fake-app"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "2024-05-01T12:03:20Z  queued       hello_v2 #7\n\
         2024-05-01T12:03:20Z  applied      hello_v2 #7\n"
    );
    assert!(
        run.stderr
            .contains("2 damaged journal lines were skipped; the entries around them are shown"),
        "{run:?}"
    );
}

#[test]
fn log_reads_the_journal_file_of_an_app_that_exited() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    // Files as a crashed app leaves them.
    std::fs::write(discovery::socket_path(d, pid), "").unwrap();
    std::fs::write(
        discovery::info_path(d, pid),
        serde_json::to_string(&info(d, pid)).unwrap(),
    )
    .unwrap();
    std::fs::write(
        discovery::journal_path(d, pid),
        "{\"unix_ms\":1714565000000,\"action\":\"rolled_back\",\"update\":\"hello_v2\",\"id\":7,\"detail\":\"apply panicked: boom\"}\n",
    )
    .unwrap();
    let run = console(d, &["log", &pid.to_string()]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "2024-05-01T12:03:20Z  rolled back  hello_v2 #7  apply panicked: boom\n"
    );
    assert!(
        run.stderr.starts_with(&format!(
            "process {pid} is not running; reading its journal file"
        )),
        "{}",
        run.stderr
    );
    assert!(
        !discovery::socket_path(d, pid).exists(),
        "stale socket removed"
    );
}

/// An agent whose subscription sends one batch, then `end`.
fn watched_agent(end: &'static str) -> FakeAgent {
    FakeAgent::start(Box::new(move |m| match m.request {
        Request::Subscribe => vec![
            ok(m.id, Response::Subscribed { from_seq: 0 }),
            ServerMessage::Events {
                events: vec![lifecycle(3, 7, LifecycleStep::Apply)],
                dropped: 3,
            },
            ServerMessage::Closing { reason: end.into() },
        ],
        _ => vec![],
    }))
}

#[test]
fn watch_prints_events_warns_of_dropped_ones_and_ends_with_the_app() {
    let agent = watched_agent(fake_agent::HANG_UP);
    let run = console(agent.dir.path(), &["watch", "fake-app"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "warning: 3 events dropped (this console read too slowly)\n\
         [     1.003s] hello_v2 #7: step apply\n"
    );
    assert_eq!(
        run.stderr,
        format!(
            "watching fake-app (pid {}); Ctrl-C to stop\nagent closed the connection\n",
            agent.pid
        )
    );
}

#[test]
fn watch_fails_when_the_agent_drops_it_and_says_why() {
    let agent = watched_agent("too slow: 1200 events not delivered");
    let run = console(agent.dir.path(), &["watch", "fake-app", "--json"]);
    assert_eq!(run.code, 1, "{run:?}");
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines[0],
        serde_json::json!({"type": "dropped", "dropped": 3})
    );
    assert_eq!(lines[1]["kind"]["step"], "apply");
    assert!(
        run.stderr.ends_with(
            "error: the agent dropped this watch: too slow: 1200 events not delivered\n"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_protocol_version_mismatch_shows_the_agents_message() {
    let agent = FakeAgent::start(Box::new(|m| match m.request {
        Request::Hello { .. } => vec![ServerMessage::Error {
            id: Some(m.id),
            error: ProtocolError::new(
                ErrorCode::VersionMismatch,
                "this agent speaks protocol 2, the client 1: use moult-console 0.2",
            ),
        }],
        _ => vec![],
    }));
    let run = console(agent.dir.path(), &["status", "fake-app"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.stderr,
        format!(
            "error: the agent of pid {} refused the connection: this agent speaks protocol 2, the client 1: use moult-console 0.2\n",
            agent.pid
        )
    );
}

#[test]
fn list_shows_the_live_agents_and_says_what_to_do_when_there_are_none() {
    let agent = FakeAgent::start(Box::new(|_| vec![]));
    let run = console(agent.dir.path(), &["list", "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let listed: Vec<moult_protocol::AgentInfo> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(listed, vec![info(agent.dir.path(), agent.pid)]);
    let run = console(agent.dir.path(), &["list"]);
    assert!(run.stdout.starts_with("PID"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains(&format!("{}  fake-app  0.1.0", agent.pid))
    );

    let empty = tempfile::tempdir().unwrap();
    let run = console(empty.path(), &["list"]);
    assert_eq!(
        run.stdout,
        format!(
            "no moult agents running for this user (looked in {}); start an app that calls moult::agent::start\n",
            empty.path().display()
        )
    );
}

#[test]
fn a_pid_without_agent_is_an_error_saying_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let run = console(dir.path(), &["apply", "123", "/nonexistent.so"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("/nonexistent.so does not exist"),
        "{}",
        run.stderr
    );
    let run = console(dir.path(), &["status", "123"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        format!(
            "error: no moult agent for pid 123 (no {}); is the app running and did it call moult::agent::start?\n",
            dir.path().join("123.sock").display()
        )
    );
    let run = console(dir.path(), &["status"]);
    assert_eq!(run.code, 2, "usage error: {run:?}");
}

#[test]
fn convert_prints_the_count_and_the_class_versions() {
    let agent = FakeAgent::start(Box::new(|m| match &m.request {
        Request::Convert { class } => vec![ok(
            m.id,
            Response::Converted {
                class: ClassInfo {
                    name: class.clone(),
                    version: 1,
                    versions: vec![
                        VersionCount {
                            version: 0,
                            type_name: "app::Integer".into(),
                            live: 0,
                        },
                        VersionCount {
                            version: 1,
                            type_name: "upd::Integer".into(),
                            live: 10_000,
                        },
                    ],
                    pending_lazy: 0,
                },
                converted: 9_998,
            },
        )],
        _ => vec![],
    }));
    let run = console(agent.dir.path(), &["convert", "fake-app", "app::Integer"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "converted 9998 instances of app::Integer (now v1); live per version: v0: 0, v1: 10000; pending lazy: 0\n"
    );
}
