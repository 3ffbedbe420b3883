//! An operator's requests to stop an update (postpone, abort), and the
//! sleep between alterability attempts they cut short. Shared by the
//! manager that receives them and the lifecycle and context that obey them.

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// An operator's request to stop the current update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// Back in the queue, retried later.
    Postpone,
    /// Ended, not retried.
    Abort,
}

/// Per-update control block: stop requests, and a sleep they interrupt.
#[derive(Default)]
pub(crate) struct Control {
    stop: Mutex<Option<Stop>>,
    wake: Condvar,
}

impl Control {
    /// The request made, if any.
    pub(crate) fn requested(&self) -> Option<Stop> {
        *self.stop.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Asks the update to stop, waking its sleep.
    pub(crate) fn request(&self, stop: Stop) {
        *self.stop.lock().unwrap_or_else(|e| e.into_inner()) = Some(stop);
        self.wake.notify_all();
    }

    /// Forgets the request (the update goes back to the queue).
    pub(crate) fn clear(&self) {
        *self.stop.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Sleeps up to `d`, waking early on a request.
    pub(crate) fn sleep(&self, d: Duration) {
        let deadline = Instant::now() + d;
        let mut stop = self.stop.lock().unwrap_or_else(|e| e.into_inner());
        while stop.is_none() {
            let now = Instant::now();
            if now >= deadline {
                return;
            }
            stop = self
                .wake
                .wait_timeout(stop, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}
