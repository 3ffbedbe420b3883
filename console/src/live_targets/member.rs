//! One target of a live table: the operator's name for it and the way to it.

use crate::remote::Route;

/// A target, as the operator wrote it, and its route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The target as written (`ssh://ops@web1/api`): the row's name, so the
    /// operator recognises what they typed or put in the fleet file.
    pub name: String,
    /// How to reach its agent (or, for a learner, its host).
    pub route: Route,
}

impl Member {
    /// The host column: the far side's `[user@]host[:port]`, or `local`
    /// for an agent of this machine.
    pub fn host(&self) -> String {
        match self.route.link() {
            Some(link) => link.label().to_string(),
            None => "local".into(),
        }
    }
}
