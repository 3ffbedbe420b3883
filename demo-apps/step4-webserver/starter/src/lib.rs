//! Tutorial step 4, exercise 2 — the update crate you complete.
//!
//! Goal: the running `step4-webserver` app gets users (alice/wonderland,
//! bob/builder) and a login form at `/login`; its pages then need a login
//! and greet the user (`hello alice, you visited /banana 4 times`), without
//! a restart and without losing a session: a visitor who browsed before the
//! update keeps their counters.
//!
//! The new code is given: [`SessionV2`] (with a `user`), [`PageV2`] (greets
//! it), [`WebserverV2`] (knows the users) and [`handle_request_v2`]. Your
//! part is to apply it, in three updates:
//!
//! 1. the sessions, converted *lazily* (each on its next access);
//! 2. the pages, converted *eagerly* (there are three);
//! 3. [`ServerUpdate`], by hand: once 1 and 2 are applied, park the server
//!    thread at its update point, convert the server state and redefine
//!    `handle_request`;
//!
//! and the two transformers' TODOs (`session.rs`, `server.rs`). Check it
//! with `moult-console check step4-webserver`.
//!
//! As given, it compiles and changes nothing: its entry returns no update.
//!
//! What to read: [`moult::class`](mod@moult::class) (lazy and eager conversions, and how an
//! update is named so another can wait for it), [`moult::Requirements`],
//! and parking a DSU thread at its update point from an update
//! ([`moult::UpdateContext`]), as in step 3. Stuck? `moult-console hint
//! step4-webserver`, or `h` in the tutorial.

mod handler;
mod page;
mod server;
mod session;
mod update;

pub use handler::handle_request_v2;
pub use page::{PageV2, new_page, page_transformer};
pub use server::{USERS, WebserverV2, new_server, server_transformer};
pub use session::{SessionV2, new_session, session_transformer};
pub use update::{Handler, ServerUpdate};

use moult::{Update, UpdateError};

/// Name to give the sessions' conversion (what `server v2` waits for).
pub const SESSIONS_UPDATE: &str = "sessions v2";

/// Name to give the pages' conversion (what `server v2` waits for).
pub const PAGES_UPDATE: &str = "pages v2";

/// The library's entry: returns the updates to run, in order.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    // TODO(learner): return the three updates of the list above, in that
    // order, the first two named with `SESSIONS_UPDATE` and `PAGES_UPDATE`
    // so that the third can wait for them.
    Ok(vec![])
}
