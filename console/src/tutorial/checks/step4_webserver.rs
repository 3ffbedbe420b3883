//! Step 4, exercise 2: add users and a login to a live HTTP server —
//! sessions converted lazily, pages eagerly, then the server state and the
//! request handler at the server thread's update point.

mod client;

use std::time::Duration;

use moult_protocol::Snapshot;

use crate::tutorial::check::{Baseline, Check, Probe, class, function_version, live_at};
use crate::tutorial::exercise::Exercise;

use client::{Answer, Browser};

/// The exercise.
pub static EXERCISE: Exercise = Exercise {
    id: "step4-webserver",
    step: 4,
    number: 2,
    title: "Web server",
    summary: "add users and a login to a live HTTP server",
    check_period: Duration::from_millis(20),
    serves_http: true,
    check: &WebserverCheck,
};

/// The hot request handler.
const HANDLER: &str = "step4_webserver::handler::handle_request";
/// The tracked class of sessions (converted lazily).
const SESSION: &str = "step4_webserver::session::Session";
/// The tracked class of pages (converted eagerly).
const PAGE: &str = "step4_webserver::page::Page";
/// The tracked class of the server state (converted with the handler).
const WEBSERVER: &str = "step4_webserver::server::Webserver";

/// Visits of `/banana` the first session makes before the update.
const FIRST_VISITS: u32 = 3;

/// Before: a session's counter counts its visits, a second session has its
/// own. After: the agent shows `handle_request` redefined, Pages and the
/// server state converted eagerly and the Sessions lazily (the two opened
/// before the update still at version 0); over HTTP, pages need a login,
/// a wrong password is refused, alice logging in with her cookie from
/// before the update is greeted and her counter goes on, the other old
/// session is anonymous, and a new visitor logs in as bob.
pub struct WebserverCheck;

/// Sessions opened before the update (`name=value` cookies).
struct Sessions {
    /// Visited `/banana` [`FIRST_VISITS`] times; alice logs in with it.
    first: String,
    /// Visited `/banana` once; never logs in.
    second: String,
}

impl Check for WebserverCheck {
    fn before(&self, probe: &Probe<'_>) -> Result<Baseline, String> {
        // Printed once, maybe before the check's mark: look from the start.
        probe
            .from_mark(0)
            .expect_line("`serving http://…` line", |l| {
                l.starts_with("serving http://")
            })?;
        let web = Browser::new(probe.http_base()?, probe.patience());
        let opened = page(web.get("/banana", None)?)?;
        let first = opened.cookie.clone().ok_or(
            "the first visit of /banana set no session cookie: sessions are told apart by a cookie",
        )?;
        expect_visits(&opened, "/banana", 1)?;
        for n in 2..=FIRST_VISITS {
            expect_visits(&page(web.get("/banana", Some(&first))?)?, "/banana", n)?;
        }
        let other = page(web.get("/banana", None)?)?;
        let second = other
            .cookie
            .clone()
            .ok_or("a second visitor of /banana got no session cookie")?;
        if second == first {
            return Err("two visitors got the same session cookie".into());
        }
        expect_visits(&other, "/banana", 1)?;
        Ok(Box::new(Sessions { first, second }))
    }

    fn after(&self, probe: &Probe<'_>, baseline: Baseline) -> Result<String, String> {
        let sessions = baseline
            .downcast::<Sessions>()
            .map_err(|_| "internal error: the web server check lost its sessions")?;
        // The state first: no request has touched a session since the update.
        let lazy = judge_state(&probe.snapshot()?)?;
        let web = Browser::new(probe.http_base()?, probe.patience());
        refused(web.get("/banana", None)?, "a visitor who did not log in")?;
        refused(
            web.get("/hello", Some(&sessions.second))?,
            "a session opened before the update that never logged in",
        )
        .map_err(|e| {
            format!("{e}; converted sessions are anonymous (user None) until they log in")
        })?;
        let form = web.get("/login", None)?;
        if form.status != 200 || !form.body.contains("<form") {
            return Err(format!(
                "{}{}; the update should serve a login form there",
                form.describe(),
                if form.status == 200 {
                    " without a <form>"
                } else {
                    ""
                }
            ));
        }
        let wrong = [("user", "alice"), ("password", "not-her-password")];
        let bad = web.post_form("/login", Some(&sessions.first), &wrong)?;
        if !matches!(bad.status, 401 | 403) {
            return Err(format!(
                "logging in as alice with a wrong password: {}; a bad login must be refused (401 or 403) with a message",
                bad.describe()
            ));
        }
        refused(
            web.get("/banana", Some(&sessions.first))?,
            "a session whose login was refused",
        )?;
        let alice = log_in(&web, Some(&sessions.first), "alice", "wonderland")?;
        let greeted = page(web.get("/banana", Some(&alice))?)?;
        expect_greeting(&greeted, "alice")?;
        let expected = FIRST_VISITS + 1;
        match greeted.visits("/banana") {
            Some(n) if n == expected => {}
            Some(1) => {
                return Err(format!(
                    "the session opened before the update visited /banana {FIRST_VISITS} times, and once logged in it says {:?}: its counter restarted; converted sessions must keep their counters (and the login must keep the session)",
                    greeted.visits_line()
                ));
            }
            _ => {
                return Err(format!(
                    "the session opened before the update visited /banana {FIRST_VISITS} times; once logged in it should say `you visited /banana {expected} times`, it says {:?}",
                    greeted.visits_line()
                ));
            }
        }
        let bob = new_visitor_logs_in(&web)?;
        let fresh = page(web.get("/coconut", Some(&bob))?)?;
        expect_greeting(&fresh, "bob")?;
        expect_visits(&fresh, "/coconut", 1)?;
        Ok(format!(
            "pages need a login and a wrong password is refused; the session from before the update, logged in as alice, sees {:?}; a new visitor logged in as bob sees {:?}; {lazy}",
            greeted.visits_line(),
            fresh.visits_line()
        ))
    }
}

