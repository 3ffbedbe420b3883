//! Solution of tutorial step 4, exercise 2: the running web server gets
//! users and a login, without a restart and without losing a session.
//!
//! Three updates, in order (Pymoult's advice: pages and sessions first,
//! then the server and its handler):
//!
//! 1. `sessions v2`: every `Session` becomes a [`SessionV2`] with a `user`,
//!    *lazily* (`moult::class::LazyConversion`): each converts on its next
//!    access, anonymous, with its counters;
//! 2. `pages v2`: every `Page` becomes a [`PageV2`] that greets the user,
//!    *eagerly* (`moult::class::EagerConversion`): there are three;
//! 3. `server v2` ([`ServerUpdate`], written by hand): once 1 and 2 are
//!    applied (`ctx.is_applied`), the server thread is parked at its update
//!    point, the server state is converted to a [`WebserverV2`] that knows
//!    the users, and `handle_request` is redefined to
//!    [`handle_request_v2`]: a login form at `/login`, pages for logged-in
//!    sessions only.
//!
//! Before: `you visited /banana 3 times`. After: `/banana` sends to
//! `/login`; once logged in as alice (password `wonderland`), the same
//! session sees `hello alice, you visited /banana 4 times`.

mod handler;
mod page;
mod server;
mod session;
mod update;

pub use handler::handle_request_v2;
pub use page::{PageV2, new_page, page_transformer};
pub use server::{USERS, WebserverV2, new_server, server_transformer};
pub use session::{SessionV2, new_session, session_transformer};
pub use update::ServerUpdate;

use moult::class::{EagerConversion, LazyConversion};
use moult::{Update, UpdateError};
use step4_webserver::page::PAGE;
use step4_webserver::session::SESSION;

/// Name of the sessions' conversion (what `server v2` waits for).
pub const SESSIONS_UPDATE: &str = "sessions v2";

/// Name of the pages' conversion (what `server v2` waits for).
pub const PAGES_UPDATE: &str = "pages v2";

/// The library's entry: the three updates, in the order they apply.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    // `SESSION` and `PAGE` here are this library's duplicate statics: they
    // resolve to the app's classes.
    let sessions = LazyConversion::new(&SESSION, new_session, session_transformer)
        .version_type::<SessionV2>()
        .named(SESSIONS_UPDATE);
    let pages = EagerConversion::new(&PAGE, new_page, page_transformer)
        .version_type::<PageV2>()
        .named(PAGES_UPDATE);
    let server = ServerUpdate::after(vec![SESSIONS_UPDATE, PAGES_UPDATE]);
    Ok(vec![Box::new(sessions), Box::new(pages), Box::new(server)])
}
