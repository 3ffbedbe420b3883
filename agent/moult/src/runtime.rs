//! The one runtime of the app, shared by every copy of this crate.
//!
//! The app's copy of moult owns the [`Runtime`] (a process-wide static). An
//! update library carries its own copy of moult with its own statics
//! (docs/ARCHITECTURE.md, fact 1), so its entry is handed a pointer to the app's runtime
//! and [`runtime()`] returns that one from then on: every registry access,
//! from any copy, lands in the app's state.
//!
//! `impl Runtime` is split by registry; the methods live in:
//! - here: events, `is_applied`, uptime;
//! - `update/manager.rs`: the queue (`submit`, `submit_watched`, `wait`,
//!   `abort`, `postpone`, `updates`, `revert`);
//! - `hot/quiescence.rs`: `functions` (versions, activity, health);
//! - `dsu/registry.rs`: `threads`;
//! - `class/registry.rs`: `classes`, `convert_pending`, `visit_instances`;
//! - `library/mod.rs`: `libraries`.

use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use crate::class::ClassRegistry;
use crate::crossing::Copies;
use crate::dsu::ThreadRegistry;
use crate::events::EventBus;
use crate::fence::HeavyFence;
use crate::hot::FunctionRegistry;
use crate::library::LibraryRegistry;
use crate::library::host_alloc::{AllocTable, THIS_ALLOC};
use crate::progress::Progress;
use crate::thread_table::ThreadTables;
use crate::update::manager::ManagerCore;

/// All agent state of one process: registries, event stream, manager queue.
///
/// Reached with [`runtime()`]. Its layout is part of the build fingerprint
/// (a library's copy of moult operates on it directly).
pub struct Runtime {
    /// When the agent started: event timestamps are relative to it.
    pub(crate) started: Instant,
    /// Bounded stream of lifecycle events; never blocks an app thread.
    pub(crate) events: EventBus,
    /// The asymmetric fence updaters use so callers need none.
    pub(crate) fence: HeavyFence,
    /// Per-OS-thread activation counters of hot functions.
    pub(crate) tables: ThreadTables,
    /// Hot functions by name and id.
    pub(crate) functions: FunctionRegistry,
    /// DSU threads by name.
    pub(crate) threads: ThreadRegistry,
    /// Task groups and their tasks (`task/`).
    pub(crate) tasks: crate::task::TaskRegistry,
    /// Tracked classes by name.
    pub(crate) classes: ClassRegistry,
    /// Update libraries loaded so far (kept loaded for the life of the process).
    pub(crate) libraries: LibraryRegistry,
    /// The update queue and its worker thread.
    pub(crate) manager: ManagerCore,
    /// Wakes an update waiting for alterability when something it waits
    /// for happens (a park reached, a last old activation returned), so it
    /// does not wait for its next poll.
    pub(crate) progress: Progress,
    /// Names of updates applied so far, for `is_applied` requirements.
    pub(crate) applied: Mutex<Vec<String>>,
    /// The copies of `std` loaded (the app's, each library's): which one
    /// catches the panics of a function handed over.
    pub(crate) copies: Copies,
    /// Every applied update and what it changed, for reverts.
    pub(crate) history: crate::update::history::History,
    /// The app's allocation functions: update libraries allocate through
    /// them (see `library/host_alloc.rs`).
    pub(crate) alloc: &'static AllocTable,
}

impl Runtime {
    fn new() -> Runtime {
        let rt = Runtime {
            started: Instant::now(),
            events: EventBus::new(EventBus::DEFAULT_CAPACITY),
            fence: HeavyFence::new(),
            tables: ThreadTables::default(),
            functions: FunctionRegistry::default(),
            threads: ThreadRegistry::default(),
            tasks: Default::default(),
            classes: ClassRegistry::default(),
            libraries: LibraryRegistry::default(),
            manager: ManagerCore::default(),
            progress: Progress::default(),
            applied: Mutex::new(Vec::new()),
            copies: Copies::default(),
            alloc: &THIS_ALLOC,
            history: Default::default(),
        };
        rt.copies.register_this();
        rt.functions.register_compiled_in(&rt);
        crate::observe::install(&rt.events);
        rt
    }

    /// The event stream (lifecycle steps, alterability attempts, outcomes).
    pub fn events(&self) -> &EventBus {
        &self.events
    }

    /// `true` once an update of that name was applied (Pymoult's `isApplied`).
    pub fn is_applied(&self, name: &str) -> bool {
        self.applied
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|n| n == name)
    }

    /// Milliseconds since the agent started.
    pub fn uptime_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }
}

/// The app's own runtime, created on first use.
static HOST: OnceLock<Runtime> = OnceLock::new();

/// Set in an update library's copy of moult by its entry: the app's runtime.
static GUEST_OF: AtomicPtr<Runtime> = AtomicPtr::new(std::ptr::null_mut());

/// Whether this copy of moult is an update library's (its entry handed it
/// the app's runtime) rather than the app's own.
#[cfg_attr(not(feature = "tokio"), allow(dead_code))]
pub(crate) fn is_library_copy() -> bool {
    !GUEST_OF.load(Ordering::Acquire).is_null()
}

/// The app's runtime, from whichever copy of moult calls it.
pub fn runtime() -> &'static Runtime {
    let guest = GUEST_OF.load(Ordering::Acquire);
    if guest.is_null() {
        HOST.get_or_init(Runtime::new)
    } else {
        // SAFETY: set once by the library entry to the app's `HOST`, a static
        // that lives as long as the process; the fingerprint check guarantees
        // this copy of moult has the same layout.
        unsafe { &*guest }
    }
}

/// Starts the agent in the app: creates the runtime and registers every
/// `#[hot]` function compiled into the program. Calling it is optional (the
/// runtime starts on first use) but makes the registries complete at once.
pub fn init() -> &'static Runtime {
    runtime()
}

/// Makes this copy of moult (an update library's) forward to the app's
/// runtime; whether it is a library's copy (`false`: the app's own, in
/// in-process tests).
pub(crate) fn attach_guest(host: &'static Runtime) -> bool {
    if std::ptr::eq(host, HOST.get().map_or(std::ptr::null(), |r| r as *const _)) {
        return false; // called in the app itself (in-process tests): nothing to forward
    }
    GUEST_OF.store(host as *const Runtime as *mut Runtime, Ordering::Release);
    host.copies.register_this();
    true
}