/// Judges the agent's state right after the update: the handler redefined,
/// Page and Webserver converted with nothing left behind, Session converted
/// lazily. Returns what it saw, for the pass message.
fn judge_state(snapshot: &Snapshot) -> Result<String, String> {
    if function_version(snapshot, HANDLER)? == 0 {
        return Err(
            "handle_request is still at version 0: the update must redefine it (at the server thread's update point)"
                .into(),
        );
    }
    let pages = class(snapshot, PAGE)?;
    if pages.version == 0 {
        return Err("class Page is still at version 0: convert the pages (eagerly) to a version that greets the user".into());
    }
    if live_at(pages, 0) > 0 {
        return Err(format!(
            "{} Pages are still at version 0 after the update: convert them eagerly (EagerConversion), all at once",
            live_at(pages, 0)
        ));
    }
    let server = class(snapshot, WEBSERVER)?;
    if server.version == 0 || live_at(server, 0) > 0 {
        return Err(
            "the server state (class Webserver) is still at version 0: convert it to a version that knows the users, in the update that redefines handle_request"
                .into(),
        );
    }
    let sessions = class(snapshot, SESSION)?;
    if sessions.version == 0 {
        return Err("class Session is still at version 0: convert the sessions (lazily) to a version with a user".into());
    }
    let live: u64 = sessions.versions.iter().map(|v| v.live).sum();
    if live < 2 {
        return Err(format!(
            "{live} Session(s) alive after the update, yet two were opened before it: the new server state must keep the old session table"
        ));
    }
    let old = live_at(sessions, 0);
    if old == 0 {
        return Err(
            "every Session was converted during the update: convert them lazily (LazyConversion), so that each converts on its next access and the sessions nobody used since stay at version 0"
                .into(),
        );
    }
    Ok(format!(
        "right after the update {old} of {live} Sessions were still at version 0 (lazy), Page at version {} and Webserver at version {} (eager)",
        pages.version, server.version
    ))
}

/// `answer` if it is a page (200), else what it was.
fn page(answer: Answer) -> Result<Answer, String> {
    if answer.status == 200 {
        Ok(answer)
    } else {
        Err(format!("{}; expected the page (200)", answer.describe()))
    }
}

/// `Ok` if `answer` refuses a page to `who` (who must log in first).
fn refused(answer: Answer, who: &str) -> Result<(), String> {
    if answer.refuses() {
        return Ok(());
    }
    if answer.status == 200 {
        return Err(format!(
            "{} answered 200 to {who}: pages must require a login (redirect to /login, or 401)",
            answer.asked
        ));
    }
    Err(format!(
        "{} for {who}; a page should send to /login (303) or answer 401/403",
        answer.describe()
    ))
}

/// Logs `user` in with `cookie`; returns the session cookie to use next
/// (the one the answer set, as a browser would keep, or `cookie`).
fn log_in(
    web: &Browser,
    cookie: Option<&str>,
    user: &str,
    password: &str,
) -> Result<String, String> {
    let answer = web.post_form("/login", cookie, &[("user", user), ("password", password)])?;
    if !answer.accepted() {
        return Err(format!(
            "logging in as {user} with password {password}: {}; the users should be alice/wonderland and bob/builder (form fields `user` and `password`)",
            answer.describe()
        ));
    }
    answer
        .cookie
        .or_else(|| cookie.map(str::to_string))
        .ok_or_else(|| {
            format!("a new visitor logged in as {user} but got no session cookie, neither from GET /login nor from the login")
        })
}

/// A visitor without a cookie: the page is refused, the form (perhaps
/// opening a session) is fetched, bob logs in. Returns bob's cookie.
fn new_visitor_logs_in(web: &Browser) -> Result<String, String> {
    refused(
        web.get("/coconut", None)?,
        "a new visitor who did not log in",
    )?;
    let form = web.get("/login", None)?;
    log_in(web, form.cookie.as_deref(), "bob", "builder")
}

/// `Ok` if the page greets `user` (`hello <user>, you visited …`).
fn expect_greeting(answer: &Answer, user: &str) -> Result<(), String> {
    if answer.body.contains(&format!("hello {user}")) {
        return Ok(());
    }
    Err(format!(
        "{} after logging in as {user}, but the page does not greet the user: it says {:?}, expected `hello {user}, you visited …`",
        answer.asked,
        answer.visits_line()
    ))
}

/// `Ok` if the page says `you visited <path> <n> time(s)`.
fn expect_visits(answer: &Answer, path: &str, n: u32) -> Result<(), String> {
    match answer.visits(path) {
        Some(seen) if seen == n => Ok(()),
        _ => Err(format!(
            "visit {n} of {path} in one session: the page says {:?}, expected `you visited {path} {n} time{}`",
            answer.visits_line(),
            if n == 1 { "" } else { "s" }
        )),
    }
}
