//! Wire messages built with the real serde types, one of every kind: a
//! snapshot with every section filled, every event kind, every reply and
//! error code, every request. The schema tests serialise them.

use moult_protocol::{
    AgentInfo, Blocker, ClassChange, ClassInfo, ClientMessage, ErrorCode, Event, EventKind,
    FnSource, FunctionInfo, JournalAction, JournalEntry, LibraryInfo, LifecycleStep, MainHealth,
    MoultBuild, Outcome, ProtocolError, QueuedUpdate, Request, Response, ServerMessage, Snapshot,
    TaskInfo, ThreadActivity, ThreadInfo, ThreadState, UpdateInfo, VersionCount, VersionHealth,
    WatchSpec,
};

/// The agent of every sample (also `<pid>.json`).
pub fn agent() -> AgentInfo {
    AgentInfo {
        app: "kv-server".into(),
        pid: 4242,
        moult_version: "0.1.0".into(),
        protocol: moult_protocol::PROTOCOL_VERSION,
        fingerprint: "moult=0.1.0|rustc=1.95.0|profile=debug".into(),
        cargo_profile: "debug".into(),
        started_unix_ms: 1_796_000_000_000,
        socket: "/tmp/moult-1000/4242.sock".into(),
        journal: "/tmp/moult-1000/4242.journal".into(),
        exe: "/srv/kv-server".into(),
        moult_build: Some(MoultBuild {
            manifest_dir: "/home/dev/moult/agent/moult".into(),
            features: vec!["tokio".into()],
        }),
    }
}

/// Every way an update can end.
pub fn outcomes() -> Vec<Outcome> {
    vec![
        Outcome::Applied,
        Outcome::Postponed("not alterable in time".into()),
        Outcome::Aborted("asked by an operator".into()),
        Outcome::RolledBack("apply panicked".into()),
        Outcome::Failed("cleanup failed".into()),
    ]
}

/// Every state of a DSU thread or task.
pub fn thread_states() -> Vec<ThreadState> {
    vec![
        ThreadState::Running,
        ThreadState::Parked("loop_top".into()),
        ThreadState::Rebooting,
        ThreadState::Finished,
    ]
}

/// Every lifecycle step, in order.
pub fn steps() -> Vec<LifecycleStep> {
    vec![
        LifecycleStep::Queued,
        LifecycleStep::Requirements,
        LifecycleStep::Setup,
        LifecycleStep::Alterability,
        LifecycleStep::Apply,
        LifecycleStep::Resume,
        LifecycleStep::Over,
        LifecycleStep::Cleanup,
        LifecycleStep::Done,
    ]
}

/// A snapshot with every section, every thread state and every outcome.
pub fn snapshot() -> Snapshot {
    let threads = thread_states()
        .into_iter()
        .enumerate()
        .map(|(i, state)| ThreadInfo {
            name: format!("worker-{i}"),
            state,
            last_point: (i > 0).then(|| "loop_top".into()),
            main_version: 1,
            reboots: 2,
            mains: vec![MainHealth {
                version: 0,
                panics: 1,
                reboots: 2,
            }],
        })
        .collect();
    let updates = outcomes()
        .into_iter()
        .zip(1..)
        .map(|(outcome, id)| UpdateInfo {
            id,
            name: format!("update {id}"),
            step: LifecycleStep::Done,
            attempts: 3,
            revertible: matches!(outcome, Outcome::Applied).then_some(true),
            reverted_by: (id == 1).then_some(9),
            outcome: Some(outcome),
        })
        .chain(steps().into_iter().zip(10..).map(|(step, id)| UpdateInfo {
            id,
            name: format!("in flight {id}"),
            step,
            attempts: 1,
            outcome: None,
            revertible: None,
            reverted_by: None,
        }))
        .collect();
    Snapshot {
        agent: agent(),
        uptime_ms: 12_345,
        threads,
        functions: vec![FunctionInfo {
            name: "kv_server::handle".into(),
            signature: "fn(&str) -> String".into(),
            version: 1,
            threads: vec![ThreadActivity {
                thread: "conn".into(),
                active: 1,
                calls: 99,
            }],
            gated: true,
            source: Some(FnSource {
                fn_type: "fn(&str) -> String".into(),
                declared: "fn handle(line: &str) -> String".into(),
                package: "kv-server".into(),
                manifest_dir: "/home/dev/kv-server".into(),
                binary: Some("kv-server".into()),
            }),
            health: vec![
                VersionHealth {
                    version: 0,
                    calls: 90,
                    panics: 0,
                },
                VersionHealth {
                    version: 1,
                    calls: 9,
                    panics: 2,
                },
            ],
        }],
        tasks: thread_states()
            .into_iter()
            .zip(1..)
            .map(|(state, id)| TaskInfo {
                id,
                group: "conn".into(),
                state,
                last_point: Some("read".into()),
                main_version: 0,
            })
            .collect(),
        classes: vec![class()],
        updates,
        next_event: 77,
        connections: 2,
        dropped_subscribers: 1,
    }
}

