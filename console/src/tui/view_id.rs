//! The console's main views, by name and tab order: what the key table,
//! the operator's state and the views all refer to.

/// The main views, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViewId {
    /// DSU threads.
    Threads,
    /// Hot functions.
    Functions,
    /// Tracked classes.
    Classes,
    /// The update queue, lifecycle and journal.
    Updates,
    /// Alterability attempts and the event log.
    Alterability,
}

impl ViewId {
    /// Every view, in tab order.
    pub const ALL: [ViewId; 5] = [
        ViewId::Threads,
        ViewId::Functions,
        ViewId::Classes,
        ViewId::Updates,
        ViewId::Alterability,
    ];

    /// The tab's title.
    pub fn title(self) -> &'static str {
        match self {
            ViewId::Threads => "Threads",
            ViewId::Functions => "Functions",
            ViewId::Classes => "Classes",
            ViewId::Updates => "Updates",
            ViewId::Alterability => "Alterability",
        }
    }

    /// Position in [`ViewId::ALL`].
    pub fn index(self) -> usize {
        ViewId::ALL.iter().position(|&v| v == self).unwrap_or(0)
    }
}
