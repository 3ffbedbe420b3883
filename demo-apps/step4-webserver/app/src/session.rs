//! Sessions (Pymoult's class `Session`): one per browser, named by the id
//! its cookie carries, counting the visits of each page.

use std::any::Any;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

/// What every version of `Session` offers the server and the pages. `Any`
/// lets new code find out which version it holds (a new version's extra
/// fields are reached by downcasting).
pub trait SessionApi: Any + Send + Sync {
    /// The id the session cookie carries.
    fn id(&self) -> &str;
    /// Counts one more visit of `path`; returns the visits so far.
    fn visit(&mut self, path: &str) -> u32;
    /// Visits of `path` so far.
    fn visits(&self, path: &str) -> u32;
}

/// Version 0 of `Session`: an id and a visit counter per page.
#[derive(Debug, Clone, Default)]
pub struct Session {
    /// The id the session cookie carries.
    pub id: String,
    /// Visits per path (`/banana` → 3).
    pub visits: HashMap<String, u32>,
}

impl SessionApi for Session {
    fn id(&self) -> &str {
        &self.id
    }

    fn visit(&mut self, path: &str) -> u32 {
        let count = self.visits.entry(path.to_string()).or_default();
        *count += 1;
        *count
    }

    fn visits(&self, path: &str) -> u32 {
        self.visits.get(path).copied().unwrap_or(0)
    }
}

moult::class!(
    /// The tracked class `Session`; its constructor of record takes the id.
    pub static SESSION: dyn SessionApi, String = "Session" as Session,
        |id| Box::new(Session { id, visits: HashMap::new() })
);

/// A fresh session id: 16 hex digits, unpredictable enough for a demo (std's
/// randomly keyed hasher, keyed anew for each id).
pub fn new_session_id() -> String {
    format!("{:016x}", RandomState::new().hash_one(std::process::id()))
}

/// `you visited /banana 3 times`: what every version of the pages says.
pub fn visits_phrase(path: &str, visits: u32) -> String {
    let times = if visits == 1 { "time" } else { "times" };
    format!("you visited {path} {visits} {times}")
}
