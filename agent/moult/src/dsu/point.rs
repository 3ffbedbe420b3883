//! Update points: where a DSU thread parks, reboots, or runs an active
//! update function on an update's behalf.
//!
//! Fast path (nothing requested): one read of a const thread-local, a store
//! of the point passed in the thread's own record, one atomic load of the
//! record's request word. On a thread that is not a DSU thread: one
//! thread-local read.

use std::cell::Cell;
use std::sync::atomic::Ordering;
use std::time::Duration;

use moult_protocol::ThreadState;

use super::record::{RecordInner, ThreadRecord};

/// A parked thread re-checks its requests this often even without a
/// notification (a lost wake-up can never leave it parked for good).
const PARK_RECHECK: Duration = Duration::from_millis(50);

/// Marks an update point of a DSU thread, `moult::update_point!("loop head");`,
/// or of a task, `moult::update_point!("loop head").await;` (`task/`).
///
/// When an update asks, the thread parks here until the update resumes,
/// reboots from here (unwinding to its root), or runs a closure the update
/// sends. Otherwise it costs a thread-local read and two atomic accesses.
/// On a thread that is not a DSU thread it does nothing.
///
/// The name must be a constant `&str` expression (typically a literal); it
/// is what `request_park(.., Some(name))` matches and what the console shows.
#[macro_export]
macro_rules! update_point {
    ($name:expr) => {{
        static __MOULT_UPDATE_POINT: &str = $name;
        $crate::dsu::__update_point(&__MOULT_UPDATE_POINT)
    }};
}

/// Sentinel of [`CURRENT`]: this thread was looked up and is no DSU thread.
const NOT_DSU: *const ThreadRecord = std::ptr::without_provenance(1);

thread_local! {
    /// This copy's cache of the calling thread's record: null until resolved
    /// (through the runtime, by OS tid), [`NOT_DSU`] for other threads.
    /// Const-initialised and without destructor: reading it is one TLS access.
    static CURRENT: Cell<*const ThreadRecord> = const { Cell::new(std::ptr::null()) };
}

/// Root runner: the calling OS thread now runs `record` (fills this copy's cache).
pub(crate) fn attach_current(record: &std::sync::Arc<ThreadRecord>) {
    CURRENT.with(|c| c.set(std::sync::Arc::as_ptr(record)));
}

/// Root runner: the calling OS thread no longer runs `record`.
pub(crate) fn detach_current(record: &ThreadRecord) {
    record.tid.store(0, Ordering::Release);
    CURRENT.with(|c| c.set(NOT_DSU));
}

/// What `update_point!` expands to; not part of the public API.
///
/// Returns the point, which a task `.await`s (`task/point.rs`); on a DSU
/// thread the work is done here and the value is dropped.
#[doc(hidden)]
#[inline]
pub fn __update_point(point: &'static &'static str) -> crate::task::UpdatePoint {
    passed(point, &mut |_| {});
    crate::task::UpdatePoint { name: point }
}

/// An update point of a DSU thread that hands `state` to the new main if
/// the thread reboots here (taken by a main built with `Main::with_state`,
/// after the update's transformer), and gives it back otherwise:
///
/// ```ignore
/// let mut cache = Cache::default();
/// loop {
///     serve(&mut cache);
///     cache = moult::dsu::point_with(&"loop", cache);
/// }
/// ```
pub fn point_with<S: std::any::Any + Send>(point: &'static &'static str, state: S) -> S {
    let mut state = Some(state);
    passed(point, &mut |inner| {
        if let Some(s) = state.take() {
            inner.handover = crate::handover::Handover::new(s);
        }
    });
    state.expect("the state is handed over only by a reboot, which does not return")
}

/// The update point `point` is passed; `stash` puts the thread's state in
/// its record just before a reboot unwinds from here.
#[inline]
fn passed(point: &'static &'static str, stash: &mut dyn FnMut(&mut RecordInner)) {
    let mut p = CURRENT.with(Cell::get);
    if p.is_null() {
        p = resolve();
    }
    if p == NOT_DSU {
        return;
    }
    // SAFETY: records are never freed while the runtime lives (a replaced
    // record is retired, not dropped).
    let record = unsafe { &*p };
    record.last_point.store(
        point as *const &'static str as *mut &'static str,
        Ordering::Relaxed,
    );
    if record.requests.load(Ordering::Acquire) != 0 {
        requested(record, point, stash);
    }
}

/// `true` while the calling thread unwinds to its root for a reboot (an
/// unwind that is not a panic: hot calls it passes through count none).
pub(crate) fn unwinding_for_reboot() -> bool {
    let mut p = CURRENT.try_with(Cell::get).unwrap_or(NOT_DSU);
    if p.is_null() {
        p = resolve();
    }
    if p == NOT_DSU {
        return false;
    }
    // SAFETY: as in `__update_point`.
    let record = unsafe { &*p };
    record.lock().state == ThreadState::Rebooting
}

/// First update point of this copy on this thread: find the record by OS tid.
#[cold]
fn resolve() -> *const ThreadRecord {
    let tid = crate::thread_table::current_tid();
    let p = match crate::runtime().threads.by_tid(tid) {
        // The registry keeps the Arc alive (see `__update_point`).
        Some(record) => std::sync::Arc::as_ptr(&record),
        None => NOT_DSU,
    };
    CURRENT.with(|c| c.set(p));
    p
}

/// Something is requested: run tasks, reboot, or park, in that order.
#[cold]
#[inline(never)]
fn requested(record: &ThreadRecord, point: &'static str, stash: &mut dyn FnMut(&mut RecordInner)) {
    if record.busy.load(Ordering::Relaxed) || !record.is_current() {
        return; // inside an active update function, unwinding, or a stale cache
    }
    let mut inner = record.lock();
    loop {
        if let Some(task) = inner.tasks.pop_front() {
            record.publish(&inner);
            drop(inner);
            record.busy.store(true, Ordering::Relaxed);
            (task.run)(); // never unwinds: wrapped by its submitter
            record.busy.store(false, Ordering::Relaxed);
            inner = record.lock();
            continue;
        }
        if inner.reboot.as_ref().is_some_and(|r| r.armed) {
            let raise = record.raise.load(Ordering::Relaxed);
            if raise == 0 {
                // Unreachable: update points only run inside a main.
                record.log_error("reboot requested outside a main; ignored".into());
                inner.reboot = None;
                record.publish(&inner);
                continue;
            }
            record.set_state(&mut inner, ThreadState::Rebooting);
            stash(&mut inner);
            drop(inner);
            // Destructors run by the unwind must not reach this again.
            record.busy.store(true, Ordering::Relaxed);
            // The root runner stored it with an `as usize` cast, which exposed
            // its provenance: take it back, or the call has none (Miri: UB).
            let raise = std::ptr::with_exposed_provenance::<()>(raise);
            // SAFETY: stored from a `fn() -> !` by the root runner (Main::raise).
            let raise: fn() -> ! = unsafe { std::mem::transmute::<*const (), fn() -> !>(raise) };
            raise();
        }
        if inner.park.as_ref().is_some_and(|r| r.matches(point)) {
            record.set_state(&mut inner, ThreadState::Parked(point.to_string()));
            inner = record
                .changed
                .wait_timeout(inner, PARK_RECHECK)
                .unwrap_or_else(|e| e.into_inner())
                .0;
            continue;
        }
        if matches!(inner.state, ThreadState::Parked(_)) {
            record.set_state(&mut inner, ThreadState::Running);
        }
        return;
    }
}
