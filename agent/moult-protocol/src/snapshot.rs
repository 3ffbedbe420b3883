//! Snapshots of the agent's registries: what the console's tables show.

use serde::{Deserialize, Serialize};

use crate::AgentInfo;

/// State of a DSU thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "state", content = "point")]
pub enum ThreadState {
    /// Running its main.
    Running,
    /// Parked at the named update point while an update applies.
    Parked(String),
    /// Unwinding to its root to restart on a (new) main.
    Rebooting,
    /// Its main returned (or panicked, see the event log) and no new main is pending.
    Finished,
}

/// One task (`moult::task::spawn`) as the registry sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TaskInfo {
    /// Unique in the process: how the console tells two tasks of a group apart.
    pub id: u64,
    /// Its group (`conn`, `purge`): what updates address.
    pub group: String,
    /// Running, parked at a point, rebooting.
    pub state: ThreadState,
    /// The last update point it passed: where it is likely to stop next.
    pub last_point: Option<String>,
    /// Version of the main it runs (0: the future it was spawned with).
    pub main_version: u32,
}

/// One DSU thread as the registry sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ThreadInfo {
    /// Name given at spawn; unique among DSU threads, used to address the thread.
    pub name: String,
    /// Current state.
    pub state: ThreadState,
    /// Last update point the thread passed, if any.
    pub last_point: Option<String>,
    /// Version of the main the thread runs (0 = the one it was spawned with).
    pub main_version: u32,
    /// How many times it was rebooted.
    pub reboots: u32,
    /// Panics and reboots of each main it ran (mains that did neither are
    /// left out): how an operator judges a switched main.
    #[serde(default)]
    pub mains: Vec<MainHealth>,
}

/// How one main of a DSU thread fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MainHealth {
    /// The main's version (0 = the one the thread was spawned with).
    pub version: u32,
    /// Times it panicked (its thread then finished, or took a pending main).
    pub panics: u32,
    /// Times the thread was rebooted while it ran.
    pub reboots: u32,
}

/// Live activations of one hot function on one thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ThreadActivity {
    /// Thread name (DSU name, OS name, or `tid <n>`).
    pub thread: String,
    /// Activations running now (recursion depth).
    pub active: u32,
    /// Calls made on this thread since it started (for calls/s).
    pub calls: u64,
}

/// One hot function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FunctionInfo {
    /// Module path + name (e.g. `step1_hello::hello`), the name updates use.
    pub name: String,
    /// Rust signature, as `std::any::type_name` of its fn-pointer type.
    pub signature: String,
    /// 0 for the compiled-in version, +1 per redefinition.
    pub version: u32,
    /// Per-thread activity (threads with no calls are left out).
    pub threads: Vec<ThreadActivity>,
    /// `true` while an update holds new callers at the entry gate.
    pub gated: bool,
    /// Calls and panics of every version the function has had, oldest
    /// first: how an operator (or a watch) judges an update.
    #[serde(default)]
    pub health: Vec<VersionHealth>,
    /// Its signature as written and the package defining it (absent from
    /// older agents): what an update crate scaffolded from the live app lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<crate::FnSource>,
}

/// How one version of a hot function fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VersionHealth {
    /// Version number (0 = compiled-in).
    pub version: u32,
    /// Calls made while it was the current version.
    pub calls: u64,
    /// Those calls that panicked.
    pub panics: u64,
}

/// Live instances of one version of a class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VersionCount {
    /// Version number (0 = compiled-in).
    pub version: u32,
    /// Concrete Rust type of that version's values.
    pub type_name: String,
    /// Live instances holding a value of that version.
    pub live: u64,
}

/// One tracked class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ClassInfo {
    /// Module path + name, the name updates use.
    pub name: String,
    /// Version new instances are built with (constructor of record).
    pub version: u32,
    /// Live instances per version.
    pub versions: Vec<VersionCount>,
    /// Instances still waiting for a lazy conversion.
    pub pending_lazy: u64,
}

/// One update known to the manager (queued, current or finished).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UpdateInfo {
    /// Manager-assigned id.
    pub id: u64,
    /// Update name (used by `is_applied`).
    pub name: String,
    /// Where it is in its lifecycle.
    pub step: super::LifecycleStep,
    /// Alterability attempts made so far in the current round.
    pub attempts: u32,
    /// How it ended, once done.
    pub outcome: Option<super::Outcome>,
    /// For an applied update: whether it can be reverted now (`None` for
    /// the others).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revertible: Option<bool>,
    /// The revert that undid it, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverted_by: Option<u64>,
}

/// Everything the agent knows, at one moment: what `status` prints and the
/// console's panes start from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Snapshot {
    /// Who the agent is.
    pub agent: AgentInfo,
    /// Milliseconds since the agent started, when the snapshot was taken.
    pub uptime_ms: u64,
    /// DSU threads (their state and last update point).
    pub threads: Vec<ThreadInfo>,
    /// Hot functions with their versions and live activations per thread.
    pub functions: Vec<FunctionInfo>,
    /// Tasks (`moult::task::spawn`), group by group; absent from older agents.
    #[serde(default)]
    pub tasks: Vec<TaskInfo>,
    /// Tracked classes with live instances per version.
    pub classes: Vec<ClassInfo>,
    /// The update queue, the current update and recent history.
    pub updates: Vec<UpdateInfo>,
    /// Sequence number of the next event: events before it are reflected here.
    pub next_event: u64,
    /// Client connections open now (this one included).
    pub connections: u32,
    /// Subscribers dropped so far because they stopped reading.
    pub dropped_subscribers: u64,
}
