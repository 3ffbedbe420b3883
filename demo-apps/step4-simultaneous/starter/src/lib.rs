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
//!
//! What to read: everything of step 3 ([`moult::Update`],
//! [`moult::UpdateContext`], [`moult::Alterability`]) plus an update's
//! requirements ([`moult::Requirements`], and how a context tells whether
//! another update applied). Stuck? `moult-console hint step4-simultaneous`,
//! or `h` in the tutorial.

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
    // TODO(learner): in the new format, store the value with the time it
    // was written and say `wrote {value} at {time}`; else as version 0.
    *cell = Box::new(value);
    println!("wrote {value}");
}

/// Intermediate `read_shared` (signature `fn()`).
pub fn read_shared_interm() {
    let cell = step4_simultaneous::lock();
    // TODO(learner): in the new format, say `read {value} written at
    // {time}`; else as version 0.
    let cell: &dyn Any = cell.as_ref();
    if let Some(value) = cell.downcast_ref::<u64>() {
        println!("read {value}");
    }
}

// TODO(learner): the final versions, `write_shared_v2(value: u64)` and
// `read_shared_v2()`: the new format only.

// TODO(learner): three updates, in this order:
//   1. "interm": both functions become the intermediate versions together,
//      while neither runs;
//   2. "flip": only once "interm" applied; turns the stored value into the
//      new format and sets the flag, in one step nobody can see half of;
//   3. "final": only once "flip" applied; both functions become the final
//      versions, as in 1.

/// The library's entry: returns the updates to run, in order.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    // TODO(learner): return your three updates, in order, built on the
    // app's `write_shared` and `read_shared`.
    Ok(vec![])
}
