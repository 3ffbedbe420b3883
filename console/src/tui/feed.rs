//! What the background threads (the agent connection, a crate build) tell
//! the UI loop, and what the UI asks the connection to do.

use std::path::PathBuf;

use moult_protocol::{AgentInfo, JournalEntry, ServerMessage};

/// A message to the UI loop.
#[derive(Debug, Clone, PartialEq)]
pub enum Feed {
    /// Connected (again) to this agent, subscribed.
    Attached(AgentInfo),
    /// A message of the subscription stream.
    Message(ServerMessage),
    /// The app's journal (at attach and after an update ends).
    Journal(Vec<JournalEntry>),
    /// The connection ended while the process runs: reconnecting.
    Reconnecting(String),
    /// The app exited: waiting for an app of the same name.
    Detached(String),
    /// The answer to a [`AgentCommand`]: `Ok` news or `Err` why not.
    Reply(Result<String, String>),
    /// The answer to a command that queued updates: the news, and the
    /// updates it is about (it is stale once they all ended).
    Queued {
        /// What to tell the operator.
        text: String,
        /// The updates queued.
        updates: Vec<u64>,
    },
    /// One line of cargo's output while an update crate builds.
    BuildLine(String),
    /// The build ended: the library, or why there is none.
    BuildDone(Result<PathBuf, String>),
}

/// A request for the agent, sent by the UI to the connection thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentCommand {
    /// Stage and apply this library (an absolute path).
    Apply(PathBuf),
    /// Put this update back in the queue.
    Postpone(u64),
    /// Abort this update.
    Abort(u64),
    /// Run this class's pending lazy conversion now.
    Convert(String),
    /// Reboot this DSU thread.
    Reboot(String),
    /// Reboot the tasks of this group onto its main.
    RebootTasks(String),
    /// Revert this applied update.
    Revert(u64),
}
