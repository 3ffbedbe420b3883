//! Tutorial step 4, exercise 1 — the update crate you complete.
//!
//! Goal: the shared variable of the running `step4-simultaneous` app also
//! stores when it was written ([`Stamped`]); the writer prints
//! `wrote 7 at <time>` and the reader `read 7 written at <time>`, the time
//! the writer stored. The version-0 reader panics on anything but a plain
//! `u64`, so it must never meet the new format. Do it DynamOS's way, with
//! three updates named `interm`, `flip` and `final` (see the TODOs).
//! Build this crate (`cargo build -p step4-simultaneous-starter`) and apply
//! it to the running app:
//! `moult-console apply <pid> target/debug/libstep4_simultaneous_starter.so`.
//!
//! As given, it compiles and changes nothing: its entry returns no update.

use std::any::Any;
use std::sync::atomic::AtomicBool;
use std::time::{SystemTime, UNIX_EPOCH};

use moult::{Update, UpdateError};

/// The new format of the shared variable.
pub struct Stamped {
    /// The value, as before.
    pub value: u64,
    /// When it was written.
    pub written: SystemTime,
}

/// DynamOS's flag: `true` once the variable holds the new format. A static
/// of this library, which is what you want: only this library's functions
/// and updates use it (the app's statics would be out of reach: your
/// library has its own copies of them). Read and write it only while
/// holding the variable's lock (`step4_simultaneous::lock()`).
pub static NEW_FORMAT: AtomicBool = AtomicBool::new(false);

/// `t` as the time of day, `HH:MM:SS.mmm UTC`.
pub fn time_of_day(t: SystemTime) -> String {
    let ms = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis()) % 86_400_000;
    format!(
        "{:02}:{:02}:{:02}.{:03} UTC",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// Intermediate `write_shared` (signature `fn(u64)`).
pub fn write_shared_interm(value: u64) {
    let mut cell = step4_simultaneous::lock();
    // TODO(learner): if NEW_FORMAT is set, store a `Stamped { value, written:
    // SystemTime::now() }` and print `wrote {value} at {time_of_day(written)}`;
    // otherwise do what version 0 does (below).
    *cell = Box::new(value);
    println!("wrote {value}");
}

/// Intermediate `read_shared` (signature `fn()`).
pub fn read_shared_interm() {
    let cell = step4_simultaneous::lock();
    // TODO(learner): if NEW_FORMAT is set, downcast to `Stamped` and print
    // `read {value} written at {time_of_day(written)}`; otherwise do what
    // version 0 does (below).
    let cell: &dyn Any = cell.as_ref();
    if let Some(value) = cell.downcast_ref::<u64>() {
        println!("read {value}");
    }
}

// TODO(learner): the final versions, `write_shared_v2(value: u64)` and
// `read_shared_v2()`: the new format only.

// TODO(learner): three updates, in this order:
//   1. "interm": redefine write_shared and read_shared to the intermediate
//      versions in one update, once both are quiescent. `check_alterability`
//      returns an `Alterability`, not a `Result`, so `?` does not work in it:
//      call `ctx.close_gate(f)` for each (new callers wait), and if one
//      returns `Err(e)`, return `Alterability::Blocked(vec![Blocker {
//      thread: String::new(), function: None, depth: 0, detail:
//      e.to_string() }])` (`moult::protocol::Blocker`); then gather
//      `ctx.quiescence(f, &ThreadFilter::All)` of both into one `Vec` and
//      return `Alterability::from_blockers(blockers)` (empty: no call
//      running). In `apply`, `ctx.redefine(f, new)` for each.
//   2. "flip": `check_requirements` answers `Requirements::No(..)` until
//      `ctx.is_applied("interm")`; `apply` takes `step4_simultaneous::lock()`
//      once and, holding it, replaces the plain u64 by a `Stamped` and sets
//      NEW_FORMAT.
//   3. "final": requires "flip" applied, then redefines both functions to
//      the final versions, as in 1.

/// The library's entry: returns the updates to run, in order.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    // TODO(learner): get both functions, `moult::hot_fn!(step4_simultaneous::write_shared)?`
    // (a `Func<fn(u64)>`) and `moult::hot_fn!(step4_simultaneous::read_shared)?`
    // (a `Func<fn()>`), and return your three updates, boxed, in order.
    Ok(vec![])
}
