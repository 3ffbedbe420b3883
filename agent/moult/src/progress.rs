//! The runtime's progress notifier: how an update waiting for alterability
//! (or for its old activations to end) learns that something it looks at
//! moved, instead of finding out at its next poll.
//!
//! It is a generation counter under a mutex, with a condition variable.
//! Whatever may turn an alterability check from blocked to ready bumps it:
//! a DSU thread changing state (parking at a requested point, finishing,
//! running again after a reboot), the last activation of a watched hot
//! function returning on a thread (`hot/call.rs`, only while an update
//! watches that function: the call path pays one relaxed load otherwise),
//! an operator's stop request. A waiter reads the generation *before* its
//! check and sleeps only while it is unchanged, so an event that happens
//! during the check is never lost; a wake-up that changes nothing is just
//! one more check (the check decides, never the wake-up).
//!
//! One waiter at a time in practice (one update at a time per process), so
//! one counter for the whole runtime is enough: events of unrelated
//! things cost the waiter one extra check, not a missed one.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

/// The generation and how many wait for it to move.
#[derive(Default)]
struct State {
    /// Bumped on every event; compared, never interpreted.
    generation: u64,
    /// Threads in [`Progress::wait_past`]: a bump with none skips the
    /// condition variable's wake-up (a syscall).
    waiting: u32,
}

/// See the module docs.
#[derive(Default)]
pub(crate) struct Progress {
    /// The generation and its waiters.
    state: Mutex<State>,
    /// Signalled on every bump that has a waiter.
    moved: Condvar,
}

impl Progress {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The generation now: read it before a check, wait past it after.
    pub(crate) fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// Something an update may wait for happened: wakes the waiters.
    pub(crate) fn bump(&self) {
        let mut state = self.lock();
        state.generation = state.generation.wrapping_add(1);
        if state.waiting > 0 {
            self.moved.notify_all();
        }
    }

    /// Sleeps until the generation differs from `seen` or `deadline`
    /// passes; `true` if it moved (the caller checks again), `false` at the
    /// deadline. Spurious wake-ups of the condition variable are absorbed.
    pub(crate) fn wait_past(&self, seen: u64, deadline: Instant) -> bool {
        let mut state = self.lock();
        loop {
            if state.generation != seen {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state.waiting += 1;
            state = self
                .moved
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
            state.waiting -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn a_bump_before_the_wait_is_not_lost() {
        let p = Progress::default();
        let seen = p.generation();
        p.bump();
        assert!(p.wait_past(seen, Instant::now() + Duration::from_secs(60)));
    }

    #[test]
    fn a_wait_with_nothing_moving_ends_at_its_deadline() {
        let p = Progress::default();
        let seen = p.generation();
        assert!(!p.wait_past(seen, Instant::now() + Duration::from_millis(1)));
    }

    #[test]
    fn a_bump_from_another_thread_wakes_the_waiter() {
        let p = Arc::new(Progress::default());
        let seen = p.generation();
        let bumper = {
            let p = p.clone();
            std::thread::spawn(move || p.bump())
        };
        assert!(p.wait_past(seen, Instant::now() + Duration::from_secs(60)));
        bumper.join().unwrap();
    }
}
