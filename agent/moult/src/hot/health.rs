//! The health of a hot function's versions: how often each was called and
//! how often it panicked — what an operator (or an automatic watch) judges
//! an update by.
//!
//! Calls are never counted twice: each thread already counts its own calls
//! of every function (`thread_table.rs`), so a version's calls are the
//! difference of the function's total between the moment the version took
//! over and the moment it was replaced. Counts of threads that exited are
//! kept here (`retired`), so totals never go back.
//!
//! Panics are counted when a call unwinds (`call.rs`), on the version that
//! was called (`version.rs` keeps a counter per version). A
//! `version_panicked` event tells the console, at most once a second per
//! function: a burst of panics becomes one event carrying how many there
//! were.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use moult_protocol::{EventKind, VersionHealth};

use super::FnRecord;
use crate::Runtime;
use crate::thread_table::Counter;

/// Shortest time between two `version_panicked` events of one function.
const EVENT_EVERY_MS: u64 = 1_000;

/// Health bookkeeping of one hot function.
#[derive(Default)]
pub(crate) struct FnHealth {
    /// Calls made by threads that have exited (their tables are gone).
    retired: AtomicU64,
    /// (version number, the function's total calls when it took over), in
    /// the order versions took over.
    spans: Mutex<Vec<(u32, u64)>>,
    /// Uptime (ms) of the last `version_panicked` event; 0: none yet.
    last_event_ms: AtomicU64,
    /// Panics not yet reported by an event.
    unreported: AtomicU64,
}

impl FnHealth {
    /// Adds the calls of a thread that is exiting.
    pub(crate) fn retire(&self, calls: u64) {
        self.retired.fetch_add(calls, Ordering::Relaxed);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(u32, u64)>> {
        self.spans.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl FnRecord {
    /// Every call of this function so far, on live and exited threads.
    pub(crate) fn total_calls(&self, rt: &Runtime) -> u64 {
        let id = self.core.id.load(Ordering::Acquire);
        let live: u64 = rt.tables.all().iter().map(|t| t.read(id).1).sum();
        live + self.health.retired.load(Ordering::Relaxed)
    }

    /// Records that version `version` takes over from now on (a redefine,
    /// a rollback, a revert).
    pub(crate) fn version_took_over(&self, rt: &Runtime, version: u32) {
        let total = self.total_calls(rt);
        let mut spans = self.health.lock();
        if spans.is_empty() {
            spans.push((0, 0));
        }
        spans.push((version, total));
    }

    /// Calls and panics of every version this function has had, oldest first.
    pub(crate) fn health(&self, rt: &Runtime) -> Vec<VersionHealth> {
        let total = self.total_calls(rt);
        let spans = {
            let spans = self.health.lock();
            if spans.is_empty() {
                vec![(0, 0)]
            } else {
                spans.clone()
            }
        };
        let mut out: Vec<VersionHealth> = Vec::new();
        for (i, &(version, start)) in spans.iter().enumerate() {
            let end = spans.get(i + 1).map_or(total, |&(_, s)| s);
            let calls = end.saturating_sub(start);
            match out.iter_mut().find(|h| h.version == version) {
                Some(h) => h.calls += calls,
                None => out.push(VersionHealth {
                    version,
                    calls,
                    panics: 0,
                }),
            }
        }
        for (version, panics) in self.core.versions.panics_by_version() {
            match out.iter_mut().find(|h| h.version == version) {
                Some(h) => h.panics += panics,
                None => out.push(VersionHealth {
                    version,
                    calls: 0,
                    panics,
                }),
            }
        }
        out.sort_by_key(|h| h.version);
        out
    }
}

/// A hot call counted on `counter` (the calling thread's) unwound: counts
/// a panic of the function's current version (a safe redefine cannot swap
/// it while the panicking activation is still counted). Reboot unwinds are
/// not panics and are not counted.
#[cold]
pub(crate) fn count_unwind(counter: &Counter) {
    if crate::dsu::unwinding_for_reboot() {
        return;
    }
    let Some(id) = crate::thread_table::current_table().and_then(|t| t.id_of(counter)) else {
        return;
    };
    let rt = crate::runtime();
    let record = rt.functions.record_by_id(id);
    let mut current = record.core.slot.load(Ordering::Acquire);
    if current.is_null() {
        current = record.gate_restore.load(Ordering::Acquire);
    }
    count_panic(&record, current);
}

/// Counts a panic of `record`'s version `f`, and tells the console unless
/// it was told less than a second ago.
fn count_panic(record: &FnRecord, f: *mut ()) {
    let core = record.core;
    let (version, panics) = core.versions.count_panic(f);
    let rt = crate::runtime();
    let health = &record.health;
    health.unreported.fetch_add(1, Ordering::Relaxed);
    let now = rt.uptime_ms().max(1);
    let last = health.last_event_ms.load(Ordering::Relaxed);
    if (last == 0 || now.saturating_sub(last) >= EVENT_EVERY_MS)
        && health
            .last_event_ms
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    {
        rt.events.emit(EventKind::VersionPanicked {
            function: core.name.to_string(),
            version,
            panics,
            since_last: health.unreported.swap(0, Ordering::Relaxed),
        });
    }
}
