//! Tutorial step 5, exercise 2 — the update crate you complete.
//!
//! Goal: the running kv-server (`step5-async-kv`) learns Redis's
//! `APPEND key value` while `redis-benchmark` keeps it busy. APPEND adds
//! `value` at the end of the string stored at `key` (a key that does not
//! exist is an empty string, so APPEND creates it), keeps the key's expiry,
//! and answers the new length as an integer; with another number of
//! arguments it answers Redis's `wrong number of arguments` error. Every
//! other command answers as before — a command the server does not know
//! still gets `ERR unknown command` — and no request may fail, no write be
//! lost, while your update applies. Check it with
//! `moult-console check step5-async-kv`: it starts the server, loads it
//! with redis-benchmark, applies your update and tries APPEND with
//! redis-cli.
//!
//! As given, it compiles and changes nothing: its entry returns no update.
//!
//! What to read: how a command reaches its handler — the hot `async fn`
//! [`kv_server::commands::execute`] and what it does with a command it does
//! not know; how an `async fn` becomes a new version of a hot one
//! ([`moult::async_version`], and the README's section "Async code
//! (tokio)"); what a safe redefine waits for ([`moult::update::SafeRedefine`],
//! docs/ARCHITECTURE.md, "Alterability: what "safe" means"); how to change
//! a key's value in one step ([`kv_server::keyspace::Keyspace::update`]);
//! and `demo-apps/kv-server/README.md`. Stuck? `moult-console hint
//! step5-async-kv`, or `h` in the tutorial.

use moult::{Update, UpdateError};

// TODO(learner): a new version of the function a command the server does
// not know reaches: it answers APPEND as the goal says, and leaves every
// other command to the error version 0 gives.

/// The library's entry: returns the updates to run, in order.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    // TODO(learner): return one update that swaps your version in while
    // requests keep coming.
    Ok(vec![])
}
