//! The request and the response as the hot request handler sees them: plain
//! values, parsed from and written to the wire by the server loop
//! ([`crate::serve`]). The handler never touches the HTTP library, so a new
//! version of it (in an update crate) only needs these types.

/// Name of the cookie that carries a session's id.
pub const SESSION_COOKIE: &str = "moult_session";

/// A request, as the server loop read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `POST`, … (upper case).
    pub method: String,
    /// The path, without its query string: `/banana`.
    pub path: String,
    /// The session id the [`SESSION_COOKIE`] cookie carried, if any.
    pub session: Option<String>,
    /// The body (a form's `a=1&b=2` for a `POST`), empty for a `GET`.
    pub body: String,
}

impl Request {
    /// A request for `method path` with no cookie and no body.
    pub fn new(method: &str, path: &str) -> Request {
        Request {
            method: method.to_string(),
            path: path.to_string(),
            session: None,
            body: String::new(),
        }
    }

    /// The value of form field `name` in the body (url-decoded), if present.
    pub fn form_field(&self, name: &str) -> Option<String> {
        self.body.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (url_decode(key) == name).then(|| url_decode(value))
        })
    }
}

/// Decodes `application/x-www-form-urlencoded` text: `+` is a space, `%XX`
/// a byte; a malformed escape is kept as written.
pub fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The session id in a `Cookie:` header value (`a=1; moult_session=…`).
pub fn session_from_cookie_header(header: &str) -> Option<String> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == SESSION_COOKIE && !value.is_empty()).then(|| value.to_string())
    })
}

/// A response, as the server loop will write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// An HTML page (or a short text for a redirect).
    pub body: String,
    /// A new session's id, sent back as the [`SESSION_COOKIE`] cookie.
    pub set_session: Option<String>,
    /// Where a redirect (`3xx`) sends the browser.
    pub location: Option<String>,
}

impl Response {
    /// An HTML page with `status`.
    pub fn html(status: u16, body: impl Into<String>) -> Response {
        Response {
            status,
            body: body.into(),
            set_session: None,
            location: None,
        }
    }

    /// `303 See Other` to `to`: the browser then `GET`s `to`.
    pub fn redirect(to: &str) -> Response {
        Response {
            status: 303,
            body: format!("see {to}"),
            set_session: None,
            location: Some(to.to_string()),
        }
    }

    /// This response, also setting the session cookie to `id` (when `Some`).
    pub fn with_session(mut self, id: Option<String>) -> Response {
        self.set_session = id;
        self
    }
}

/// A minimal HTML page: a title and an already-HTML body.
pub fn page_html(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body>\n<h1>{title}</h1>\n{body}\n\
         <p><a href=\"/hello\">/hello</a> <a href=\"/banana\">/banana</a> <a href=\"/coconut\">/coconut</a></p>\n\
         </body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_are_url_decoded() {
        let mut r = Request::new("POST", "/login");
        r.body = "user=alice&password=won+der%21land&x".into();
        assert_eq!(r.form_field("user").as_deref(), Some("alice"));
        assert_eq!(r.form_field("password").as_deref(), Some("won der!land"));
        assert_eq!(r.form_field("x").as_deref(), Some(""));
        assert_eq!(r.form_field("nope"), None);
        assert_eq!(url_decode("100%"), "100%");
        assert_eq!(url_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        assert_eq!(
            session_from_cookie_header("a=1; moult_session=abc12; b=2").as_deref(),
            Some("abc12")
        );
        assert_eq!(session_from_cookie_header("moult_session="), None);
        assert_eq!(session_from_cookie_header("other=1"), None);
    }
}
