//! The request handler (Pymoult's `Handler.do_GET`): a hot function, so an
//! update can give the server new behaviour between two requests.

use moult::class::Tracked;

use crate::http::{Request, Response, page_html};
use crate::server::ServerApi;
use crate::session::SessionApi;

/// Answers one request: `GET` of a page counts the visit in the request's
/// session (opening one, and setting its cookie, on a first visit) and
/// renders the page for it; `/` sends to `/hello`; any other path is a 404,
/// any other method a 405. Hot: an update can swap it while the server runs.
#[moult::hot]
pub fn handle_request(server: &Tracked<dyn ServerApi>, request: &Request) -> Response {
    if request.method != "GET" {
        return Response::html(
            405,
            page_html("Method not allowed", "<p>This server only answers GET.</p>"),
        );
    }
    if request.path == "/" {
        return Response::redirect("/hello");
    }
    let Some(page) = server.read().page(&request.path) else {
        return not_found(&request.path);
    };
    let (session, new_id) = session_for(server, request);
    session.write().visit(&request.path);
    let body = page.read().render(&*session.read());
    Response::html(200, body).with_session(new_id)
}

/// The session the request's cookie names, or a new one; the second value
/// is the new session's id (the cookie to set), `None` for a known session.
pub fn session_for(
    server: &Tracked<dyn ServerApi>,
    request: &Request,
) -> (Tracked<dyn SessionApi>, Option<String>) {
    let known = request
        .session
        .as_deref()
        .and_then(|id| server.read().session(id));
    match known {
        Some(session) => (session, None),
        None => {
            let session = server.write().open_session();
            let id = session.read().id().to_string();
            (session, Some(id))
        }
    }
}

/// `404 Not Found` for `path`.
pub fn not_found(path: &str) -> Response {
    Response::html(
        404,
        page_html(
            "Not found",
            &format!("<p>There is no page at {}.</p>", escape(path)),
        ),
    )
}

/// `text` with the HTML special characters escaped.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
