//! What a client (the console, the CLI) asks the agent, one JSON line each.

use serde::{Deserialize, Serialize};

/// A watch asked for with `apply`: more than `max_panics` panics of the
/// update's new versions within `secs` seconds revert it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WatchSpec {
    /// Length of the window, from the moment the update applied.
    pub secs: f64,
    /// Panics tolerated within the window.
    pub max_panics: u64,
}

/// Version of this protocol; the hello exchange refuses a mismatch naming both.
/// 2: `class_redefined` says what changed the class (`change`), not `lazy`.
/// 3: functions carry their versions' `health`; the `version_panicked`,
/// `update_reverted`, `watch_started` and `watch_ended` events; `revert`;
/// `apply` takes a `watch`; updates say whether they are `revertible`.
pub const PROTOCOL_VERSION: u32 = 3;

/// One request line: an id the reply echoes, and the command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
// The agent refuses unknown fields of a command with arguments; the schema
// refuses them for every command (a client checked against it never sends
// one), which serde cannot say through `flatten`.
#[cfg_attr(
    feature = "schema",
    schemars(extend("unevaluatedProperties" = false))
)]
pub struct ClientMessage {
    /// Chosen by the client; echoed in the reply so requests can be pipelined.
    pub id: u64,
    /// The command and its arguments.
    #[serde(flatten)]
    pub request: Request,
}

/// The commands the agent serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
        /// Keep watching its updates once applied; revert them if their new
        /// versions panic too often (enforced by the agent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        watch: Option<WatchSpec>,
    },
    /// Revert an applied update (the newest one not reverted, unless named).
    Revert {
        /// The update to revert; `None`: the newest applied one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        update: Option<u64>,
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
    /// Reboot the tasks of group `group` onto the group's current main at
    /// their next update point (any, or only `point`).
    RebootTasks {
        /// Task group name.
        group: String,
        /// Only this update point.
        #[serde(default)]
        point: Option<String>,
    },
    /// The app's update journal.
    Journal,
    /// The update libraries the app has loaded (path, fingerprint, size,
    /// when); agents older than this request refuse it.
    Libraries,
}
