//! `apply` and `reboot` of the real binary against a fake agent: the
//! lifecycle printed as it happens (even when events precede the reply),
//! the exit code of each outcome, the timeout, and update crates built
//! with cargo.

mod fake_agent;

use fake_agent::messages::{attempt, done, event, events, library, lifecycle, ok, queued_hello};
use fake_agent::{FakeAgent, console, console_in, info};
use moult_protocol::{
    ErrorCode, EventKind, LifecycleStep, Outcome, ProtocolError, QueuedUpdate, Request, Response,
    ServerMessage, ThreadState, discovery,
};

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
        "hello_v2 #7: queued\n\
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
        [
            Request::Subscribe,
            Request::Apply {
                path: canonical,
                watch: None
            }
        ]
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
            path: built.display().to_string(),
            watch: None,
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
        "reboot worker #3: step apply\n\
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
