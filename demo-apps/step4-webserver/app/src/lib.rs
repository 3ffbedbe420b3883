//! Tutorial step 4, exercise 2 — a web server (Pymoult's `step4` web server).
//!
//! What it teaches: a complex update of a live server, combining everything
//! the tutorial showed. The app is a real HTTP server on `127.0.0.1` (port
//! from `MOULT_DEMO_PORT`, 8080 by default) serving `/hello`, `/banana` and
//! `/coconut`; each page says how many times the visiting session saw it
//! ("you visited /banana 3 times"), sessions being told apart by a cookie
//! set on the first visit.
//!
//! Its state is three tracked classes, as in Pymoult:
//! [`PAGE`](page::PAGE) (the pages), [`SESSION`](session::SESSION) (one per
//! cookie, with its counters) and [`WEBSERVER`](server::WEBSERVER) (the one
//! server state, holding the pages and the session table). Requests are
//! answered by the hot function [`handle_request`](handler::handle_request)
//! (Pymoult's `Handler.do_GET`), called on the DSU thread
//! [`SERVER_THREAD`](serve::SERVER_THREAD), which passes the update point
//! [`UPDATE_POINT`](serve::UPDATE_POINT) between two requests. The HTTP
//! library stays in [`serve`]: the handler sees plain [`http`] values.
//!
//! The update adds users and a login: sessions converted lazily (they become
//! anonymous and keep their counters), pages eagerly, then the server state
//! converted and the handler redefined while the server thread waits at its
//! update point.
//!
//! The app is a library (this file) and a binary (`main.rs`) so that update
//! crates can name its classes, traits, types and hot function.

pub mod handler;
pub mod http;
pub mod page;
pub mod serve;
pub mod server;
pub mod session;

pub use serve::run;
