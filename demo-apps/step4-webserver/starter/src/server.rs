//! Version 1 of the server state: the same pages and sessions, and users
//! (given: only the transformer has a TODO).

use std::any::Any;
use std::collections::HashMap;

use moult::class::Tracked;
use step4_webserver::page::PageApi;
use step4_webserver::server::{ServerApi, Webserver, open_session_in, pages_by_path};
use step4_webserver::session::SessionApi;

/// Who may log in, with their passwords.
pub const USERS: [(&str, &str); 2] = [("alice", "wonderland"), ("bob", "builder")];

/// Version 1 of the server state.
pub struct WebserverV2 {
    /// Pages by path, kept from version 0.
    pub pages: HashMap<String, Tracked<dyn PageApi>>,
    /// Sessions by id, kept from version 0 (the same instances: their own
    /// conversion is lazy).
    pub sessions: HashMap<String, Tracked<dyn SessionApi>>,
    /// Passwords by user name.
    pub users: HashMap<String, String>,
}

impl WebserverV2 {
    /// `true` if `user` exists and `password` is theirs.
    pub fn authenticate(&self, user: &str, password: &str) -> bool {
        self.users.get(user).is_some_and(|p| p == password)
    }
}

impl ServerApi for WebserverV2 {
    fn page(&self, path: &str) -> Option<Tracked<dyn PageApi>> {
        self.pages.get(path).cloned()
    }

    fn session(&self, id: &str) -> Option<Tracked<dyn SessionApi>> {
        self.sessions.get(id).cloned()
    }

    fn open_session(&mut self) -> Tracked<dyn SessionApi> {
        open_session_in(&mut self.sessions)
    }
}

/// The [`USERS`] table.
pub fn users() -> HashMap<String, String> {
    USERS
        .iter()
        .map(|(user, password)| (user.to_string(), password.to_string()))
        .collect()
}

/// The new constructor of record (the app builds its one state at start;
/// this is for completeness).
pub fn new_server(pages: Vec<Tracked<dyn PageApi>>) -> Box<dyn ServerApi> {
    Box::new(WebserverV2 {
        pages: pages_by_path(pages),
        sessions: HashMap::new(),
        users: users(),
    })
}

/// The transformer of the server state: the version 0 state as a version 1
/// one.
pub fn server_transformer(old: &dyn ServerApi) -> Box<dyn ServerApi> {
    let old: &dyn Any = old;
    let old = old
        .downcast_ref::<Webserver>()
        .expect("version 0 is step4_webserver::server::Webserver");
    // TODO(learner): keep the session table too. Does copying a session's
    // handle read it (and so convert it) or not? (`moult::class::Tracked`.)
    Box::new(WebserverV2 {
        pages: old.pages.clone(),
        sessions: HashMap::new(),
        users: users(),
    })
}
