//! One DSU thread's record: the state every copy of moult shares for it.
//!
//! The record outlives the OS threads that run it (a reboot starts a new OS
//! thread on the same record). Requests from updates are written under the
//! record's lock and summarised in one atomic word, [`ThreadRecord::requests`],
//! which is all an update point reads when nothing is asked.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicPtr, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use moult_protocol::{EventKind, ThreadInfo, ThreadState};

use super::main_fn::Main;
use crate::update::UpdateId;

/// Bit of [`ThreadRecord::requests`]: an update asks the thread to park.
pub(crate) const PARK: u32 = 1;
/// Bit: an armed reboot waits for the thread's next update point.
pub(crate) const REBOOT: u32 = 1 << 1;
/// Bit: active update functions wait to run in the thread.
pub(crate) const TASK: u32 = 1 << 2;

/// An update's request that the thread park at an update point.
pub(crate) struct ParkRequest {
    /// The update that asked (its hold clears only its own requests).
    pub(crate) owner: UpdateId,
    /// Only this update point, or any point when `None`.
    pub(crate) point: Option<String>,
}

impl ParkRequest {
    /// `true` if the thread must park at `point`.
    pub(crate) fn matches(&self, point: &str) -> bool {
        self.point.as_deref().is_none_or(|p| p == point)
    }
}

/// A reboot or main switch asked by an update: inert until the update
/// commits (armed when its holds are released), cancelled by its rollback.
pub(crate) struct Pending<T> {
    /// The update that asked.
    pub(crate) owner: UpdateId,
    /// What to install (the new main, or `None` to reboot onto the current one).
    pub(crate) value: T,
    /// Set when the owner resumed: from then on the thread acts on it.
    pub(crate) armed: bool,
}

/// What a reboot starts: a new main (or the current one), and what the
/// state the old main hands over becomes.
pub(crate) struct Restart {
    /// The new main; `None` reboots onto the current one (or a switch's).
    pub(crate) main: Option<Main>,
    /// Applied to the state handed over before the new main gets it.
    pub(crate) transform: Option<crate::handover::Transform>,
}

/// An active update function waiting to run in the thread.
pub(crate) struct Task {
    /// Lets the submitter withdraw it on timeout.
    pub(crate) id: u64,
    /// The closure, already wrapped in its submitter's `catch_unwind`.
    pub(crate) run: Box<dyn FnOnce() + Send>,
}

/// The part of a record behind its lock.
pub(crate) struct RecordInner {
    /// What the console shows; changed only through [`ThreadRecord::set_state`].
    pub(crate) state: ThreadState,
    /// The main the thread runs (or will run after a reboot).
    pub(crate) main: Main,
    /// 0 for the spawned main, +1 per installed new main.
    pub(crate) main_version: u32,
    /// Reboots so far.
    pub(crate) reboots: u32,
    /// Panics and reboots per main version (see `MainHealth`).
    pub(crate) mains: Vec<moult_protocol::MainHealth>,
    /// Pending park request, if any.
    pub(crate) park: Option<ParkRequest>,
    /// Pending reboot, with an optional new main and state transformer.
    pub(crate) reboot: Option<Pending<Restart>>,
    /// State for the next main to start with: handed over by the old main
    /// at the update point it rebooted from (`dsu::point_with`).
    pub(crate) handover: crate::handover::Handover,
    /// Pending switch of main, effective when the current main returns.
    pub(crate) switch: Option<Pending<Main>>,
    /// Active update functions to run at the next update point.
    pub(crate) tasks: VecDeque<Task>,
    /// Next task id.
    pub(crate) next_task: u64,
}

