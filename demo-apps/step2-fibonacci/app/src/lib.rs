//! Tutorial step 2, exercise 1 — back to updating Data (Pymoult's `step2`
//! fibonacci app).
//!
//! What it teaches: two updates that do not know about each other leave a
//! window between them. The app keeps a list of tracked [`Data`] (the class
//! [`DATA`]) grown like the Fibonacci sequence: each period the hot function
//! [`sum`] builds the next element from the last two. The update converts
//! `Data` to a version with an `origin` (`moult::class::EagerConversion`)
//! and redefines `sum` (`moult::update::SafeRedefine`) so that it builds the
//! new version — two independent updates, applied one after the other.
//!
//! Version 0 of `sum` names its type: it builds a [`Data`] itself and tracks
//! it. So if it is still running, or called, after the conversion and before
//! its own redefinition, it builds a version 0 `Data` that nothing converts
//! any more: the console's class pane shows it, counted at version 0. To make
//! that window visible, `sum` takes a while (a quarter of the period, as a
//! real computation would) between reading the two values and building the
//! new one.
//!
//! Values are kept modulo [`MODULUS`]: the Fibonacci numbers pass `u64::MAX`
//! after 93 terms, so the app prints `fib(n)` modulo 10⁹. The list keeps the
//! last [`KEPT`] elements.
//!
//! The app is a library (this file) and a binary (`main.rs`) so that update
//! crates can name `step2_fibonacci::DATA`, `step2_fibonacci::sum`, the
//! trait and the types.

use std::any::Any;
use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use moult::class::Tracked;

/// Values are kept modulo this (10⁹), so that they never overflow.
pub const MODULUS: u64 = 1_000_000_000;

/// How many elements the list keeps (the oldest are dropped).
pub const KEPT: usize = 50;

/// What every version of `Data` offers the app: being printed, and its
/// value (what [`sum`] adds up). `Any` lets a transformer find out which
/// version it was given.
pub trait DataApi: Any + Send + Sync + fmt::Display {
    /// The number this `Data` holds.
    fn value(&self) -> u64;
}

/// Version 0 of `Data`: a value, printed alone.
pub struct Data {
    /// One element of the sequence, modulo [`MODULUS`].
    pub value: u64,
}

impl DataApi for Data {
    fn value(&self) -> u64 {
        self.value
    }
}

impl fmt::Display for Data {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.value)
    }
}

moult::class!(
    /// The tracked class `Data`; its constructor of record takes the value
    /// (the app builds the first two elements with it).
    pub static DATA: dyn DataApi, u64 = "Data" as Data, |value| Box::new(Data { value })
);

/// One element of the list: a tracked `Data`, of whatever version.
pub type Item = Tracked<dyn DataApi>;

/// The type of [`sum`] (and of every new version of it).
pub type SumFn = fn(&Item, &Item) -> Item;

/// The next value of the sequence: `last + before_last`, modulo [`MODULUS`].
pub fn next_value(last: u64, before_last: u64) -> u64 {
    (last + before_last) % MODULUS
}

/// How long [`sum`] works, in nanoseconds (a quarter of the period; set by
/// [`run`]). Update code reads its own copy of this static (zero): a new
/// `sum` that calls [`work_time`] does not wait.
static WORK_NANOS: AtomicU64 = AtomicU64::new(0);

/// How long [`sum`] takes between reading its arguments and building the
/// new element: the window where an update may land while it runs.
pub fn work_time() -> Duration {
    Duration::from_nanos(WORK_NANOS.load(Ordering::Relaxed))
}

/// Builds the next element from the last two. Hot: an update can swap it
/// while the app runs.
///
/// Version 0 builds a version 0 [`Data`] itself and tracks it
/// ([`DATA`]`.track`): whatever the class's current version, this code
/// builds the type it names.
#[moult::hot]
pub fn sum(last: &Item, before_last: &Item) -> Item {
    let last = last.read().value();
    let before_last = before_last.read().value();
    std::thread::sleep(work_time());
    DATA.track(Box::new(Data {
        value: next_value(last, before_last),
    }))
}

/// The app's loop: starts the list with 0 and 1, then every `period` (2 s
/// in the tutorial) appends `sum(last, before_last)` and prints it as
/// `fib(<n>) = <the new Data>`.
pub fn run(period: Duration) -> ! {
    WORK_NANOS.store((period / 4).as_nanos() as u64, Ordering::Relaxed);
    let mut list: VecDeque<Item> = VecDeque::from([DATA.create(0), DATA.create(1)]);
    let mut n = 1u64; // index of the list's last element
    loop {
        let next = sum(&list[list.len() - 1], &list[list.len() - 2]);
        n += 1;
        println!("fib({n}) = {}", &*next.read());
        list.push_back(next);
        if list.len() > KEPT {
            list.pop_front();
        }
        std::thread::sleep(period);
    }
}
