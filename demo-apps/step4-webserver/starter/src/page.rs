//! Version 1 of `Page`: greets the logged-in user (given, complete).

use std::any::Any;

use step4_webserver::http::page_html;
use step4_webserver::page::{Page, PageApi, PageText};
use step4_webserver::session::{SessionApi, visits_phrase};

use crate::session::user_of;

/// Version 1 of `Page`: the same text, rendered for a user.
#[derive(Debug, Clone)]
pub struct PageV2 {
    /// Path, title and text, kept from version 0.
    pub text: PageText,
}

impl PageApi for PageV2 {
    fn path(&self) -> &str {
        self.text.path
    }

    /// `hello alice, you visited /banana 4 times`; an anonymous session (the
    /// new handler never renders for one) gets the count alone.
    fn render(&self, session: &dyn SessionApi) -> String {
        let visits = visits_phrase(self.text.path, session.visits(self.text.path));
        let line = match user_of(session) {
            Some(user) => format!("hello {user}, {visits}"),
            None => visits,
        };
        page_html(
            self.text.title,
            &format!("<p>{line}</p>\n<p>{}</p>", self.text.text),
        )
    }
}

/// The new constructor of record.
pub fn new_page(text: PageText) -> Box<dyn PageApi> {
    Box::new(PageV2 { text })
}

/// A version 0 page as a version 1 one, with the same text.
pub fn page_transformer(old: &dyn PageApi) -> Box<dyn PageApi> {
    let old: &dyn Any = old;
    let old = old
        .downcast_ref::<Page>()
        .expect("the eager conversion hands over version 0 pages: step4_webserver::page::Page");
    new_page(old.text)
}
