//! Version 1 of `Session`: the same counters, and who is logged in
//! (given: only the transformer has a TODO).

use std::any::Any;
use std::collections::HashMap;

use step4_webserver::session::{Session, SessionApi};

/// Version 1 of `Session`.
#[derive(Debug, Clone, Default)]
pub struct SessionV2 {
    /// The id the session cookie carries (kept: the browser still sends it).
    pub id: String,
    /// Visits per path, kept from version 0.
    pub visits: HashMap<String, u32>,
    /// The logged-in user; `None` until the session logs in.
    pub user: Option<String>,
}

impl SessionApi for SessionV2 {
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

/// The new constructor of record: a new session is anonymous.
pub fn new_session(id: String) -> Box<dyn SessionApi> {
    Box::new(SessionV2 {
        id,
        visits: HashMap::new(),
        user: None,
    })
}

/// Pymoult's transformer for `Session`: a version 0 session as a version 1
/// one. With a lazy conversion it runs on the server thread, on the
/// session's next access.
pub fn session_transformer(old: &dyn SessionApi) -> Box<dyn SessionApi> {
    let old: &dyn Any = old;
    let old = old
        .downcast_ref::<Session>()
        .expect("version 0 is step4_webserver::session::Session");
    // TODO(learner): a visitor who browsed before the update must see their
    // counts go on; the session stays anonymous until it logs in.
    Box::new(SessionV2 {
        id: old.id.clone(),
        visits: HashMap::new(),
        user: None,
    })
}

/// The logged-in user of `session`, if it is a version 1 session with one.
pub fn user_of(session: &dyn SessionApi) -> Option<&str> {
    let session: &dyn Any = session;
    session.downcast_ref::<SessionV2>()?.user.as_deref()
}
