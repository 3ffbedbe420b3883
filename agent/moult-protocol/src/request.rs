//! What a client (the console, the CLI) asks the agent, one JSON line each.

use serde::{Deserialize, Serialize};

/// Version of this protocol; the hello exchange refuses a mismatch naming both.
/// 2: `class_redefined` says what changed the class (`change`), not `lazy`.
/// 3: functions carry their versions' `health`; the `version_panicked` event.
pub const PROTOCOL_VERSION: u32 = 3;

/// One request line: an id the reply echoes, and the command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientMessage {
    /// Chosen by the client; echoed in the reply so requests can be pipelined.
    pub id: u64,
    /// The command and its arguments.
    #[serde(flatten)]
    pub request: Request,
}

/// The commands the agent serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "cmd", deny_unknown_fields)]
pub enum Request {
    /// First message of a connection: the client's protocol version and name.
    Hello {
        /// The client's [`PROTOCOL_VERSION`].
        protocol: u32,
        /// Free text for logs (e.g. `moult-console 0.1.0`).
        client: String,
    },
    /// The full state: threads, update points, functions, classes, updates.
    Snapshot,
    /// A snapshot, then events as they happen (at a bounded rate).
    Subscribe,
    /// Stage an update library (a built `.so` on the app's machine) and apply it.
    Apply {
        /// Path of the library file, as the app's user can read it.
        path: String,
    },
    /// Postpone update `update` (back in the queue).
    Postpone {
        /// Update id.
        update: u64,
    },
    /// Abort update `update`.
    Abort {
        /// Update id.
        update: u64,
    },
    /// Run class `class`'s pending lazy conversion eagerly now.
    Convert {
        /// Class name.
        class: String,
    },
    /// Reboot DSU thread `thread` onto its current main.
    Reboot {
        /// DSU thread name.
        thread: String,
    },
    /// The app's update journal.
    Journal,
}
