//! The console's model: everything the agent said, applied in order.
//!
//! Pure: [`AppState`] is changed only by protocol messages (the subscription's
//! `state` snapshots and `events` batches, the journal) and by what the
//! connection reports (attached, reconnecting, detached). Views read it;
//! tests build it from canned protocol messages.

mod classes;
mod event_log;
mod functions;
mod history;
mod link;
mod tasks;
mod updates;

pub use classes::{ClassRow, Classes, Conversion};
pub use event_log::{EVENTS_KEPT, EventLog};
pub use functions::{FunctionRow, Functions};
pub use history::{HISTORY_LEN, History};
pub use link::Link;
pub use tasks::{TaskGroup, Tasks};
pub use updates::{ATTEMPTS_KEPT, Attempt, UpdateRow, Updates};

use moult_protocol::{
    AgentInfo, Event, EventKind, JournalEntry, ServerMessage, Snapshot, ThreadInfo,
};

/// Everything the console knows about the attached app.
#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    /// Who the app is (from hello, then every snapshot).
    pub agent: Option<AgentInfo>,
    /// Connected, reconnecting or detached.
    pub link: Link,
    /// Milliseconds since the agent started, as of the last snapshot.
    pub uptime_ms: u64,
    /// DSU threads.
    pub threads: Vec<ThreadInfo>,
    /// Tasks, by group (an older agent reports none).
    pub tasks: Tasks,
    /// Hot functions with their call rates.
    pub functions: Functions,
    /// Tracked classes with live counts and conversions.
    pub classes: Classes,
    /// The queue, the current update and the history.
    pub updates: Updates,
    /// The app's journal, oldest first: the history from before this console.
    pub journal: Vec<JournalEntry>,
    /// The newest events.
    pub events: EventLog,
    /// Events the agent dropped for this console (it read too slowly): a warning.
    pub dropped_events: u64,
    /// Client connections the agent has open (this one included).
    pub connections: u32,
    /// Subscribers the agent dropped so far (any client): a warning.
    pub dropped_subscribers: u64,
    /// Why the agent said it closes this connection, if it did.
    pub closing: Option<String>,
}

impl Default for AppState {
    fn default() -> AppState {
        AppState::new()
    }
}

impl AppState {
    /// Nothing known yet.
    pub fn new() -> AppState {
        AppState {
            agent: None,
            link: Link::Reconnecting {
                reason: "connecting".into(),
            },
            uptime_ms: 0,
            threads: Vec::new(),
            tasks: Tasks::default(),
            functions: Functions::default(),
            classes: Classes::default(),
            updates: Updates::default(),
            journal: Vec::new(),
            events: EventLog::default(),
            dropped_events: 0,
            connections: 0,
            dropped_subscribers: 0,
            closing: None,
        }
    }

    /// Connected to `agent`. Another process than before (the app came back
    /// with a new pid) starts from a clean slate.
    pub fn attached(&mut self, agent: AgentInfo) {
        if self.agent.as_ref().is_some_and(|old| old.pid != agent.pid) {
            *self = AppState::new();
        }
        self.agent = Some(agent);
        self.link = Link::Connected;
        self.closing = None;
    }

    /// The connection ended but the process runs: the console reconnects.
    pub fn reconnecting(&mut self, reason: impl Into<String>) {
        self.link = Link::Reconnecting {
            reason: reason.into(),
        };
    }

    /// The app exited: its last state stays on screen.
    pub fn detached(&mut self, reason: impl Into<String>) {
        self.link = Link::Detached {
            reason: reason.into(),
        };
    }

    /// The app's journal (fetched at attach and after each update ends).
    pub fn set_journal(&mut self, entries: Vec<JournalEntry>) {
        self.journal = entries;
    }

    /// Applies one message of the subscription stream (replies are the
    /// connection's business and are ignored here).
    pub fn apply(&mut self, message: ServerMessage) {
        match message {
            ServerMessage::State { snapshot } => self.snapshot(snapshot),
            ServerMessage::Events { events, dropped } => {
                self.dropped_events += dropped;
                for event in events {
                    self.event(event);
                }
            }
            ServerMessage::Closing { reason } => self.closing = Some(reason),
            ServerMessage::Ok { .. } | ServerMessage::Error { .. } => {}
        }
    }

    fn snapshot(&mut self, s: Snapshot) {
        self.uptime_ms = s.uptime_ms;
        self.threads = s.threads;
        self.tasks.snapshot(&s.tasks);
        self.functions.snapshot(&s.functions, s.uptime_ms);
        self.classes.snapshot(&s.classes);
        self.updates.snapshot(&s.updates);
        self.connections = s.connections;
        self.dropped_subscribers = s.dropped_subscribers;
        self.agent = Some(s.agent);
    }

    fn event(&mut self, event: Event) {
        match &event.kind {
            EventKind::FunctionRedefined { function, version } => {
                self.functions.redefined(function, *version);
            }
            EventKind::ClassRedefined {
                class,
                version,
                change,
            } => self.classes.redefined(class, *version, *change),
            EventKind::ConversionProgress {
                class,
                converted,
                total,
            } => self.classes.progress(class, *converted, *total),
            EventKind::ThreadState { thread, state } => {
                if let Some(t) = self.threads.iter_mut().find(|t| &t.name == thread) {
                    t.state = state.clone();
                }
            }
            other => self.updates.event(other),
        }
        self.events.push(event);
    }

    /// The app's name, or `?` before the first hello.
    pub fn app_name(&self) -> &str {
        self.agent.as_ref().map_or("?", |a| a.app.as_str())
    }
}

#[cfg(test)]
mod tests;
