//! Waiting for alterability (and for an update to be over): checks
//! `sleep` apart at most, woken early by the event a check waits for.
//!
//! Pymoult checks, sleeps `sleep_time`, checks again. Here the sleep is a
//! wait on the runtime's progress notifier (`progress.rs`): a thread parking
//! at a requested point, the last old activation of a gated function
//! returning, a DSU thread finishing or coming back from a reboot, an
//! operator's stop. So an app held by an update (a parked thread, callers
//! at a closed gate) is held for the update's work, not for the rest of a
//! poll interval; `max_tries × sleep_time` stays the bound.
//!
//! **Attempts.** Attempt `n + 1` starts when attempt `n`'s window of
//! `sleep` ends, as in Pymoult, so an update that never becomes alterable
//! makes exactly `max_tries` attempts, reported one event each. Within a
//! window, each event runs the check again: if it now passes, that check is
//! attempt `n + 1` (reported, and the wait ends); if it still fails, it is
//! folded into attempt `n` (not reported: a burst of unrelated events must
//! neither flood the event stream nor use up the budget early).

use std::time::{Duration, Instant};

use moult_protocol::EventKind;

use super::{Alterability, UpdateContext};

impl UpdateContext {
    /// Retries `attempt` up to `tries` times, `sleep` apart at most,
    /// emitting an alterability event for each attempt; stops early on an
    /// operator request. Between attempts it waits for an event that may
    /// have made the app alterable and checks again at once (see the
    /// module docs for how such checks count).
    pub fn retry(
        &mut self,
        tries: u32,
        sleep: Duration,
        mut attempt: impl FnMut(&mut UpdateContext) -> Alterability,
    ) -> Alterability {
        let tries = tries.max(1);
        let mut last = Alterability::Blocked(Vec::new());
        for n in 1..=tries {
            if self.stop_requested() {
                break;
            }
            let seen = self.rt.progress.generation();
            last = attempt(self);
            self.report_attempt(n, tries, &last);
            if last == Alterability::Ready || n == tries {
                break;
            }
            let early = self.wait_window(seen, sleep, |ctx| {
                let now = attempt(ctx);
                (now == Alterability::Ready).then_some(now)
            });
            if let Some(ready) = early {
                self.report_attempt(n + 1, tries, &ready);
                return ready;
            }
        }
        last
    }

    /// Waits out one window of `sleep` that began with a check made at
    /// progress generation `seen`. Each time the generation moves, runs
    /// `recheck` (with a fresh generation read first, so an event during
    /// it is not lost) and returns its answer as soon as it has one.
    /// `None` at the end of the window, or at once on an operator request.
    pub(crate) fn wait_window<T>(
        &mut self,
        mut seen: u64,
        sleep: Duration,
        mut recheck: impl FnMut(&mut UpdateContext) -> Option<T>,
    ) -> Option<T> {
        if self.stop_requested() {
            return None; // as the sleep it replaces: cut short by a stop
        }
        let deadline = Instant::now() + sleep;
        while self.rt.progress.wait_past(seen, deadline) {
            if self.stop_requested() {
                return None;
            }
            seen = self.rt.progress.generation();
            if let Some(answer) = recheck(self) {
                return Some(answer);
            }
        }
        None
    }

    /// Files attempt `n` of `tries` with the manager and on the event stream.
    fn report_attempt(&self, n: u32, tries: u32, result: &Alterability) {
        self.rt.manager.set_attempts(self.id, n);
        let blockers = match result {
            Alterability::Ready => Vec::new(),
            Alterability::Blocked(b) => b.clone(),
        };
        self.emit(EventKind::Alterability {
            update: self.name.clone(),
            id: self.id,
            attempt: n,
            max_tries: tries,
            blockers,
        });
    }

    /// Polls `check` up to `tries` times, `sleep` apart at most, woken
    /// early like [`Self::retry`]: what the default `wait_over` does.
    /// `true` once `check` passes.
    pub(crate) fn wait_until(
        &mut self,
        tries: u32,
        sleep: Duration,
        mut check: impl FnMut(&mut UpdateContext) -> bool,
    ) -> bool {
        let tries = tries.max(1);
        for n in 1..=tries {
            let seen = self.rt.progress.generation();
            if check(self) {
                return true;
            }
            if n < tries
                && self
                    .wait_window(seen, sleep, |ctx| check(ctx).then_some(()))
                    .is_some()
            {
                return true;
            }
        }
        false
    }
}
