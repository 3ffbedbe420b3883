//! Protocol messages the fake agents send, built tersely.

use std::path::{Path, PathBuf};

use moult_protocol::{
    Blocker, Event, EventKind, LifecycleStep, Outcome, QueuedUpdate, Response, ServerMessage,
};

/// An event of the stream.
pub fn event(seq: u64, kind: EventKind) -> Event {
    Event {
        seq,
        at_ms: 1000 + seq,
        kind,
    }
}

/// An `events` batch.
pub fn events(events: Vec<Event>) -> ServerMessage {
    ServerMessage::Events { events, dropped: 0 }
}

/// An empty file standing for a built update library.
pub fn library(dir: &Path) -> PathBuf {
    let path = dir.join("libupd_hello.so");
    std::fs::write(&path, b"").unwrap();
    path
}

/// A successful reply.
pub fn ok(id: u64, result: Response) -> ServerMessage {
    ServerMessage::Ok { id, result }
}

/// A lifecycle step of `hello_v2` (or another update id).
pub fn lifecycle(seq: u64, id: u64, step: LifecycleStep) -> Event {
    event(
        seq,
        EventKind::Lifecycle {
            update: "hello_v2".into(),
            id,
            step,
        },
    )
}

/// The end of update `id`.
pub fn done(seq: u64, id: u64, outcome: Outcome) -> Event {
    event(
        seq,
        EventKind::UpdateDone {
            update: "hello_v2".into(),
            id,
            outcome,
        },
    )
}

/// Alterability attempt `attempt`/5 of update 7, blocked by `main` in `hello` or not.
pub fn attempt(seq: u64, attempt: u32, blocked: bool) -> Event {
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

/// The reply queuing `hello_v2` as update 7.
pub fn queued_hello() -> Response {
    Response::Queued {
        updates: vec![QueuedUpdate {
            id: 7,
            name: "hello_v2".into(),
        }],
    }
}
