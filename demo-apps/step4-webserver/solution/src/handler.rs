//! Version 1 of the request handler (Pymoult's `create_new_do_GET`): a
//! login form and its handler, and pages for logged-in users only.

use std::any::Any;

use moult::class::Tracked;
use step4_webserver::handler::{not_found, session_for};
use step4_webserver::http::{Request, Response, page_html};
use step4_webserver::server::ServerApi;

use crate::server::WebserverV2;
use crate::session::{SessionV2, user_of};

/// Where the login form is.
pub const LOGIN_PATH: &str = "/login";

/// The new `handle_request`: `GET /login` shows the form, `POST /login`
/// logs the session in (opening one if needed) and sends it to `/hello`, a
/// page is shown to a logged-in session only (others are sent to the
/// form), counting the visit and greeting the user.
pub fn handle_request_v2(server: &Tracked<dyn ServerApi>, request: &Request) -> Response {
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/") => Response::redirect("/hello"),
        ("GET", LOGIN_PATH) => login_form(200, "Log in to see the pages."),
        ("POST", LOGIN_PATH) => log_in(server, request),
        ("GET", path) => show_page(server, request, path),
        _ => Response::html(
            405,
            page_html("Method not allowed", "<p>Only GET, and POST to /login.</p>"),
        ),
    }
}

/// A page, for a logged-in session; a redirect to the form otherwise.
fn show_page(server: &Tracked<dyn ServerApi>, request: &Request, path: &str) -> Response {
    let Some(page) = server.read().page(path) else {
        return not_found(path);
    };
    let session = request
        .session
        .as_deref()
        .and_then(|id| server.read().session(id));
    let Some(session) = session.filter(|s| user_of(&*s.read()).is_some()) else {
        return Response::redirect(LOGIN_PATH);
    };
    session.write().visit(path);
    let body = page.read().render(&*session.read());
    Response::html(200, body)
}

/// Checks the form's user and password; logs the request's session in.
fn log_in(server: &Tracked<dyn ServerApi>, request: &Request) -> Response {
    let user = request.form_field("user").unwrap_or_default();
    let password = request.form_field("password").unwrap_or_default();
    let known = {
        let state = server.read();
        let state: &dyn Any = &*state;
        match state.downcast_ref::<WebserverV2>() {
            Some(state) => state.authenticate(&user, &password),
            None => return internal_error("the server state is not at version 1"),
        }
    };
    if !known {
        return login_form(403, "Wrong user name or password.");
    }
    let (session, new_id) = session_for(server, request);
    {
        let mut session = session.write();
        let session: &mut dyn Any = &mut *session;
        match session.downcast_mut::<SessionV2>() {
            Some(session) => session.user = Some(user),
            None => return internal_error("the session is not at version 1"),
        }
    }
    Response::redirect("/hello").with_session(new_id)
}

/// The login form, with a message above it.
fn login_form(status: u16, message: &str) -> Response {
    let body = format!(
        "<p>{message}</p>\n\
         <form method=\"post\" action=\"{LOGIN_PATH}\">\n\
         <p><label>user <input name=\"user\" autofocus></label></p>\n\
         <p><label>password <input name=\"password\" type=\"password\"></label></p>\n\
         <p><button type=\"submit\">log in</button></p>\n\
         </form>"
    );
    Response::html(status, page_html("Log in", &body))
}

/// `500`: the update left the server in a state this handler cannot use.
fn internal_error(why: &str) -> Response {
    Response::html(500, page_html("Server error", &format!("<p>{why}</p>")))
}
