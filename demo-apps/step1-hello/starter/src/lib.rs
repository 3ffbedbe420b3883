//! Tutorial step 1, exercise 1 — the update crate you complete (Pymoult's
//! `#parsed` update file).
//!
//! Goal: the running `step1-hello` app prints `hello <your name>` instead of
//! `hello world`, without being restarted. Build this crate
//! (`cargo build -p step1-hello-starter`) and apply it to the
//! running app: `moult-console apply <pid> target/debug/libstep1_hello_starter.so`.
//!
//! As given, it compiles and changes nothing: its entry returns no update.
//!
//! What to read: a hot function's handle (`moult::hot_fn!`, and
//! [`moult::Func`]) and the ready-made update that swaps a function's body
//! once no call of it runs ([`moult::update::SafeRedefine`]); "Alterability:
//! what safe means" in `docs/ARCHITECTURE.md`. `cargo doc -p moult --open`
//! renders these pages. Stuck? `moult-console hint step1-hello`, or `h` in
//! the tutorial.

use moult::{Update, UpdateError};

/// The new version of `step1_hello::hello`: it must keep its signature
/// (`fn()`), only its body changes.
pub fn hello_v2() {
    // TODO(learner): print `hello <your name>` instead.
    println!("hello world");
}

/// The library's entry, called once when the app loads it: returns the
/// updates to run, in order (the app's manager runs them).
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    // TODO(learner): return one update that makes the app's
    // `step1_hello::hello` run `hello_v2` from now on, safely: never while a
    // call of the old version is running.
    Ok(vec![])
}
