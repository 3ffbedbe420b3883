//! Hot functions: macro forms, the registry, safe redefinition and rollback.
//! One process per test file: the runtime and its manager queue are shared
//! by the tests below, each using its own functions.

use std::time::Duration;

use moult::protocol::Outcome;
use moult::update::SafeRedefine;
use moult::{Update, UpdateContext, UpdateError};

const WAIT: Duration = Duration::from_secs(20);

#[moult::hot]
fn greet(name: &str) -> String {
    format!("hello {name}")
}

fn greet_v2(name: &str) -> String {
    format!("hi {name}")
}

#[moult::hot]
fn never_called(x: u64) -> u64 {
    x
}

#[moult::hot]
fn first<'a>(a: &'a str, _b: &str) -> &'a str {
    a
}

struct Counter {
    n: u32,
}

#[moult::hot_impl]
impl Counter {
    #[hot]
    fn describe(&self) -> String {
        format!("counter at {}", self.n)
    }

    #[hot]
    fn bump(&mut self, by: u32) {
        self.n += by;
    }

    fn plain(&self) -> u32 {
        self.n
    }
}

fn describe_v2(c: &Counter) -> String {
    format!("Counter<{}>", c.plain())
}

#[test]
fn every_hot_function_is_registered_at_start_with_name_and_signature() {
    let rt = moult::init();
    let names: Vec<String> = rt.functions().into_iter().map(|f| f.name).collect();
    for expected in [
        "hot_functions::never_called",
        "hot_functions::greet",
        "hot_functions::Counter::describe",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
    let info = rt
        .functions()
        .into_iter()
        .find(|f| f.name == "hot_functions::never_called")
        .unwrap();
    assert_eq!(info.signature, "fn(u64) -> u64");
    assert_eq!(info.version, 0);
    assert!(
        info.threads.is_empty(),
        "never called, so no thread activity"
    );
    assert_eq!(never_called(7), 7);
    assert_eq!(first("a", "b"), "a");
}

#[test]
fn safe_redefine_swaps_a_free_function_and_counts_calls() {
    let rt = moult::init();
    assert_eq!(greet("ana"), "hello ana");
    let func = moult::hot_fn!(greet).unwrap();
    assert_eq!(func.version(), 0);
    let id = rt.submit(Box::new(SafeRedefine::new(
        func,
        greet_v2 as fn(&str) -> String,
    )));
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
    assert_eq!(greet("ana"), "hi ana");
    assert_eq!(func.version(), 1);
    assert!(rt.is_applied("redefine hot_functions::greet"));
    let info = rt
        .functions()
        .into_iter()
        .find(|f| f.name == "hot_functions::greet")
        .unwrap();
    let calls: u64 = info.threads.iter().map(|t| t.calls).sum();
    assert_eq!(calls, 2);
    assert!(info.threads.iter().all(|t| t.active == 0));
}

#[test]
fn methods_are_hot_through_hot_impl() {
    let rt = moult::init();
    let mut c = Counter { n: 1 };
    c.bump(2);
    assert_eq!(c.describe(), "counter at 3");
    let func = moult::hot_fn!(Counter::describe).unwrap();
    assert_eq!(
        func.signature(),
        "fn(&'_ hot_functions::Counter) -> alloc::string::String"
    );
    let id = rt.submit(Box::new(SafeRedefine::new(
        func,
        describe_v2 as fn(&Counter) -> String,
    )));
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
    assert_eq!(c.describe(), "Counter<3>");
}

#[test]
fn lookup_by_name_checks_the_signature() {
    moult::init();
    let err = moult::Func::<fn(u32) -> u32>::by_name("hot_functions::never_called").unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("fn(u64) -> u64") && msg.contains("fn(u32) -> u32"),
        "{msg}"
    );
    let err = moult::Func::<fn(u64) -> u64>::by_name("hot_functions::nope").unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown hot function `hot_functions::nope`"),
        "{err}"
    );
    assert!(
        err.to_string().contains("hot_functions::never_called"),
        "lists known names: {err}"
    );
}

// ---- rollback -----------------------------------------------------------------

#[moult::hot]
fn fragile(x: i32) -> i32 {
    x
}

fn fragile_v2(x: i32) -> i32 {
    -x
}

struct Failing {
    name: &'static str,
    panic: bool,
}

impl Update for Failing {
    fn name(&self) -> &str {
        self.name
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.redefine(moult::hot_fn!(fragile)?, fragile_v2 as fn(i32) -> i32);
        assert_eq!(fragile(3), -3, "the swap took effect inside apply");
        if self.panic {
            panic!("boom in apply");
        }
        Err(UpdateError::Failed("refusing on purpose".into()))
    }
}

#[test]
fn a_failing_or_panicking_apply_is_rolled_back() {
    let rt = moult::init();
    for (name, panic, expect) in [
        ("fails", false, "refusing on purpose"),
        ("panics", true, "panicked: boom in apply"),
    ] {
        let id = rt.submit(Box::new(Failing { name, panic }));
        let outcome = rt.wait(id, WAIT).unwrap();
        let Outcome::RolledBack(reason) = outcome else {
            panic!("expected rollback, got {outcome:?}")
        };
        assert!(reason.contains(expect), "{reason}");
        assert!(
            reason.contains("hot_functions::fragile back to version 0"),
            "{reason}"
        );
        assert_eq!(fragile(3), 3);
        assert_eq!(moult::hot_fn!(fragile).unwrap().version(), 0);
        assert!(!rt.is_applied(name));
    }
}
