//! Tutorial step 4, exercise 2 — a web server (Pymoult's `step4` web server).
//!
//! What it teaches: a complex update of a live server, combining everything
//! the tutorial showed. The app is a real HTTP server on `127.0.0.1` (port
//! from `MOULT_DEMO_PORT`, 8080 by default) serving `/hello`, `/banana` and
//! `/coconut`; each page says how many times the visiting session saw it
//! ("you visited /banana 3 times"), sessions being told apart by a cookie
//! set on the first visit.
//!
//! Its state is three tracked classes, as in Pymoult: [`PAGE`] (the pages),
//! [`SESSION`] (one per cookie, with its counters) and [`WEBSERVER`] (the
//! one server state, holding the pages and the session table). Requests are
//! answered by the hot function [`handle_request`] (Pymoult's
//! `Handler.do_GET`), called on the DSU thread [`SERVER_THREAD`], which
//! passes the update point [`UPDATE_POINT`] between two requests.
//!
//! The update adds users and a login: sessions converted lazily (they become
//! anonymous and keep their counters), pages eagerly, then the server state
//! converted and the handler redefined while the server thread waits at its
//! update point.
//!
//! The app is a library (this file) and a binary (`main.rs`) so that update
//! crates can name its classes, traits, types and hot function.

mod handler;
mod http;
mod page;
mod serve;
mod server;
mod session;

pub use handler::{escape, handle_request, not_found, session_for};
pub use http::{
    Request, Response, SESSION_COOKIE, page_html, session_from_cookie_header, url_decode,
};
pub use page::{PAGE, PAGES, Page, PageApi, PageText};
pub use serve::{DEFAULT_PORT, PORT_ENV, SERVER_THREAD, UPDATE_POINT, port, run};
pub use server::{ServerApi, WEBSERVER, Webserver, open_session_in, pages_by_path};
pub use session::{SESSION, Session, SessionApi, new_session_id, visits_phrase};
