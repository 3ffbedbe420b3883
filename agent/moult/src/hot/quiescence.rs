//! Quiescence of hot functions: who runs what, right now.

use std::sync::atomic::Ordering;

use moult_protocol::{Blocker, FunctionInfo, ThreadActivity};

use super::HotFnCore;
use crate::Runtime;
use crate::thread_table::Counter;
use crate::update::ThreadFilter;

/// Activations of `core` on the threads `filter` selects, after a heavy
/// fence: empty means quiescent. Callers that raced the fence either are
/// counted here or saw the closed gate.
pub(crate) fn blockers(rt: &Runtime, core: &HotFnCore, filter: &ThreadFilter) -> Vec<Blocker> {
    rt.fence.heavy();
    let id = core.id.load(Ordering::Acquire);
    let mut blockers: Vec<Blocker> = rt
        .tables
        .all()
        .iter()
        .filter(|t| filter.matches(&t.name))
        .filter_map(|t| {
            let (depth, _) = t.read(id);
            (depth > 0).then(|| Blocker {
                thread: t.name.clone(),
                function: Some(core.name.to_string()),
                depth,
                detail: format!("{depth} activation(s) of {} running", core.name),
            })
        })
        .collect();
    let untracked = rt.functions.record(core).untracked.load(Ordering::SeqCst);
    if untracked > 0 {
        blockers.push(Blocker {
            thread: "exiting threads".into(),
            function: Some(core.name.to_string()),
            depth: untracked,
            detail: "calls made during thread teardown".into(),
        });
    }
    let in_flight = rt.tables.async_in_flight(id, &core.in_flight);
    if in_flight > 0 {
        blockers.push(Blocker {
            thread: super::ASYNC_TASKS.into(),
            function: Some(core.name.to_string()),
            depth: in_flight,
            detail: format!(
                "{in_flight} async activation(s) of {} not finished",
                core.name
            ),
        });
    }
    blockers
}

/// A watched function returned on this thread, or a call took back its
/// entry at the closed gate (`call.rs`): if that was its last activation
/// here, the update waiting for it checks again now.
#[cold]
#[inline(never)]
pub(crate) fn returned_watched(counter: &Counter) {
    if counter.read().0 == 0 {
        crate::runtime().progress.bump();
    }
}

/// A call unwound through its exit (`call.rs`): as [`returned_watched`],
/// finding the function from the counter (the unwind path keeps no other).
pub(crate) fn unwound(counter: &Counter) {
    let Some(id) = crate::thread_table::current_table().and_then(|t| t.id_of(counter)) else {
        return;
    };
    let rt = crate::runtime();
    if rt
        .functions
        .record_by_id(id)
        .core
        .watch
        .load(Ordering::Relaxed)
        != 0
    {
        returned_watched(counter);
    }
}

/// While alive, `core`'s returns wake the update waiting for them (see
/// `progress.rs`). Made before the heavy fence of the check it serves.
pub(crate) struct ExitWatch(&'static HotFnCore);

impl ExitWatch {
    /// Starts watching `core`'s returns.
    pub(crate) fn new(core: &'static HotFnCore) -> ExitWatch {
        core.watch.fetch_add(1, Ordering::SeqCst);
        ExitWatch(core)
    }
}

impl Drop for ExitWatch {
    fn drop(&mut self) {
        self.0.watch.fetch_sub(1, Ordering::SeqCst);
    }
}

/// (thread, depth) of `core` on every thread where it is active, after a heavy fence.
pub(crate) fn depths_by_thread(rt: &Runtime, core: &HotFnCore) -> Vec<(i32, String, u32)> {
    rt.fence.heavy();
    let id = core.id.load(Ordering::Acquire);
    rt.tables
        .all()
        .iter()
        .filter_map(|t| {
            let (depth, _) = t.read(id);
            (depth > 0).then(|| (t.tid, t.name.clone(), depth))
        })
        .collect()
}

impl Runtime {
    /// Snapshot of every hot function: version, gate, per-thread activity.
    pub fn functions(&self) -> Vec<FunctionInfo> {
        let tables = self.tables.all();
        self.functions
            .all()
            .iter()
            .map(|r| {
                let id = r.core.id.load(Ordering::Acquire);
                FunctionInfo {
                    name: r.core.name.to_string(),
                    signature: (r.core.signature)().to_string(),
                    version: r.version.load(Ordering::Acquire),
                    gated: r.core.slot.load(Ordering::Acquire).is_null(),
                    health: r.health(self),
                    source: r.core.source.map(|s| s.info()),
                    threads: tables
                        .iter()
                        .filter_map(|t| {
                            let (active, calls) = t.read(id);
                            (calls > 0).then(|| ThreadActivity {
                                thread: t.name.clone(),
                                active,
                                calls,
                            })
                        })
                        .chain(async_activity(self, id, r.core))
                        .collect(),
                }
            })
            .collect()
    }
}

/// The async activations of `core` running now, as one row (they move
/// between threads, so they have none of their own).
fn async_activity(rt: &Runtime, id: u32, core: &HotFnCore) -> Option<ThreadActivity> {
    let active = rt.tables.async_in_flight(id, &core.in_flight);
    (active > 0).then(|| ThreadActivity {
        thread: super::ASYNC_TASKS.into(),
        active,
        calls: 0,
    })
}
