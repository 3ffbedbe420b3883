//! The real `moult-console` binary against a fake agent serving canned
//! protocol lines: proves the CLI (discovery, connection, request/stream
//! interleaving, output, exit codes) independently of the real agent.

mod fake_agent;

use std::path::Path;

use fake_agent::{FakeAgent, console, console_in, event, events, info, library};
use moult_protocol::{
    Blocker, ClassInfo, ErrorCode, EventKind, FunctionInfo, JournalAction, JournalEntry,
    LifecycleStep, Outcome, ProtocolError, QueuedUpdate, Request, Response, ServerMessage,
    Snapshot, ThreadActivity, ThreadInfo, ThreadState, UpdateInfo, VersionCount, discovery,
};

fn snapshot(dir: &Path, pid: u32) -> Snapshot {
    Snapshot {
        agent: info(dir, pid),
        uptime_ms: 61_000,
        threads: vec![ThreadInfo {
            name: "main".into(),
            state: ThreadState::Running,
            last_point: Some("loop_head".into()),
            main_version: 0,
            reboots: 0,
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
        }],
        next_event: 0,
    }
}

fn ok(id: u64, result: Response) -> ServerMessage {
    ServerMessage::Ok { id, result }
}

fn lifecycle(seq: u64, id: u64, step: LifecycleStep) -> moult_protocol::Event {
    event(
        seq,
        EventKind::Lifecycle {
            update: "hello_v2".into(),
            id,
            step,
        },
    )
}

fn done(seq: u64, id: u64, outcome: Outcome) -> moult_protocol::Event {
    event(
        seq,
        EventKind::UpdateDone {
            update: "hello_v2".into(),
            id,
            outcome,
        },
    )
}

fn attempt(seq: u64, attempt: u32, blocked: bool) -> moult_protocol::Event {
    let blockers = if blocked {
        vec![Blocker {
            thread: "main".into(),
            function: Some("step1_hello::hello".into()),
            depth: 1,
            detail: String::new(),
        }]
    } else {
        vec![]
    };
    event(
        seq,
        EventKind::Alterability {
            update: "hello_v2".into(),
            id: 7,
            attempt,
            max_tries: 5,
            blockers,
        },
    )
}

fn queued_hello() -> Response {
    Response::Queued {
        updates: vec![QueuedUpdate {
            id: 7,
            name: "hello_v2".into(),
        }],
    }
}

