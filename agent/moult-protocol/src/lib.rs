//! Wire types shared by the moult agent (in the app) and the console.
//!
//! Everything the agent reports — live state snapshots and the event stream of
//! update lifecycles — is expressed with these serde types, so the in-process
//! API, the socket and the console all speak the same vocabulary. The
//! protocol is documented in `docs/PROTOCOL.md`; with the `schema` feature,
//! its `schema` module generates the JSON Schemas committed in `schema/`.

mod agent;
pub mod discovery;
mod event;
mod frame;
mod journal;
mod library;
mod names;
mod reply;
mod request;
#[cfg(feature = "schema")]
pub mod schema;
mod snapshot;
mod source;

pub use agent::AgentInfo;
pub use event::{Blocker, ClassChange, Event, EventKind, LifecycleStep, Outcome};
pub use frame::{FrameError, MAX_REQUEST_BYTES, decode_request, read_line, request_id};
pub use journal::{JournalAction, JournalEntry};
pub use library::LibraryInfo;
pub use reply::{CAPABILITIES, ErrorCode, ProtocolError, QueuedUpdate, Response, ServerMessage};
pub use request::{ClientMessage, PROTOCOL_VERSION, Request, WatchSpec};
pub use snapshot::{
    ClassInfo, FunctionInfo, MainHealth, Snapshot, TaskInfo, ThreadActivity, ThreadInfo,
    ThreadState, UpdateInfo, VersionCount, VersionHealth,
};
pub use source::{FnSource, MoultBuild};
