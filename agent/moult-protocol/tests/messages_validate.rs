//! The committed JSON Schemas describe the JSON the serde types really
//! write and read: every message the types can produce validates (a
//! snapshot with every section filled, every event kind, every error code,
//! every reply and request), every variant a schema names is among those
//! samples, and lines the types refuse are refused by the schemas too.

// The feature is on in this workspace (the crate's self dev-dependency);
// a packaged copy of the crate, where cargo drops that dependency, skips
// these tests instead of failing to build them.
#![cfg(feature = "schema")]

use std::collections::BTreeSet;
use std::path::PathBuf;

use jsonschema::Validator;
use moult_protocol::{
    AgentInfo, Blocker, ClassChange, ClassInfo, ClientMessage, ErrorCode, Event, EventKind,
    FunctionInfo, JournalAction, JournalEntry, LibraryInfo, LifecycleStep, MainHealth, Outcome,
    ProtocolError, QueuedUpdate, Request, Response, ServerMessage, Snapshot, TaskInfo,
    ThreadActivity, ThreadInfo, ThreadState, UpdateInfo, VersionCount, VersionHealth, WatchSpec,
};
use serde_json::{Value, json};

/// The committed schema `file`, compiled.
fn validator(file: &str) -> Validator {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(moult_protocol::schema::DIR)
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; generate it with `MOULT_BLESS=1 cargo test -p moult-protocol --test schema`",
            path.display()
        )
    });
    let schema: Value = serde_json::from_str(&text).expect("a schema file is JSON");
    jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("{} is not a usable schema: {e}", path.display()))
}

/// Panics with every validation error if `value` does not validate.
fn assert_valid(validator: &Validator, file: &str, value: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("at {}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{value} does not validate against {file}:\n  {}",
        errors.join("\n  ")
    );
}

fn to_value(x: &impl serde::Serialize) -> Value {
    serde_json::to_value(x).expect("wire types serialise")
}

fn agent() -> AgentInfo {
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
    }
}

fn outcomes() -> Vec<Outcome> {
    vec![
        Outcome::Applied,
        Outcome::Postponed("not alterable in time".into()),
        Outcome::Aborted("asked by an operator".into()),
        Outcome::RolledBack("apply panicked".into()),
        Outcome::Failed("cleanup failed".into()),
    ]
}

fn thread_states() -> Vec<ThreadState> {
    vec![
        ThreadState::Running,
        ThreadState::Parked("loop_top".into()),
        ThreadState::Rebooting,
        ThreadState::Finished,
    ]
}

