//! Human text for what the agent reports: the state snapshot, events, the
//! journal and the list of agents. Pure functions from protocol values to
//! strings, so the CLI, the TUI and snapshot tests share them.

mod agents;
mod clock;
mod conversion_pace;
mod duration;
mod event;
mod journal;
mod libraries;
mod snapshot;
mod table;
mod task_blocker;

pub use agents::agents;
pub use clock::rfc3339_utc;
pub use conversion_pace::ConversionPace;
pub use duration::duration;
pub use event::{blockers, describe, event_line, outcome};
pub use journal::{journal, journal_entry};
pub use libraries::libraries;
pub use snapshot::{snapshot, thread_state};
pub use table::Table;
pub use task_blocker::{BlockerOf, GroupBlockers, blocker_of, group_blockers, task_detail};