/// An agent that answers `subscribe`, and `apply` with `on_apply`.
fn applying_agent(on_apply: Vec<ServerMessage>) -> FakeAgent {
    FakeAgent::start(Box::new(move |m| match &m.request {
        Request::Subscribe => vec![ok(m.id, Response::Subscribed { from_seq: 0 })],
        Request::Apply { .. } => on_apply
            .iter()
            .map(|reply| match reply {
                // The id of the apply request is only known now.
                ServerMessage::Ok { id: 0, result } => ok(m.id, result.clone()),
                other => other.clone(),
            })
            .collect(),
        Request::Abort { update } => vec![ok(m.id, Response::Requested { update: *update })],
        _ => vec![],
    }))
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
    assert!(matches!(requests[0], Request::Hello { protocol: 1, .. }));
    assert_eq!(requests[1..], [Request::Snapshot]);

    // By app name, as text.
    let agent = FakeAgent::start(Box::new(|m| match m.request {
        Request::Snapshot => vec![ok(
            m.id,
            Response::Snapshot {
                snapshot: snapshot(Path::new("/d"), 1),
            },
        )],
        _ => vec![],
    }));
    let run = console(agent.dir.path(), &["status", "fake-app"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.starts_with(
            "agent fake-app (pid 1): moult 0.1.0, protocol 1, debug build, up 1m 01s\n"
        ),
        "{}",
        run.stdout
    );
    for line in [
        "Threads",
        "  main  running  loop_head   v0    0",
        "  step1_hello::hello  v0       main: 1  30     no",
        "  step1_hello::Data  v0       v0: 5  0",
        "  1   older  done  1         applied",
    ] {
        assert!(
            run.stdout.lines().any(|l| l == line),
            "{line:?} in\n{}",
            run.stdout
        );
    }
}

#[test]
fn apply_follows_the_update_to_applied_even_when_events_precede_the_reply() {
    let agent = applying_agent(vec![
        events(vec![
            event(
                0,
                EventKind::UpdateQueued {
                    update: "hello_v2".into(),
                    id: 7,
                },
            ),
            lifecycle(1, 7, LifecycleStep::Requirements),
        ]),
        ok(0, queued_hello()),
        events(vec![
            lifecycle(2, 7, LifecycleStep::Alterability),
            attempt(3, 1, true),
            done(
                4,
                7,
                Outcome::Postponed("thread main in step1_hello::hello".into()),
            ),
            // Another update's events are not shown.
            lifecycle(5, 9, LifecycleStep::Apply),
            event(
                6,
                EventKind::FunctionRedefined {
                    function: "other::f".into(),
                    version: 3,
                },
            ),
            done(7, 9, Outcome::Applied),
        ]),
        events(vec![
            lifecycle(8, 7, LifecycleStep::Alterability),
            attempt(9, 2, false),
            lifecycle(10, 7, LifecycleStep::Apply),
            event(
                11,
                EventKind::FunctionRedefined {
                    function: "step1_hello::hello".into(),
                    version: 1,
                },
            ),
            done(12, 7, Outcome::Applied),
        ]),
    ]);
    let lib = library(agent.dir.path());
    let run = console(
        agent.dir.path(),
        &["apply", &agent.pid.to_string(), lib.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "queued hello_v2 #7\n\
         hello_v2 #7: queued\n\
         hello_v2 #7: step requirements\n\
         hello_v2 #7: step alterability\n\
         hello_v2 #7: attempt 1/5: blocked by thread main in step1_hello::hello (depth 1)\n\
         hello_v2 #7: postponed: thread main in step1_hello::hello (back in the queue)\n\
         hello_v2 #7: step alterability\n\
         hello_v2 #7: attempt 2/5: alterable\n\
         hello_v2 #7: step apply\n\
         function step1_hello::hello is now v1\n\
         hello_v2 #7: applied\n"
    );
    let canonical = lib.canonicalize().unwrap().display().to_string();
    let requests: Vec<Request> = agent.received().into_iter().map(|m| m.request).collect();
    assert_eq!(
        requests[1..],
        [Request::Subscribe, Request::Apply { path: canonical }]
    );
}

#[test]
fn apply_exits_1_with_the_reason_when_the_update_is_rolled_back() {
    let agent = applying_agent(vec![
        ok(0, queued_hello()),
        events(vec![
            lifecycle(0, 7, LifecycleStep::Apply),
            event(
                1,
                EventKind::RolledBack {
                    update: "hello_v2".into(),
                    what: "function step1_hello::hello back to v0".into(),
                },
            ),
            done(2, 7, Outcome::RolledBack("apply panicked: boom".into())),
        ]),
    ]);
    let lib = library(agent.dir.path());
    let run = console(
        agent.dir.path(),
        &["apply", "fake-app", lib.to_str().unwrap(), "--json"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.stderr,
        "error: update hello_v2 #7 rolled back: apply panicked: boom\n"
    );
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        4,
        "three events and the summary: {}",
        run.stdout
    );
    assert_eq!(lines[1]["kind"]["type"], "rolled_back");
    assert_eq!(lines[3]["type"], "summary");
    assert_eq!(lines[3]["exit"], 1);
    assert_eq!(
        lines[3]["updates"][0]["outcome"],
        serde_json::json!({"outcome": "rolled_back", "reason": "apply panicked: boom"})
    );
}

#[test]
fn apply_exits_1_with_the_agents_message_when_the_library_is_refused() {
    let agent = applying_agent(vec![ServerMessage::Error {
        id: None,
        error: ProtocolError::new(
            ErrorCode::Refused,
            "fingerprint differs: library built in release, app in debug",
        ),
    }]);
    let lib = library(agent.dir.path());
    let run = console(
        agent.dir.path(),
        &["apply", "fake-app", lib.to_str().unwrap()],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let canonical = lib.canonicalize().unwrap();
    assert_eq!(
        run.stderr,
        format!(
            "error: the agent refused {}: fingerprint differs: library built in release, app in debug\n",
            canonical.display()
        )
    );
}

#[test]
fn apply_aborts_and_exits_3_when_the_update_is_still_postponed_at_the_timeout() {
    let agent = applying_agent(vec![
        ok(0, queued_hello()),
        events(vec![
            attempt(0, 5, true),
            done(
                1,
                7,
                Outcome::Postponed("thread main in step1_hello::hello".into()),
            ),
        ]),
    ]);
    let lib = library(agent.dir.path());
    let run = console(
        agent.dir.path(),
        &["apply", "fake-app", lib.to_str().unwrap(), "--timeout", "1"],
    );
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(
        run.stderr,
        "error: hello_v2 #7 still not applied after 1 s (postponed: thread main in step1_hello::hello); aborted\n"
    );
    let requests: Vec<Request> = agent.received().into_iter().map(|m| m.request).collect();
    assert_eq!(requests.last(), Some(&Request::Abort { update: 7 }));
}

#[test]
fn apply_builds_an_update_crate_and_sends_its_cdylib() {
    let agent = applying_agent(vec![
        ok(0, queued_hello()),
        events(vec![done(0, 7, Outcome::Applied)]),
    ]);
    let crate_dir = agent.dir.path().join("upd-tiny");
    std::fs::create_dir_all(crate_dir.join("src")).unwrap();
    std::fs::write(
        crate_dir.join("Cargo.toml"),
        "[package]\nname = \"upd-tiny\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [lib]\ncrate-type = [\"cdylib\"]\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(
        crate_dir.join("src/lib.rs"),
        "#[unsafe(no_mangle)]\npub extern \"C\" fn tiny() -> u32 { 7 }\n",
    )
    .unwrap();
    let target_dir = agent.dir.path().join("target");
    let run = console_in(
        agent.dir.path(),
        &["apply", "fake-app", crate_dir.to_str().unwrap()],
        &[("CARGO_TARGET_DIR", &target_dir)],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("building "), "{}", run.stderr);
    assert!(
        run.stderr.contains("Compiling upd-tiny"),
        "cargo's progress: {}",
        run.stderr
    );
    let built = target_dir
        .join("debug/libupd_tiny.so")
        .canonicalize()
        .unwrap();
    let requests: Vec<Request> = agent.received().into_iter().map(|m| m.request).collect();
    assert_eq!(
        requests.last(),
        Some(&Request::Apply {
            path: built.display().to_string()
        })
    );
}

#[test]
fn a_crate_that_does_not_compile_is_a_build_failure_and_nothing_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pid = std::process::id();
    // A metadata file and a socket path are enough: the build fails first.
    std::fs::write(
        discovery::info_path(d, pid),
        serde_json::to_string(&info(d, pid)).unwrap(),
    )
    .unwrap();
    std::fs::write(discovery::socket_path(d, pid), "").unwrap();
    let crate_dir = d.join("upd-broken");
    std::fs::create_dir_all(crate_dir.join("src")).unwrap();
    std::fs::write(
        crate_dir.join("Cargo.toml"),
        "[package]\nname = \"upd-broken\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [lib]\ncrate-type = [\"cdylib\"]\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(crate_dir.join("src/lib.rs"), "pub fn broken( {}\n").unwrap();
    let run = console_in(
        d,
        &["apply", &pid.to_string(), crate_dir.to_str().unwrap()],
        &[("CARGO_TARGET_DIR", &d.join("target"))],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("unclosed delimiter"),
        "compiler error shown: {}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("error: build failed: cargo exited with code 101 (its errors are above)"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("cannot connect"),
        "no connection tried: {}",
        run.stderr
    );
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

#[test]
fn watch_prints_events_warns_of_dropped_ones_and_ends_with_the_agent() {
    let agent = FakeAgent::start(Box::new(|m| match m.request {
        Request::Subscribe => vec![
            ok(m.id, Response::Subscribed { from_seq: 0 }),
            ServerMessage::Events {
                events: vec![lifecycle(3, 7, LifecycleStep::Apply)],
                dropped: 3,
            },
            ServerMessage::Closing {
                reason: "the app is exiting".into(),
            },
        ],
        _ => vec![],
    }));
    let run = console(agent.dir.path(), &["watch", "fake-app"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "warning: 3 events dropped (this console read too slowly)\n\
         [     1.003s] hello_v2 #7: step apply\n"
    );
    assert!(
        run.stderr.contains("agent closing: the app is exiting\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.ends_with("agent closed the connection\n"),
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
fn reboot_follows_the_queued_reboot_like_apply() {
    let agent = FakeAgent::start(Box::new(|m| match &m.request {
        Request::Subscribe => vec![ok(m.id, Response::Subscribed { from_seq: 0 })],
        Request::Reboot { thread } if thread == "worker" => vec![
            ok(
                m.id,
                Response::Queued {
                    updates: vec![QueuedUpdate {
                        id: 3,
                        name: "reboot worker".into(),
                    }],
                },
            ),
            events(vec![
                event(
                    0,
                    EventKind::Lifecycle {
                        update: "reboot worker".into(),
                        id: 3,
                        step: LifecycleStep::Apply,
                    },
                ),
                event(
                    1,
                    EventKind::ThreadState {
                        thread: "worker".into(),
                        state: ThreadState::Rebooting,
                    },
                ),
                event(
                    2,
                    EventKind::UpdateDone {
                        update: "reboot worker".into(),
                        id: 3,
                        outcome: Outcome::Applied,
                    },
                ),
            ]),
        ],
        Request::Reboot { thread } => vec![ServerMessage::Error {
            id: Some(m.id),
            error: ProtocolError::new(
                ErrorCode::NotFound,
                format!("no DSU thread named `{thread}`; threads: worker"),
            ),
        }],
        _ => vec![],
    }));
    let run = console(agent.dir.path(), &["reboot", "fake-app", "worker"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "queued reboot worker #3\n\
         reboot worker #3: step apply\n\
         thread worker: rebooting\n\
         reboot worker #3: applied\n"
    );
}

#[test]
fn an_unknown_thread_is_the_agents_not_found_message() {
    let agent = FakeAgent::start(Box::new(|m| match &m.request {
        Request::Subscribe => vec![ok(m.id, Response::Subscribed { from_seq: 0 })],
        Request::Reboot { thread } => vec![ServerMessage::Error {
            id: Some(m.id),
            error: ProtocolError::new(
                ErrorCode::NotFound,
                format!("no DSU thread named `{thread}`; threads: worker"),
            ),
        }],
        _ => vec![],
    }));
    let run = console(agent.dir.path(), &["reboot", "fake-app", "nope"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.stderr,
        "error: cannot reboot thread `nope`: no DSU thread named `nope`; threads: worker\n"
    );
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
