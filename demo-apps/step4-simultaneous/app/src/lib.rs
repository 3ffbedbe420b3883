//! Tutorial step 4, exercise 1 — simultaneous update (Pymoult's `step4`
//! simultaneous app).
//!
//! What it teaches: two functions that must change together. The DSU thread
//! `writer` stores a counter in a shared variable with the hot function
//! [`write_shared`]; the DSU thread `reader` reads it back with the hot
//! function [`read_shared`], half a period later. The variable holds a boxed
//! `Any` behind a lock; version 0 stores a plain `u64` and its reader
//! *expects* one (it panics on anything else). The update makes the
//! variable also store when it was written, a new format: if the new writer
//! ran before the old reader was gone, the old reader would panic and the
//! `reader` thread would die. The update therefore goes DynamOS's way, in
//! three steps (intermediate versions, a flag flipped with the data, final
//! versions).
//!
//! The app is a library (this file) and a binary (`main.rs`) so that update
//! crates can name `step4_simultaneous::write_shared`, `read_shared` and
//! [`lock`].

use std::any::Any;
use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// The writer DSU thread's name.
pub const WRITER_THREAD: &str = "writer";

/// The reader DSU thread's name.
pub const READER_THREAD: &str = "reader";

/// The shared variable's type: a value of whatever format the running code
/// writes, behind a lock.
pub type Shared = Mutex<Box<dyn Any + Send>>;

/// The shared variable; starts as the plain value `0`.
static SHARED: LazyLock<Shared> = LazyLock::new(|| Mutex::new(Box::new(0u64)));

/// The app's shared variable.
///
/// Hot, so that update code reaches the *app's* variable: an update crate
/// has its own copy of `SHARED` (docs/ARCHITECTURE.md, fact 1), but a call of a hot
/// function from update code runs the app's registered version.
#[moult::hot]
pub fn shared() -> &'static Shared {
    &SHARED
}

/// Locks the shared variable (through [`shared`], so from update code too);
/// a thread that panicked while holding it does not make it unusable.
pub fn lock() -> MutexGuard<'static, Box<dyn Any + Send>> {
    shared().lock().unwrap_or_else(PoisonError::into_inner)
}

/// Version 0 of the writer's step: stores `value` as a plain `u64` and
/// prints `wrote <value>`.
#[moult::hot]
pub fn write_shared(value: u64) {
    *lock() = Box::new(value);
    println!("wrote {value}");
}

/// Version 0 of the reader's step: prints `read <value>`. It knows only the
/// plain `u64` format, and panics on any other.
#[moult::hot]
pub fn read_shared() {
    let value = *lock()
        .downcast_ref::<u64>()
        .expect("read_shared v0 reads a plain u64, and the shared variable holds something else");
    println!("read {value}");
}

/// The `writer` thread's main: writes 1, 2, 3… one per `period`.
pub fn writer_main(period: Duration) {
    for value in 1.. {
        write_shared(value);
        std::thread::sleep(period);
    }
}

/// The `reader` thread's main: half a period after the writer, reads the
/// variable once per `period`.
pub fn reader_main(period: Duration) {
    std::thread::sleep(period / 2);
    loop {
        read_shared();
        std::thread::sleep(period);
    }
}

/// Starts the DSU threads [`WRITER_THREAD`] and [`READER_THREAD`] (1 s
/// period in the tutorial); the process's main thread then only keeps the
/// process alive.
pub fn run(period: Duration) -> ! {
    let spawned = moult::dsu::spawn(WRITER_THREAD, move || writer_main(period))
        .and_then(|_| moult::dsu::spawn(READER_THREAD, move || reader_main(period)));
    if let Err(e) = spawned {
        eprintln!("step4-simultaneous: cannot start its threads: {e}");
        std::process::exit(1);
    }
    loop {
        std::thread::park();
    }
}
