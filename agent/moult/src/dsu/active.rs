//! Active update functions: run a closure in a chosen DSU thread's context
//! (its thread-locals, its OS thread) at its next update point, and get the
//! result back.
//!
//! The closure is wrapped *here*, by generic code instantiated in the copy of
//! moult that submits it (an update library's, typically), so its panics are
//! caught by the copy that raised them and only a value crosses back.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use moult_protocol::ThreadState;

use super::record::Task;
use crate::boundary::guard;
use crate::{UpdateContext, UpdateError};

/// How long [`UpdateContext::run_in_thread`] waits by default.
pub const DEFAULT_RUN_TIMEOUT: Duration = Duration::from_secs(5);

/// How often the submitter re-checks that the thread is still alive.
const RECHECK: Duration = Duration::from_millis(50);

/// Where the thread leaves the closure's result for the submitter.
struct Mailbox<R> {
    /// `Some` once the closure ran: its value, or its panic message.
    result: Mutex<Option<Result<R, String>>>,
    /// Signalled when `result` is filled.
    filled: Condvar,
}

impl UpdateContext {
    /// Runs `f` in DSU thread `thread` at its next update point (or at once
    /// if it is parked) and returns its value — Pymoult's active update
    /// function. Waits up to [`DEFAULT_RUN_TIMEOUT`].
    ///
    /// A panic in `f` is reported as [`UpdateError::Panicked`]; the thread
    /// keeps running. Update points reached inside `f` do nothing.
    pub fn run_in_thread<R, F>(&mut self, thread: &str, f: F) -> Result<R, UpdateError>
    where
        R: Send + 'static,
        F: FnOnce() -> R + Send + 'static,
    {
        self.run_in_thread_within(thread, DEFAULT_RUN_TIMEOUT, f)
    }

    /// [`UpdateContext::run_in_thread`] with an explicit timeout. On timeout
    /// the closure is withdrawn if it has not started (and the error says
    /// whether it had).
    pub fn run_in_thread_within<R, F>(
        &mut self,
        thread: &str,
        timeout: Duration,
        f: F,
    ) -> Result<R, UpdateError>
    where
        R: Send + 'static,
        F: FnOnce() -> R + Send + 'static,
    {
        let record = self.rt.threads.get(thread)?;
        if record.is_current() {
            // The update runs on that very thread (a polled manager).
            return guard(f).map_err(UpdateError::Panicked);
        }
        let mailbox = Arc::new(Mailbox {
            result: Mutex::new(None),
            filled: Condvar::new(),
        });
        let sender = mailbox.clone();
        let run = Box::new(move || {
            let result = guard(f);
            *sender.result.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
            sender.filled.notify_all();
        });
        let task_id = {
            let mut inner = record.lock();
            if inner.state == ThreadState::Finished {
                return Err(finished(thread));
            }
            let id = inner.next_task;
            inner.next_task += 1;
            inner.tasks.push_back(Task { id, run });
            record.publish(&inner);
            id
        };
        let deadline = Instant::now() + timeout;
        let mut result = mailbox.result.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(r) = result.take() {
                return r.map_err(UpdateError::Panicked);
            }
            let now = Instant::now();
            let queued = || record.lock().tasks.iter().any(|t| t.id == task_id);
            if record.lock().state == ThreadState::Finished && !queued() {
                drop(result);
                // It may have run just before finishing.
                let late = mailbox
                    .result
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take();
                return late.map_or_else(
                    || Err(finished(thread)),
                    |r| r.map_err(UpdateError::Panicked),
                );
            }
            if now >= deadline {
                drop(result);
                let mut inner = record.lock();
                let before = inner.tasks.len();
                inner.tasks.retain(|t| t.id != task_id);
                let withdrawn = inner.tasks.len() < before;
                record.publish(&inner);
                drop(inner);
                if let Some(r) = mailbox
                    .result
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take()
                {
                    return r.map_err(UpdateError::Panicked);
                }
                let last = record
                    .last_point()
                    .map_or_else(|| "none yet".to_string(), |p| format!("`{p}`"));
                return Err(UpdateError::Failed(if withdrawn {
                    format!(
                        "DSU thread {thread} reached no update point within {timeout:?} (last passed: {last}); the function was withdrawn"
                    )
                } else {
                    format!(
                        "the function sent to DSU thread {thread} is still running after {timeout:?}; its result will be dropped"
                    )
                }));
            }
            result = mailbox
                .filled
                .wait_timeout(result, (deadline - now).min(RECHECK))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

fn finished(thread: &str) -> UpdateError {
    UpdateError::Failed(format!(
        "DSU thread {thread} has finished: it cannot run an active update function"
    ))
}
