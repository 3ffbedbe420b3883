//! The web server check's browser: plain HTTP to the demo app on
//! 127.0.0.1, with the session cookie and redirects in the check's hands
//! (a redirect is an answer to judge, not something to follow).

use std::time::Duration;

/// One HTTP answer, as the check judges it.
#[derive(Debug, Clone)]
pub struct Answer {
    /// What was asked (`GET /banana`), for messages.
    pub asked: String,
    /// The status code.
    pub status: u16,
    /// Where a redirect sends.
    pub location: Option<String>,
    /// `name=value` of the first cookie the answer sets.
    pub cookie: Option<String>,
    /// The body.
    pub body: String,
}

impl Answer {
    /// `true` if the answer refuses a page to a visitor who is not logged
    /// in: 401 or 403, or a redirect to a login page.
    pub fn refuses(&self) -> bool {
        matches!(self.status, 401 | 403)
            || ((300..400).contains(&self.status)
                && self
                    .location
                    .as_deref()
                    .is_some_and(|l| l.contains("login")))
    }

    /// `true` for a success or a redirect (what a login form's answer is).
    pub fn accepted(&self) -> bool {
        (200..400).contains(&self.status)
    }

    /// The number in `you visited <path> N time(s)`, if the body says it.
    pub fn visits(&self, path: &str) -> Option<u32> {
        let marker = format!("you visited {path} ");
        let start = self.body.find(&marker)? + marker.len();
        let digits: String = self.body[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    }

    /// The body's line holding `you visited`, for messages (or its start).
    pub fn visits_line(&self) -> String {
        let line = self
            .body
            .lines()
            .find(|l| l.contains("you visited"))
            .unwrap_or_else(|| self.body.trim());
        let text = strip_tags(line);
        let mut text: String = text.chars().take(120).collect();
        if text.is_empty() {
            text = "(an empty page)".into();
        }
        text
    }

    /// `GET /banana answered 303 (to /login)`.
    pub fn describe(&self) -> String {
        match &self.location {
            Some(to) => format!("{} answered {} (to {to})", self.asked, self.status),
            None => format!("{} answered {}", self.asked, self.status),
        }
    }
}

/// `text` without its HTML tags.
fn strip_tags(text: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// Talks HTTP to `base` (`http://127.0.0.1:<port>`).
pub struct Browser {
    base: String,
    agent: ureq::Agent,
}

impl Browser {
    /// A browser for `base` whose requests give up after `timeout`.
    pub fn new(base: String, timeout: Duration) -> Browser {
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(timeout))
            .build()
            .into();
        Browser { base, agent }
    }

    /// `GET path`, sending `cookie` (a `name=value`) if given.
    pub fn get(&self, path: &str, cookie: Option<&str>) -> Result<Answer, String> {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        read(format!("GET {path}"), request.call())
    }

    /// `POST path` of a form with `fields`, sending `cookie` if given.
    pub fn post_form(
        &self,
        path: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
    ) -> Result<Answer, String> {
        let mut request = self.agent.post(format!("{}{path}", self.base));
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        read(
            format!("POST {path}"),
            request.send_form(fields.iter().copied()),
        )
    }
}

/// The answer to `asked`, or what went wrong in words a learner can act on.
fn read(
    asked: String,
    sent: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<Answer, String> {
    let mut response =
        sent.map_err(|e| format!("{asked} got no answer from the web server: {e}"))?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let location = header("location");
    let cookie = header("set-cookie")
        .and_then(|c| c.split(';').next().map(|pair| pair.trim().to_string()))
        .filter(|pair| pair.contains('='));
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_to_string()
        .map_err(|e| format!("{asked}: the body of the answer could not be read: {e}"))?;
    Ok(Answer {
        asked,
        status,
        location,
        cookie,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, location: Option<&str>, body: &str) -> Answer {
        Answer {
            asked: "GET /banana".into(),
            status,
            location: location.map(str::to_string),
            cookie: None,
            body: body.into(),
        }
    }

    #[test]
    fn refusals_are_401_403_or_a_redirect_to_a_login() {
        assert!(answer(401, None, "").refuses());
        assert!(answer(403, None, "").refuses());
        assert!(answer(303, Some("/login"), "").refuses());
        assert!(answer(302, Some("http://127.0.0.1:1/login?next=/banana"), "").refuses());
        assert!(!answer(200, None, "").refuses());
        assert!(!answer(303, Some("/hello"), "").refuses());
        assert!(!answer(404, None, "").refuses());
    }

    #[test]
    fn the_visit_count_is_read_from_the_page() {
        let page = answer(
            200,
            None,
            "<h1>Banana</h1>\n<p>hello alice, you visited /banana 12 times</p>\n<p>text</p>",
        );
        assert_eq!(page.visits("/banana"), Some(12));
        assert_eq!(page.visits("/coconut"), None);
        assert_eq!(
            page.visits_line(),
            "hello alice, you visited /banana 12 times"
        );
        assert_eq!(
            answer(200, None, "you visited /hello 1 time").visits("/hello"),
            Some(1)
        );
    }
}
