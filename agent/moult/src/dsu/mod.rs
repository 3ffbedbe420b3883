//! DSU threads, update points, reboot and active update functions
//! (Pymoult's `DSU_Thread`, `staticUpdatePoint`, `setupWaitStaticPoints`,
//! `switchMain`, `resetThread`, `ThreadRebootUpdate`).
//!
//! - [`spawn`] starts a named *DSU thread* running a [`Main`];
//! - [`update_point!`](crate::update_point) marks a place in its code where
//!   an update may park it, reboot it, or run a closure in its context;
//! - updates drive them through [`UpdateContext`](crate::UpdateContext):
//!   `request_park` / `parked` / `clean_failed_park` (alterability at update
//!   points), `reboot` / `switch_main` (new mains), `run_in_thread` (active
//!   update functions), or use the predefined [`AtUpdatePoints`] and
//!   [`ThreadReboot`] updates.
//!
//! # Living with several copies of moult and std
//!
//! An update library (`cdylib`) carries its own copy of moult *and of std*
//! (docs/ARCHITECTURE.md, fact 1). Three rules follow, and this module keeps them:
//!
//! 1. **All state lives in the runtime.** Every DSU thread is a record in
//!    the runtime's `ThreadRegistry`; a copy's only statics are a
//!    const-initialised thread-local *cache* of the calling thread's record,
//!    resolved through the runtime by OS thread id (`gettid`) on first use.
//!    Threads are identified by OS tid and DSU name, never by
//!    `std::thread::ThreadId` or `thread::current()` (each std copy has its
//!    own); waiting uses the record's `Mutex` + `Condvar` (futex words that
//!    every copy of the same std operates on alike), never `thread::park`.
//! 2. **A panic is caught by the copy that raised it.** Catching another
//!    copy's panic aborts the process ("foreign exception"). So a [`Main`] is
//!    wrapped *where it is constructed* ([`Main::new`] runs in the copy that
//!    builds it, e.g. the update library's): the wrapper catches the main's
//!    panics with that copy's `catch_unwind` and hands the root runner a plain
//!    value (`MainExit::{Returned, Reboot, Panicked}`), and it carries that
//!    same copy's *raise* function. When the root runner starts a main it
//!    registers the main's raise function in the thread record; a reboot
//!    requested at an update point (reached from code of *any* copy) calls
//!    that registered function, so the unwind is raised by the very copy whose
//!    `catch_unwind` frame will catch it. Closures run by `run_in_thread` are
//!    wrapped the same way by the copy that submits them, and update points
//!    reached *inside* such a closure are no-ops (their unwind would meet the
//!    closure's frame first).
//! 3. **The reboot unwind is silent.** It is raised with
//!    `std::panic::resume_unwind`, which does not call the panic hook (no
//!    global hook swapping, no race with the app's own hook).
//!
//! Consequence for app code: do not put an update point under your own
//! `catch_unwind` (it would swallow the reboot), and a closure given to
//! `run_in_thread` must not let a panic raised by *another* copy's code
//! escape (the same limit as every update hook, see
//! [`boundary`](crate::boundary)).
//!
//! # Reboot
//!
//! At its next update point after the requesting update *resumed*, the
//! thread unwinds to its root (stack destructors run), its OS thread exits
//! (so thread-locals of the old main are dropped, docs/ARCHITECTURE.md, fact 6), and a
//! new OS thread with the same DSU name and record first joins the old one,
//! then runs the (new) main. A request made by an update that then fails is
//! cancelled by the rollback: requests are only *armed* when the update's
//! holds are released at resume.

mod active;
mod main_fn;
mod park;
mod point;
mod reboot;
mod record;
mod registry;
mod root;

pub use active::DEFAULT_RUN_TIMEOUT;
pub use main_fn::Main;
pub use park::AtUpdatePoints;
#[doc(hidden)]
pub use point::__update_point;
pub use point::point_with;
pub(crate) use point::unwinding_for_reboot;
pub use reboot::ThreadReboot;
pub(crate) use registry::ThreadRegistry;
pub use root::{DsuThread, spawn, spawn_main, thread};
