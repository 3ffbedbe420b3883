//! One target's row in a live table, and how news changes it.

use moult_protocol::AgentInfo;

use super::member::Member;
use super::report::News;
use super::summary::Summary;

/// Where the connection to a target stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// Not reached yet (the first attempt is under way).
    Connecting,
    /// Reached: its last poll answered.
    Connected,
    /// Its last attempt failed, for this reason; it is tried again.
    Unreachable(String),
}

/// What the table knows of one target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetRow {
    /// The target and the way to it.
    pub member: Member,
    /// The connection's state.
    pub link: LinkState,
    /// Its agent, once it answered (kept while unreachable, so the row
    /// still says which app and pid it was).
    pub agent: Option<AgentInfo>,
    /// Its last snapshot, reduced (kept while unreachable, marked stale by
    /// the link's state).
    pub summary: Option<Summary>,
}

impl TargetRow {
    /// A target not reached yet.
    pub fn new(member: Member) -> TargetRow {
        TargetRow {
            member,
            link: LinkState::Connecting,
            agent: None,
            summary: None,
        }
    }

    /// Takes in `news`.
    pub fn apply(&mut self, news: &News) {
        match news {
            News::Connected(agent) => {
                self.link = LinkState::Connected;
                if self.agent.as_ref().is_some_and(|a| a.pid != agent.pid) {
                    // Another process: the old one's state says nothing of it.
                    self.summary = None;
                }
                self.agent = Some((**agent).clone());
            }
            News::Snapshot(snapshot) => {
                self.link = LinkState::Connected;
                self.agent = Some(snapshot.agent.clone());
                self.summary = Some(Summary::of(snapshot));
            }
            News::Unreachable(why) => self.link = LinkState::Unreachable(why.clone()),
            News::Output(_) => self.link = LinkState::Connected,
        }
    }
}
