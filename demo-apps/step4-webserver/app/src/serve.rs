//! The server loop: a DSU thread that takes one request at a time from the
//! HTTP library, hands it to the hot [`handle_request`], writes the answer
//! back and prints `GET /banana 200`. Between two requests it passes its
//! update point, and it waits for a request at most `idle` so that it passes
//! it even when nobody browses.

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use moult::class::Tracked;

use crate::handler::handle_request;
use crate::http::{Request, Response, SESSION_COOKIE, session_from_cookie_header};
use crate::page::{PAGE, PAGES};
use crate::server::{ServerApi, WEBSERVER};

/// Environment variable giving the port (the console's checks pick a free one).
pub const PORT_ENV: &str = "MOULT_DEMO_PORT";

/// The port without [`PORT_ENV`], as in Pymoult's tutorial.
pub const DEFAULT_PORT: u16 = 8080;

/// The DSU thread serving requests: what updates park.
pub const SERVER_THREAD: &str = "webserver";

/// The update point the server thread passes between two requests.
pub const UPDATE_POINT: &str = "between requests";

/// A request body larger than this is cut (forms here are tiny).
const MAX_BODY: u64 = 64 * 1024;

/// The port to listen on: [`PORT_ENV`] if it holds a port number, else
/// [`DEFAULT_PORT`] (an unreadable value is reported on stderr).
pub fn port() -> u16 {
    match std::env::var(PORT_ENV) {
        Ok(value) => value.trim().parse().unwrap_or_else(|_| {
            eprintln!("{PORT_ENV}={value:?} is not a port number; using {DEFAULT_PORT}");
            DEFAULT_PORT
        }),
        Err(_) => DEFAULT_PORT,
    }
}

/// Listens on `127.0.0.1:`[`port`], builds the pages and the server state,
/// and serves on the DSU thread [`SERVER_THREAD`]; never returns (exits
/// the process if the port cannot be had or the server thread ends).
pub fn run(idle: Duration) -> ! {
    let port = port();
    let http = match tiny_http::Server::http(("127.0.0.1", port)) {
        Ok(server) => Arc::new(server),
        Err(e) => fail(&format!("cannot listen on 127.0.0.1:{port}: {e}")),
    };
    let pages = PAGES.iter().map(|text| PAGE.create(*text)).collect();
    let state = WEBSERVER.create(pages);
    println!("serving http://127.0.0.1:{port}/hello, /banana and /coconut");
    let thread = moult::dsu::spawn(SERVER_THREAD, move || serve(&http, &state, idle))
        .unwrap_or_else(|e| fail(&format!("cannot start the server thread: {e}")));
    loop {
        if thread.join(Duration::from_secs(3600)) {
            fail("the server thread ended");
        }
    }
}

/// The server thread's main: one request per turn, the update point between.
fn serve(http: &tiny_http::Server, state: &Tracked<dyn ServerApi>, idle: Duration) {
    loop {
        moult::update_point!(UPDATE_POINT);
        match http.recv_timeout(idle) {
            Ok(Some(request)) => answer(state, request),
            Ok(None) => {}
            Err(e) => {
                eprintln!("step4-webserver: no request could be received: {e}");
                std::thread::sleep(idle);
            }
        }
    }
}

/// Answers one request through the hot handler and prints what it did.
fn answer(state: &Tracked<dyn ServerApi>, mut raw: tiny_http::Request) {
    let request = read_request(&mut raw);
    let response = handle_request(state, &request);
    println!("{} {} {}", request.method, request.path, response.status);
    if let Err(e) = raw.respond(to_wire(response)) {
        eprintln!(
            "step4-webserver: the answer to {} could not be sent: {e}",
            request.path
        );
    }
}

/// The handler's view of a request: method, path, session cookie, body.
fn read_request(raw: &mut tiny_http::Request) -> Request {
    let path = raw.url().split('?').next().unwrap_or("/").to_string();
    let session = raw
        .headers()
        .iter()
        .filter(|h| h.field.equiv("Cookie"))
        .find_map(|h| session_from_cookie_header(h.value.as_str()));
    let mut body = Vec::new();
    if let Err(e) = raw.as_reader().take(MAX_BODY).read_to_end(&mut body) {
        eprintln!("step4-webserver: the body of a request to {path} could not be read: {e}");
    }
    Request {
        method: raw.method().as_str().to_ascii_uppercase(),
        path,
        session,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// The HTTP library's response for `response`.
fn to_wire(response: Response) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let mut wire = tiny_http::Response::from_string(response.body)
        .with_status_code(response.status)
        .with_header(header("Content-Type", "text/html; charset=utf-8"));
    if let Some(id) = response.set_session {
        wire.add_header(header(
            "Set-Cookie",
            &format!("{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax"),
        ));
    }
    if let Some(to) = response.location {
        wire.add_header(header("Location", &to));
    }
    wire
}

/// A header; a value the HTTP library refuses (not ASCII) is sent as `?`s.
fn header(name: &str, value: &str) -> tiny_http::Header {
    let value: String = value
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '?'
            }
        })
        .collect();
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes())
        .expect("an ASCII header without control characters is valid")
}

/// Reports `why` on stderr and exits with status 1.
fn fail(why: &str) -> ! {
    eprintln!("step4-webserver: {why}");
    std::process::exit(1)
}
