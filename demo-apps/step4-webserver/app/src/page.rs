//! Pages (Pymoult's class `Page`): the server's three small pages, each
//! rendered for the session that asks for it.

use std::any::Any;

use crate::http::page_html;
use crate::session::{SessionApi, visits_phrase};

/// What a page is made of: where it is served, its title, its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageText {
    /// The path it is served at: `/banana`.
    pub path: &'static str,
    /// Its title (the `<h1>`).
    pub title: &'static str,
    /// Its text, one paragraph.
    pub text: &'static str,
}

/// The pages the server starts with.
pub const PAGES: [PageText; 3] = [
    PageText {
        path: "/hello",
        title: "Hello",
        text: "Welcome to the moult web server. Visit /banana and /coconut too.",
    },
    PageText {
        path: "/banana",
        title: "Banana",
        text: "Bananas are berries; strawberries are not.",
    },
    PageText {
        path: "/coconut",
        title: "Coconut",
        text: "A coconut is a drupe, not a nut.",
    },
];

/// What every version of `Page` offers the request handler.
pub trait PageApi: Any + Send + Sync {
    /// The path it is served at.
    fn path(&self) -> &str;
    /// The HTML page shown to `session`, whose visit of this page is
    /// already counted.
    fn render(&self, session: &dyn SessionApi) -> String;
}

/// Version 0 of `Page`: says how many times the session visited it.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path, title and text.
    pub text: PageText,
}

impl PageApi for Page {
    fn path(&self) -> &str {
        self.text.path
    }

    fn render(&self, session: &dyn SessionApi) -> String {
        let visits = visits_phrase(self.text.path, session.visits(self.text.path));
        page_html(
            self.text.title,
            &format!("<p>{visits}</p>\n<p>{}</p>", self.text.text),
        )
    }
}

moult::class!(
    /// The tracked class `Page`; its constructor of record takes the page's text.
    pub static PAGE: dyn PageApi, PageText = "Page" as Page, |text| Box::new(Page { text })
);