fn steps() -> Vec<LifecycleStep> {
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
fn snapshot() -> Snapshot {
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

fn class() -> ClassInfo {
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
fn events() -> Vec<Event> {
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

fn journal() -> Vec<JournalEntry> {
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

fn library() -> LibraryInfo {
    LibraryInfo {
        path: "/tmp/libupd.so".into(),
        fingerprint: "moult=0.1.0|rustc=1.95.0|profile=debug".into(),
        size_bytes: 18_935_552,
        loaded_unix_ms: 1_796_000_000_000,
    }
}

/// Every line the agent can send: each reply kind, each error code, events,
/// state, closing.
fn server_messages() -> Vec<ServerMessage> {
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
fn client_messages() -> Vec<ClientMessage> {
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

/// Every `const` and `enum` string of a schema: the tags and unit variants
/// it names.
fn named_variants(schema: &Value, into: &mut BTreeSet<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(s)) = map.get("const") {
                into.insert(s.clone());
            }
            if let Some(Value::Array(values)) = map.get("enum") {
                into.extend(values.iter().filter_map(|v| v.as_str().map(String::from)));
            }
            map.values().for_each(|v| named_variants(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| named_variants(v, into)),
        _ => {}
    }
}

/// Every string a JSON value holds.
fn strings(value: &Value, into: &mut BTreeSet<String>) {
    match value {
        Value::String(s) => {
            into.insert(s.clone());
        }
        Value::Object(map) => map.values().for_each(|v| strings(v, into)),
        Value::Array(items) => items.iter().for_each(|v| strings(v, into)),
        _ => {}
    }
}

/// The samples name every variant the schema `file` names: a new event
/// kind, reply or error code without a sample here fails.
fn assert_samples_cover(file: &str, samples: &[Value]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(moult_protocol::schema::DIR)
        .join(file);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut named = BTreeSet::new();
    named_variants(&schema, &mut named);
    let mut seen = BTreeSet::new();
    samples.iter().for_each(|s| strings(s, &mut seen));
    let missing: Vec<_> = named.difference(&seen).collect();
    assert!(
        missing.is_empty(),
        "{file} names variants no sample in this test produces: {missing:?}; add a sample of each"
    );
}

#[test]
fn every_message_the_agent_sends_validates() {
    let file = "server-message.schema.json";
    let v = validator(file);
    let samples: Vec<Value> = server_messages().iter().map(to_value).collect();
    for sample in &samples {
        assert_valid(&v, file, sample);
    }
    assert_samples_cover(file, &samples);
}

#[test]
fn every_request_validates() {
    let file = "client-message.schema.json";
    let v = validator(file);
    let samples: Vec<Value> = client_messages().iter().map(to_value).collect();
    for sample in &samples {
        assert_valid(&v, file, sample);
    }
    assert_samples_cover(file, &samples);
}

#[test]
fn the_parts_validate_on_their_own() {
    let check = |file: &str, samples: Vec<Value>| {
        let v = validator(file);
        for sample in &samples {
            assert_valid(&v, file, sample);
        }
        assert_samples_cover(file, &samples);
    };
    check("snapshot.schema.json", vec![to_value(&snapshot())]);
    check("event.schema.json", events().iter().map(to_value).collect());
    check(
        "journal-entry.schema.json",
        journal().iter().map(to_value).collect(),
    );
    check("agent-info.schema.json", vec![to_value(&agent())]);
    check("library-info.schema.json", vec![to_value(&library())]);
}

/// Lines as a client or an older agent may write them: a line serde
/// refuses, the schema refuses too, and the defaults serde fills in (an
/// older agent's missing field) and the fields it ignores (a newer one's)
/// the schema allows. For requests the schema is the stricter one.
#[test]
fn the_schemas_refuse_what_the_types_refuse() {
    let server = validator("server-message.schema.json");
    let reads = |line: &Value| serde_json::from_value::<ServerMessage>(line.clone()).is_ok();
    let mut older = to_value(&ServerMessage::State {
        snapshot: snapshot(),
    });
    let snap = older["snapshot"].as_object_mut().unwrap();
    snap.remove("tasks"); // an agent before tasks: serde's default
    snap.insert("added_later".into(), json!(1)); // a newer agent's field
    let accepted = [
        older,
        json!({"type":"ok","id":1,"result":{"kind":"journal","entries":[]}}),
        json!({"type":"error","id":null,"error":{"code":"busy","message":"retry"}}),
    ];
    for line in &accepted {
        assert!(reads(line), "serde refuses {line}");
        assert_valid(&server, "server-message.schema.json", line);
    }
    let refused = [
        json!({"type":"explode"}),
        json!({"type":"error","id":1,"error":{"code":"oops","message":"x"}}),
        json!({"type":"ok","id":1,"result":{"kind":"requested","update":"one"}}),
        json!({"type":"events","dropped":0,"events":[{"seq":0,"at_ms":0,
            "kind":{"type":"lifecycle","update":"u","id":1,"step":"sleeping"}}]}),
        json!({"type":"closing"}),
    ];
    for line in &refused {
        assert!(!reads(line), "serde reads {line}");
        assert!(!server.is_valid(line), "the schema accepts {line}");
    }

    let client = validator("client-message.schema.json");
    let agent_reads = |line: &Value| moult_protocol::decode_request(&line.to_string()).is_ok();
    for line in [
        json!({"id":1,"cmd":"abort"}),
        json!({"id":1,"cmd":"abort","update":"three"}),
        json!({"id":1,"cmd":"abort","update":7,"extra":2}),
        json!({"id":-1,"cmd":"snapshot"}),
        json!({"cmd":"snapshot"}),
        json!({"id":1,"cmd":"explode"}),
        json!({"id":1,"cmd":"hello","protocol":3}),
    ] {
        assert!(!agent_reads(&line), "the agent reads {line}");
        assert!(!client.is_valid(&line), "the schema accepts {line}");
    }
    // Stricter than the agent: an argument-less command's unknown field is
    // ignored by the agent but not allowed by the schema.
    let extra = json!({"id":1,"cmd":"snapshot","extra":1});
    assert!(agent_reads(&extra) && !client.is_valid(&extra));
    let optional = json!({"id":1,"cmd":"reboot_tasks","group":"conn"});
    assert!(agent_reads(&optional) && client.is_valid(&optional));
}
