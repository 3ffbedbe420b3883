//! The server's state (Pymoult's class `Webserver`): its pages and its
//! session table. One instance lives for the whole run; an update converts
//! it to a version that knows more (users, say).

use std::any::Any;
use std::collections::HashMap;

use moult::class::Tracked;

use crate::page::PageApi;
use crate::session::{SESSION, SessionApi, new_session_id};

/// What every version of the server state offers the request handler.
pub trait ServerApi: Any + Send + Sync {
    /// The page served at `path`.
    fn page(&self, path: &str) -> Option<Tracked<dyn PageApi>>;
    /// The session with this id.
    fn session(&self, id: &str) -> Option<Tracked<dyn SessionApi>>;
    /// Opens a new session (built by `SESSION`'s constructor of record),
    /// files it under its id and returns it.
    fn open_session(&mut self) -> Tracked<dyn SessionApi>;
}

/// Version 0 of the server state.
pub struct Webserver {
    /// Pages by path.
    pub pages: HashMap<String, Tracked<dyn PageApi>>,
    /// Sessions by id (the cookie's value).
    pub sessions: HashMap<String, Tracked<dyn SessionApi>>,
}

impl ServerApi for Webserver {
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

/// Opens a session in `sessions` under a fresh id: what every version of
/// the server does the same way.
pub fn open_session_in(
    sessions: &mut HashMap<String, Tracked<dyn SessionApi>>,
) -> Tracked<dyn SessionApi> {
    let id = new_session_id();
    let session = SESSION.create(id.clone());
    sessions.insert(id, session.clone());
    session
}

/// Files `pages` by their path.
pub fn pages_by_path(pages: Vec<Tracked<dyn PageApi>>) -> HashMap<String, Tracked<dyn PageApi>> {
    pages
        .into_iter()
        .map(|page| {
            let path = page.read().path().to_string();
            (path, page)
        })
        .collect()
}

moult::class!(
    /// The tracked class `Webserver`; its constructor of record takes the pages.
    pub static WEBSERVER: dyn ServerApi, Vec<Tracked<dyn PageApi>> = "Webserver" as Webserver,
        |pages| Box::new(Webserver { pages: pages_by_path(pages), sessions: HashMap::new() })
);