/// A class with live instances of two versions and a pending lazy conversion.
pub fn class() -> ClassInfo {
    ClassInfo {
        name: "kv_server::Entry".into(),
        version: 1,
        versions: vec![
            VersionCount {
                version: 0,
                type_name: "kv_server::Entry".into(),
                live: 3,
            },
            VersionCount {
                version: 1,
                type_name: "upd::EntryV1".into(),
                live: 5,
            },
        ],
        pending_lazy: 3,
    }
}

/// One event of every kind, with every step, outcome and class change.
pub fn events() -> Vec<Event> {
    let (update, id) = ("hello_v2".to_string(), 1);
    let mut kinds = vec![
        EventKind::UpdateQueued {
            update: update.clone(),
            id,
        },
        EventKind::Alterability {
            update: update.clone(),
            id,
            attempt: 2,
            max_tries: 20,
            blockers: vec![Blocker {
                thread: "worker".into(),
                function: Some("kv_server::handle".into()),
                depth: 1,
                detail: String::new(),
            }],
        },
        EventKind::FunctionRedefined {
            function: "kv_server::handle".into(),
            version: 1,
        },
        EventKind::ConversionProgress {
            class: "kv_server::Entry".into(),
            converted: 5,
            total: 8,
        },
        EventKind::RolledBack {
            update: update.clone(),
            what: "function kv_server::handle back to v0".into(),
        },
        EventKind::LibraryLoaded {
            path: "/tmp/libupd.so".into(),
            updates: vec![update.clone()],
        },
        EventKind::LibraryRefused {
            path: "/tmp/libother.so".into(),
            reason: "fingerprint mismatch".into(),
        },
        EventKind::Log {
            level: "warn".into(),
            message: "dropped a subscriber".into(),
        },
        EventKind::UpdateReverted {
            update: "revert #1".into(),
            id: 2,
            target: id,
            reason: "asked by an operator".into(),
        },
        EventKind::WatchStarted {
            update: update.clone(),
            id,
            secs: 1.5,
            max_panics: 3,
        },
        EventKind::WatchEnded {
            update: update.clone(),
            id,
            reverted: false,
            detail: "0 panics in 1.5 s: kept".into(),
        },
        EventKind::VersionPanicked {
            function: "kv_server::handle".into(),
            version: 1,
            panics: 4,
            since_last: 2,
        },
    ];
    for step in steps() {
        kinds.push(EventKind::Lifecycle {
            update: update.clone(),
            id,
            step,
        });
    }
    for outcome in outcomes() {
        kinds.push(EventKind::UpdateDone {
            update: update.clone(),
            id,
            outcome,
        });
    }
    for change in [
        ClassChange::Constructor,
        ClassChange::EagerConversion,
        ClassChange::LazyConversion,
        ClassChange::RolledBack,
    ] {
        kinds.push(EventKind::ClassRedefined {
            class: "kv_server::Entry".into(),
            version: 1,
            change,
        });
    }
    for state in thread_states() {
        kinds.push(EventKind::ThreadState {
            thread: "worker".into(),
            state,
        });
    }
    kinds
        .into_iter()
        .zip(0..)
        .map(|(kind, seq)| Event {
            seq,
            at_ms: 10 * seq,
            kind,
        })
        .collect()
}

