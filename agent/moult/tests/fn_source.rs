//! The snapshot reports each hot function's source facts as the macros
//! captured them in this crate: its types as written (not `type_name`'s
//! resolved paths), its declaration, and the package and directory it is
//! compiled in — what `moult-console new` lists for an update's author.

use moult::protocol::FnSource;

/// A free function whose argument types print differently once resolved.
#[moult::hot]
pub fn label<'a>(name: &'a str, tags: Vec<Option<u8>>) -> std::borrow::Cow<'a, str> {
    format!("{name}{}", tags.len()).into()
}

/// A type with a hot method and a hot async method.
pub struct Store {
    /// Its one value.
    pub value: u32,
}

#[moult::hot_impl]
impl Store {
    #[hot]
    pub fn get(&self, plus: u32) -> u32 {
        self.value + plus
    }

    #[hot]
    pub async fn fetch(&self, key: &str) -> String {
        format!("{key}={}", self.value)
    }
}

fn source(name: &str) -> FnSource {
    let _rt = moult::init();
    moult::runtime()
        .functions()
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("{name} is registered"))
        .source
        .unwrap_or_else(|| panic!("{name} has its source facts"))
}

#[test]
fn a_free_function_reports_its_types_as_written() {
    let s = source("fn_source::label");
    assert_eq!(
        s.fn_type,
        "for<'a> fn(&'a str, Vec<Option<u8>>) -> std::borrow::Cow<'a, str>"
    );
    assert_eq!(
        s.declared,
        "fn label<'a>(name: &'a str, tags: Vec<Option<u8>>) -> std::borrow::Cow<'a, str>"
    );
    assert_eq!(s.package, "moult");
    assert_eq!(s.manifest_dir, env!("CARGO_MANIFEST_DIR"));
    assert_eq!(s.binary, None, "an integration test is no binary target");
    // The cast a new version needs compiles with the reported type.
    let _v2 = label as for<'a> fn(&'a str, Vec<Option<u8>>) -> std::borrow::Cow<'a, str>;
}

#[test]
fn methods_report_the_receiver_first_and_their_declaration() {
    let get = source("fn_source::Store::get");
    assert_eq!(get.fn_type, "fn(&Store, u32) -> u32");
    assert_eq!(get.declared, "fn get(&self, plus: u32) -> u32");
    let fetch = source("fn_source::Store::fetch");
    assert_eq!(
        fetch.fn_type,
        "for<'__moult> fn(&'__moult Store, &'__moult str) -> ::moult::hot::BoxFuture<'__moult, String>"
    );
    assert_eq!(fetch.declared, "async fn fetch(&self, key: &str) -> String");
    assert_eq!(Store { value: 1 }.get(2), 3);
}
