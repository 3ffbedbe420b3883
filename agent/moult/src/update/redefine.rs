//! Predefined function updates: safe redefine and immediate redefine
//! (Pymoult's `SafeRedefineUpdate` / `SafeRedefineMethodUpdate`).

use std::time::Duration;

use super::{Alterability, ThreadFilter, Update, UpdateContext, UpdateError};
use crate::hot::{ExitWatch, Func, depths_by_thread};

/// Swaps a hot function (free function or method) once it is quiescent on the
/// selected threads: the entry gate closes, running activations drain, the
/// slot is swapped, the gate reopens on the new version. If quiescence is
/// not reached in `max_tries × sleep_time`, held callers are released and
/// the update is postponed.
pub struct SafeRedefine<F: Copy + Send + 'static> {
    name: String,
    func: Func<F>,
    new: F,
    threads: ThreadFilter,
    max_tries: u32,
    sleep_time: Duration,
}

impl<F: Copy + Send + 'static> SafeRedefine<F> {
    /// Redefines `func` to `new`; named `redefine <function>` unless renamed.
    pub fn new(func: Func<F>, new: F) -> Self {
        SafeRedefine {
            name: format!("redefine {}", func.name()),
            func,
            new,
            threads: ThreadFilter::All,
            max_tries: 20,
            sleep_time: Duration::from_millis(50),
        }
    }

    /// Renames the update (names are what `is_applied` looks for).
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Only waits for quiescence on these threads.
    pub fn on_threads(mut self, threads: ThreadFilter) -> Self {
        self.threads = threads;
        self
    }

    /// Alterability budget: `max_tries` attempts, `sleep_time` apart.
    pub fn tries(mut self, max_tries: u32, sleep_time: Duration) -> Self {
        self.max_tries = max_tries;
        self.sleep_time = sleep_time;
        self
    }
}

impl<F: Copy + Send + 'static> Update for SafeRedefine<F> {
    fn name(&self) -> &str {
        &self.name
    }
    fn max_tries(&self) -> u32 {
        self.max_tries
    }
    fn sleep_time(&self) -> Duration {
        self.sleep_time
    }
    fn check_alterability(&mut self, ctx: &mut UpdateContext) -> Alterability {
        if let Err(e) = ctx.close_gate(self.func) {
            return Alterability::Blocked(vec![moult_protocol::Blocker {
                thread: String::new(),
                function: Some(self.func.name().into()),
                depth: 0,
                detail: e.to_string(),
            }]);
        }
        Alterability::from_blockers(ctx.quiescence(self.func, &self.threads))
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.redefine(self.func, self.new);
        Ok(())
    }
    fn revertible(&self) -> super::Revertible {
        super::Revertible::Recorded
    }
}

/// Swaps a hot function at once (no quiescence needed), then reports over
/// when every activation that was running at the swap has returned
/// (the "wait over" phase).
pub struct ImmediateRedefine<F: Copy + Send + 'static> {
    name: String,
    func: Func<F>,
    new: F,
    /// Threads (tid) that had old activations at the swap.
    old_activations: Vec<i32>,
    /// From the swap until over: their last returns wake the wait-over.
    watching: Option<ExitWatch>,
    max_tries: u32,
    sleep_time: Duration,
}

impl<F: Copy + Send + 'static> ImmediateRedefine<F> {
    /// Redefines `func` to `new` immediately.
    pub fn new(func: Func<F>, new: F) -> Self {
        ImmediateRedefine {
            name: format!("redefine {} (immediate)", func.name()),
            func,
            new,
            old_activations: Vec::new(),
            watching: None,
            max_tries: 100,
            sleep_time: Duration::from_millis(50),
        }
    }

    /// Renames the update.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Wait-over budget: `max_tries` checks, `sleep_time` apart.
    pub fn tries(mut self, max_tries: u32, sleep_time: Duration) -> Self {
        self.max_tries = max_tries;
        self.sleep_time = sleep_time;
        self
    }
}

impl<F: Copy + Send + 'static> Update for ImmediateRedefine<F> {
    fn name(&self) -> &str {
        &self.name
    }
    fn max_tries(&self) -> u32 {
        self.max_tries
    }
    fn sleep_time(&self) -> Duration {
        self.sleep_time
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        // Before the heavy fence below, so no old activation's return is missed.
        self.watching = Some(ExitWatch::new(self.func.core));
        ctx.redefine(self.func, self.new);
        // After the swap (and the heavy fence inside depths_by_thread), every
        // activation still counted may be an old one.
        self.old_activations = depths_by_thread(ctx.runtime(), self.func.core)
            .into_iter()
            .map(|(tid, _, _)| tid)
            .collect();
        Ok(())
    }
    fn revertible(&self) -> super::Revertible {
        super::Revertible::Recorded
    }
    fn check_over(&mut self, ctx: &mut UpdateContext) -> bool {
        let active: Vec<i32> = depths_by_thread(ctx.runtime(), self.func.core)
            .into_iter()
            .map(|(tid, _, _)| tid)
            .collect();
        // A thread seen at depth 0 once has returned from every old activation.
        self.old_activations.retain(|tid| active.contains(tid));
        if self.old_activations.is_empty() {
            self.watching = None;
        }
        self.old_activations.is_empty()
    }
}
