//! The state of the console's connection to the agent, as the header shows it.

/// Whether the console is talking to the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Connected and subscribed: what is shown is live.
    Connected,
    /// The connection ended while the process still runs (the agent dropped
    /// this console, or the socket went away): the console reconnects.
    Reconnecting {
        /// Why the connection ended.
        reason: String,
    },
    /// The app exited: what is shown is its last state. The console
    /// reattaches if an app of the same name starts again.
    Detached {
        /// Why, e.g. "the app exited".
        reason: String,
    },
}

impl Link {
    /// The one word the header shows.
    pub fn word(&self) -> &'static str {
        match self {
            Link::Connected => "connected",
            Link::Reconnecting { .. } => "reconnecting",
            Link::Detached { .. } => "detached",
        }
    }
}
