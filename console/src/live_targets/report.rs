//! What the connection workers ([`super::pool`]) tell a live view: news
//! about one target, by its index in the table.

use moult_protocol::{AgentInfo, Snapshot};

/// News about the target at `index`.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The target's index among the members the pool was started with
    /// (the table's row).
    pub index: usize,
    /// What happened.
    pub news: News,
}

/// What a worker learnt about a target.
#[derive(Debug, Clone, PartialEq)]
pub enum News {
    /// Connected (again), to this agent.
    Connected(Box<AgentInfo>),
    /// The agent's state now.
    Snapshot(Box<Snapshot>),
    /// The target cannot be reached, for this reason (ssh's words, or the
    /// far side's); the worker tries again.
    Unreachable(String),
    /// A command run on the target's host answered (its stdout): the far
    /// side is reachable.
    Output(String),
}