/// One journal line of every action.
pub fn journal() -> Vec<JournalEntry> {
    [
        JournalAction::Staged,
        JournalAction::Refused,
        JournalAction::Queued,
        JournalAction::Applied,
        JournalAction::Postponed,
        JournalAction::Aborted,
        JournalAction::Failed,
        JournalAction::RolledBack,
        JournalAction::Reverted,
    ]
    .into_iter()
    .map(|action| JournalEntry {
        unix_ms: 1_796_000_000_000,
        action,
        update: (action != JournalAction::Staged).then(|| "hello_v2".into()),
        id: (action != JournalAction::Staged).then_some(1),
        detail: String::new(),
    })
    .collect()
}

/// One loaded update library.
pub fn library() -> LibraryInfo {
    LibraryInfo {
        path: "/tmp/libupd.so".into(),
        fingerprint: "moult=0.1.0|rustc=1.95.0|profile=debug".into(),
        size_bytes: 18_935_552,
        loaded_unix_ms: 1_796_000_000_000,
    }
}

/// Every line the agent can send: each reply kind, each error code, events,
/// state, closing.
pub fn server_messages() -> Vec<ServerMessage> {
    let ok = |id, result| ServerMessage::Ok { id, result };
    let mut msgs = vec![
        ok(
            1,
            Response::Hello {
                protocol: moult_protocol::PROTOCOL_VERSION,
                capabilities: moult_protocol::CAPABILITIES
                    .iter()
                    .map(|c| c.to_string())
                    .collect(),
                agent: agent(),
            },
        ),
        ok(
            2,
            Response::Snapshot {
                snapshot: snapshot(),
            },
        ),
        ok(3, Response::Subscribed { from_seq: 77 }),
        ok(
            4,
            Response::Queued {
                updates: vec![QueuedUpdate {
                    id: 1,
                    name: "hello_v2".into(),
                }],
            },
        ),
        ok(5, Response::Requested { update: 1 }),
        ok(
            6,
            Response::Converted {
                class: class(),
                converted: 3,
            },
        ),
        ok(
            7,
            Response::Journal {
                entries: journal(),
                skipped: 1,
            },
        ),
        ok(
            8,
            Response::Libraries {
                libraries: vec![library()],
            },
        ),
        ServerMessage::Events {
            events: events(),
            dropped: 3,
        },
        ServerMessage::State {
            snapshot: snapshot(),
        },
        ServerMessage::Closing {
            reason: "idle for 120 s".into(),
        },
    ];
    for (code, id) in [
        (ErrorCode::TooLong, None),
        (ErrorCode::BadRequest, Some(9)),
        (ErrorCode::VersionMismatch, Some(1)),
        (ErrorCode::PermissionDenied, None),
        (ErrorCode::Busy, None),
        (ErrorCode::Refused, Some(10)),
        (ErrorCode::NotFound, Some(11)),
        (ErrorCode::Conflict, Some(12)),
    ] {
        msgs.push(ServerMessage::Error {
            id,
            error: ProtocolError::new(code, "what went wrong and what to do"),
        });
    }
    msgs
}

/// Every request, with and without its optional fields.
pub fn client_messages() -> Vec<ClientMessage> {
    [
        Request::Hello {
            protocol: moult_protocol::PROTOCOL_VERSION,
            client: "socat".into(),
        },
        Request::Snapshot,
        Request::Subscribe,
        Request::Apply {
            path: "/tmp/libupd.so".into(),
            watch: None,
        },
        Request::Apply {
            path: "/tmp/libupd.so".into(),
            watch: Some(WatchSpec {
                secs: 30.0,
                max_panics: 2,
            }),
        },
        Request::Revert { update: None },
        Request::Revert { update: Some(1) },
        Request::Postpone { update: 1 },
        Request::Abort { update: 1 },
        Request::Convert {
            class: "kv_server::Entry".into(),
        },
        Request::Reboot {
            thread: "worker".into(),
        },
        Request::RebootTasks {
            group: "conn".into(),
            point: None,
        },
        Request::RebootTasks {
            group: "conn".into(),
            point: Some("read".into()),
        },
        Request::Journal,
        Request::Libraries,
    ]
    .into_iter()
    .zip(1..)
    .map(|(request, id)| ClientMessage { id, request })
    .collect()
}
