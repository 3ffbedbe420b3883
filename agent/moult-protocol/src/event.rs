//! The event stream: every lifecycle step, alterability attempt and outcome.

use serde::{Deserialize, Serialize};

/// One entry of the agent's bounded event stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Event {
    /// Monotonic sequence number; a reader that sees a gap knows how many it missed.
    pub seq: u64,
    /// Milliseconds since the agent started, so events order without wall-clock skew.
    pub at_ms: u64,
    /// What happened.
    pub kind: EventKind,
}

/// The steps of an update's lifecycle, in the order the manager runs them
/// (Pymoult's `Update` hooks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LifecycleStep {
    /// Waiting in the manager's queue.
    Queued,
    /// `check_requirements`: yes / no (postpone) / never (abort).
    Requirements,
    /// `preupdate_setup`.
    Setup,
    /// `wait_alterability` / `check_alterability`.
    Alterability,
    /// `apply`.
    Apply,
    /// `preresume_setup` and the resume hook.
    Resume,
    /// `wait_over` / `check_over`.
    Over,
    /// `cleanup`.
    Cleanup,
    /// Finished, one way or another (see [`Outcome`]).
    Done,
}

/// How an update ended (or why it left the head of the queue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "outcome", content = "reason")]
pub enum Outcome {
    /// Applied and over.
    Applied,
    /// Requirements said "no" or alterability was not reached in time: back in the queue.
    Postponed(String),
    /// Requirements said "never", an operator aborted, or it was postponed too often.
    Aborted(String),
    /// `apply` (or a transformer) failed or panicked; everything it did was rolled back.
    RolledBack(String),
    /// A hook outside `apply` failed after the update took effect; the update stays applied.
    Failed(String),
}

/// What stood in the way of alterability on one attempt: the answer to
/// "why doesn't my update apply?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Blocker {
    /// Thread name (DSU thread name, or the OS thread name, or `tid <n>`).
    pub thread: String,
    /// Hot function still active there, or the update point the thread has not reached.
    pub function: Option<String>,
    /// Activation depth of that function on that thread (recursion counts).
    pub depth: u32,
    /// Free text for anything else (e.g. "not parked at an update point").
    pub detail: String,
}

/// How a class came to its new version (`class_redefined`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClassChange {
    /// Only the constructor of record changed (Pymoult's `redefineClass`):
    /// existing instances keep their version until converted.
    Constructor,
    /// Every live instance was converted during the update.
    EagerConversion,
    /// Instances convert on their next access.
    LazyConversion,
    /// A failed update was rolled back: the version is the one before it.
    RolledBack,
}

/// Everything the agent reports on its event stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum EventKind {
    /// An update entered the manager's queue.
    UpdateQueued { update: String, id: u64 },
    /// An update moved to a lifecycle step.
    Lifecycle {
        update: String,
        id: u64,
        step: LifecycleStep,
    },
    /// One alterability attempt; `blockers` empty means alterable.
    Alterability {
        update: String,
        id: u64,
        attempt: u32,
        max_tries: u32,
        blockers: Vec<Blocker>,
    },
    /// The update left the queue head with this outcome.
    UpdateDone {
        update: String,
        id: u64,
        outcome: Outcome,
    },
    /// A hot function got a new version.
    FunctionRedefined { function: String, version: u32 },
    /// A class's constructor of record changed version: a redefinition,
    /// a conversion, or a rollback putting the old version back.
    ClassRedefined {
        class: String,
        version: u32,
        /// What changed it, so a console does not call a constructor swap
        /// or a rollback a conversion.
        change: ClassChange,
    },
    /// Conversion progress of a class (eager: during the update; lazy: on demand).
    ConversionProgress {
        class: String,
        converted: u64,
        total: u64,
    },
    /// A DSU thread changed state.
    ThreadState {
        thread: String,
        state: super::ThreadState,
    },
    /// An action was undone during a rollback.
    RolledBack { update: String, what: String },
    /// An update library was loaded and handed out these updates.
    LibraryLoaded { path: String, updates: Vec<String> },
    /// An update library was refused; nothing of it was submitted.
    LibraryRefused { path: String, reason: String },
    /// Free-form log line (Pymoult's `log(level, msg)`).
    Log { level: String, message: String },
    /// An applied update was reverted (by update `id`, a revert).
    UpdateReverted {
        /// The revert's name.
        update: String,
        /// The revert's id.
        id: u64,
        /// The update undone.
        target: u64,
        /// Why: an operator's request, or what the watch saw.
        reason: String,
    },
    /// An applied update is watched: more than `max_panics` panics of its
    /// new versions within `secs` revert it.
    WatchStarted {
        update: String,
        id: u64,
        secs: f64,
        max_panics: u64,
    },
    /// A watch ended: the update was reverted, or kept.
    WatchEnded {
        update: String,
        id: u64,
        reverted: bool,
        detail: String,
    },
    /// Calls of a hot function's version panicked. At most one such event
    /// a second per function: a burst is summarised by `since_last`.
    VersionPanicked {
        function: String,
        version: u32,
        /// Panics of that version so far.
        panics: u64,
        /// Panics of the function since its previous `version_panicked`
        /// event (the ones this event reports).
        since_last: u64,
    },
}