/// One DSU thread.
pub(crate) struct ThreadRecord {
    /// Unique DSU name; also the OS thread name.
    pub(crate) name: String,
    /// Summary of pending requests (`PARK | REBOOT | TASK`), read by every
    /// update point; rewritten under the lock by [`ThreadRecord::publish`].
    pub(crate) requests: AtomicU32,
    /// Last update point passed: a pointer to the `&'static str` static the
    /// `update_point!` expansion made (code is never unloaded, fact 3).
    pub(crate) last_point: AtomicPtr<&'static str>,
    /// OS tid of the thread running the record now; 0 between OS threads.
    pub(crate) tid: AtomicI32,
    /// Owner only: the raise function of the running main's copy (0: none).
    pub(crate) raise: AtomicUsize,
    /// Owner only: update points are no-ops (running an active update
    /// function, or unwinding for a reboot).
    pub(crate) busy: AtomicBool,
    /// Requests, state and main.
    pub(crate) inner: Mutex<RecordInner>,
    /// Wakes a parked thread (requests changed) and waiters for a state.
    pub(crate) changed: Condvar,
    /// Join handle of the OS thread running the record now. Held locked
    /// while a successor is spawned, so each OS thread finds its own handle
    /// here when it hands it to its successor.
    pub(crate) os: Mutex<Option<JoinHandle<()>>>,
}

impl ThreadRecord {
    pub(crate) fn new(name: String, main: Main) -> ThreadRecord {
        ThreadRecord {
            name,
            requests: AtomicU32::new(0),
            last_point: AtomicPtr::new(std::ptr::null_mut()),
            tid: AtomicI32::new(0),
            raise: AtomicUsize::new(0),
            busy: AtomicBool::new(false),
            inner: Mutex::new(RecordInner {
                state: ThreadState::Running,
                main,
                main_version: 0,
                reboots: 0,
                mains: Vec::new(),
                park: None,
                reboot: None,
                handover: Default::default(),
                switch: None,
                tasks: VecDeque::new(),
                next_task: 0,
            }),
            changed: Condvar::new(),
            os: Mutex::new(None),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, RecordInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Recomputes the request word from `inner` (call after every change,
    /// lock held) and wakes the thread if it waits.
    pub(crate) fn publish(&self, inner: &RecordInner) {
        let mut bits = 0;
        if inner.park.is_some() {
            bits |= PARK;
        }
        if inner.reboot.as_ref().is_some_and(|r| r.armed) {
            bits |= REBOOT;
        }
        if !inner.tasks.is_empty() {
            bits |= TASK;
        }
        self.requests.store(bits, Ordering::Release);
        self.changed.notify_all();
    }

    /// Changes the state (lock held), emitting a `ThreadState` event if it
    /// differs. A change is progress for a waiting update (a park reached,
    /// a thread finished or back from a reboot): it checks again now.
    pub(crate) fn set_state(&self, inner: &mut RecordInner, state: ThreadState) {
        if inner.state != state {
            inner.state = state.clone();
            let rt = crate::runtime();
            rt.events.emit(EventKind::ThreadState {
                thread: self.name.clone(),
                state,
            });
            self.changed.notify_all();
            rt.progress.bump();
        }
    }

    /// The last update point passed, if any.
    pub(crate) fn last_point(&self) -> Option<String> {
        let p = self.last_point.load(Ordering::Relaxed);
        // SAFETY: only ever set to the address of a `&'static str` static.
        (!p.is_null()).then(|| unsafe { *p }.to_string())
    }

    /// The console's view of the thread.
    pub(crate) fn info(&self) -> ThreadInfo {
        let inner = self.lock();
        ThreadInfo {
            name: self.name.clone(),
            state: inner.state.clone(),
            last_point: self.last_point(),
            main_version: inner.main_version,
            reboots: inner.reboots,
            mains: inner.mains.clone(),
        }
    }

    /// The health entry of the main running now.
    pub(crate) fn main_health(inner: &mut RecordInner) -> &mut moult_protocol::MainHealth {
        let version = inner.main_version;
        match inner.mains.iter().position(|m| m.version == version) {
            Some(i) => &mut inner.mains[i],
            None => {
                inner.mains.push(moult_protocol::MainHealth {
                    version,
                    panics: 0,
                    reboots: 0,
                });
                inner.mains.last_mut().expect("just pushed")
            }
        }
    }

    /// `true` while an OS thread runs the record on the calling thread.
    pub(crate) fn is_current(&self) -> bool {
        self.tid.load(Ordering::Acquire) == crate::thread_table::current_tid()
    }

    /// Logs an error line about this thread on the event stream.
    pub(crate) fn log_error(&self, message: String) {
        crate::runtime().events.emit(EventKind::Log {
            level: "error".into(),
            message: format!("DSU thread {}: {message}", self.name),
        });
    }
}
