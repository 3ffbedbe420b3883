//! Tutorial step 1, exercise 1 — the update crate you complete (Pymoult's
//! `#parsed` update file).
//!
//! Goal: the running `step1-hello` app prints `hello <your name>` instead of
//! `hello world`, without being restarted. Build this crate
//! (`cargo build -p step1-hello-starter`) and apply it to the
//! running app: `moult-console apply <pid> target/debug/libstep1_hello_starter.so`.
//!
//! As given, it compiles and changes nothing: its entry returns no update.

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
    // TODO(learner): get the app's hot function with
    //     let hello = moult::hot_fn!(step1_hello::hello)?;
    // and return a safe redefine of it to `hello_v2`:
    //     moult::update::SafeRedefine::new(hello, hello_v2 as fn())
    // boxed, in the vector below.
    Ok(vec![])
}
