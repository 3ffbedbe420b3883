//! What the agent sends back: replies to requests, and the subscription stream.

use serde::{Deserialize, Serialize};

use crate::{AgentInfo, ClassInfo, Event, JournalEntry, LibraryInfo, Snapshot};

/// Capabilities this agent offers, sent in the hello reply so a newer console
/// can tell what an older agent lacks.
pub const CAPABILITIES: &[&str] = &[
    "snapshot",
    "subscribe",
    "apply",
    "postpone",
    "abort",
    "convert",
    "revert",
    "watch",
    "reboot",
    "journal",
    "libraries",
];

/// One line from the agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum ServerMessage {
    /// A request succeeded.
    Ok {
        /// The request's id.
        id: u64,
        /// Its result.
        result: Response,
    },
    /// A request failed, or a line could not be read as a request (then `id`
    /// is the one found in the line, if any).
    Error {
        /// The request's id, when it could be read.
        id: Option<u64>,
        /// What went wrong and what to do.
        error: ProtocolError,
    },
    /// Subscription: events since the last batch.
    Events {
        /// Events in order.
        events: Vec<Event>,
        /// Events this subscriber missed (the agent's ring overwrote them
        /// before they could be sent): a console shows it as a warning.
        dropped: u64,
    },
    /// Subscription: the live state, sent first and then periodically
    /// (counters such as calls and live instances change without events).
    State {
        /// The full state.
        snapshot: Snapshot,
    },
    /// The agent is closing this connection; the reason says why.
    Closing {
        /// E.g. "too slow: 1200 events not delivered".
        reason: String,
    },
}

/// The result of a successful request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Response {
    /// Reply to `hello`.
    Hello {
        /// The agent's protocol version.
        protocol: u32,
        /// What the agent can do ([`CAPABILITIES`]).
        capabilities: Vec<String>,
        /// Who the agent is.
        agent: AgentInfo,
    },
    /// Reply to `snapshot`.
    Snapshot {
        /// The live state.
        snapshot: Snapshot,
    },
    /// Reply to `subscribe`: `state` and `events` messages follow.
    Subscribed {
        /// Sequence number of the first event the stream will carry.
        from_seq: u64,
    },
    /// Reply to `apply` and `reboot`: the updates now in the manager's queue.
    Queued {
        /// The queued updates, in order.
        updates: Vec<QueuedUpdate>,
    },
    /// Reply to `postpone` and `abort`: the request was passed to the manager
    /// (the outcome arrives as events).
    Requested {
        /// The update concerned.
        update: u64,
    },
    /// Reply to `convert`.
    Converted {
        /// The class, after conversion.
        class: ClassInfo,
        /// Instances whose version changed.
        converted: u64,
    },
    /// Reply to `journal`.
    Journal {
        /// Entries, oldest first.
        entries: Vec<JournalEntry>,
        /// Damaged lines the agent skipped while reading the journal file,
        /// so the user knows the history has holes (absent from older
        /// agents: 0).
        #[serde(default)]
        skipped: u64,
    },
    /// Reply to `libraries`.
    Libraries {
        /// The loaded update libraries, in load order.
        libraries: Vec<LibraryInfo>,
    },
}

/// An update the agent queued for a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct QueuedUpdate {
    /// Manager id: follow it in `lifecycle` and `update_done` events.
    pub id: u64,
    /// The update's name.
    pub name: String,
}

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProtocolError {
    /// A stable code a program can match on.
    pub code: ErrorCode,
    /// What went wrong and what to do, for people.
    pub message: String,
}

impl ProtocolError {
    /// An error with this code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ProtocolError {
        ProtocolError {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ProtocolError {}

/// Error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The line is longer than [`crate::MAX_REQUEST_BYTES`].
    TooLong,
    /// Not UTF-8, not JSON, an unknown command, a missing or mistyped field.
    BadRequest,
    /// The client speaks another protocol version.
    VersionMismatch,
    /// The connecting process runs as another user.
    PermissionDenied,
    /// Too many connections are open; try again later.
    Busy,
    /// The library was refused (file, fingerprint, entry).
    Refused,
    /// No such update, class or thread.
    NotFound,
    /// The request is valid but cannot be done now (e.g. the update is past alterability).
    Conflict,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_tagged_lines_that_round_trip() {
        let msg = ServerMessage::Ok {
            id: 3,
            result: Response::Queued {
                updates: vec![QueuedUpdate {
                    id: 1,
                    name: "hello_v2".into(),
                }],
            },
        };
        let line = serde_json::to_string(&msg).unwrap();
        assert_eq!(
            line,
            r#"{"type":"ok","id":3,"result":{"kind":"queued","updates":[{"id":1,"name":"hello_v2"}]}}"#
        );
        assert_eq!(serde_json::from_str::<ServerMessage>(&line).unwrap(), msg);
        let err = ServerMessage::Error {
            id: None,
            error: ProtocolError::new(ErrorCode::TooLong, "too long"),
        };
        let line = serde_json::to_string(&err).unwrap();
        assert_eq!(
            line,
            r#"{"type":"error","id":null,"error":{"code":"too_long","message":"too long"}}"#
        );
    }
}
