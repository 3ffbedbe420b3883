//! The per-app update journal: one JSON line per update event, kept in a file
//! next to the socket so the history survives every client (and the app).

use serde::{Deserialize, Serialize};

/// What happened to an update (or an update library).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum JournalAction {
    /// A library was loaded and its updates handed out.
    Staged,
    /// A library was refused before any update ran (fingerprint, entry, file).
    Refused,
    /// An update entered the queue.
    Queued,
    /// An update was applied and is over.
    Applied,
    /// An update went back to the queue (requirements or alterability).
    Postponed,
    /// An update was aborted (requirements said never, an operator, or too many postponements).
    Aborted,
    /// A hook after `apply` failed; the update stays applied.
    Failed,
    /// `apply` failed or panicked and everything it did was undone.
    RolledBack,
    /// An applied update was undone by a revert (`id` is the revert's;
    /// the detail names the update undone and why).
    Reverted,
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct JournalEntry {
    /// Wall-clock time, milliseconds since the Unix epoch (the journal
    /// outlives the process, so uptime would mean nothing).
    pub unix_ms: u64,
    /// What happened.
    pub action: JournalAction,
    /// Update name, when the entry is about one update.
    pub update: Option<String>,
    /// Manager id of that update.
    pub id: Option<u64>,
    /// Library path (staged/refused) or the reason (postponed, aborted, failed, rolled back).
    pub detail: String,
}
