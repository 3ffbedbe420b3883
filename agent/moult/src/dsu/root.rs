//! Spawning DSU threads and the root runner at the bottom of each one.
//!
//! The root runner runs the record's main, then decides what comes next from
//! the plain [`MainExit`] value it gets back: switch to a new main on the
//! same OS thread, reboot (start a successor OS thread, which joins this one
//! before running anything), or finish.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use moult_protocol::{ThreadInfo, ThreadState};

use super::main_fn::{Main, MainExit};
use super::point;
use super::record::ThreadRecord;
use crate::Error;

/// How often a thread whose main returned re-checks a pending, not yet
/// armed reboot or switch (it is woken at once when the update decides).
const DECISION_RECHECK: Duration = Duration::from_millis(50);

/// Handle on a DSU thread (it survives reboots: the name and record stay).
#[derive(Clone)]
pub struct DsuThread {
    /// The shared record, in the runtime.
    record: Arc<ThreadRecord>,
}

impl DsuThread {
    /// The DSU name (also the OS thread name).
    pub fn name(&self) -> &str {
        &self.record.name
    }

    /// Current state.
    pub fn state(&self) -> ThreadState {
        self.record.lock().state.clone()
    }

    /// Snapshot: state, last update point, main version, reboots.
    pub fn info(&self) -> ThreadInfo {
        self.record.info()
    }

    /// Waits up to `timeout` until the thread is in a state `pred` accepts;
    /// returns whether it is.
    pub fn wait_for(&self, timeout: Duration, pred: impl Fn(&ThreadInfo) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if pred(&self.record.info()) {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            // Short slices: `last_point` changes without a notification.
            let slice = (deadline - now).min(Duration::from_millis(10));
            let inner = self.record.lock();
            drop(
                self.record
                    .changed
                    .wait_timeout(inner, slice)
                    .unwrap_or_else(|e| e.into_inner()),
            );
        }
    }

    /// Join with a timeout: waits until the thread finished (no main left to
    /// run) and its last OS thread exited; `false` on timeout.
    pub fn join(&self, timeout: Duration) -> bool {
        if !self.wait_for(timeout, |i| i.state == ThreadState::Finished) {
            return false;
        }
        let handle = self
            .record
            .os
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(h) = handle {
            let _ = h.join();
        }
        true
    }
}

impl std::fmt::Debug for DsuThread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DsuThread({})", self.record.name)
    }
}

/// Spawns a DSU thread named `name` (also its OS thread name) running `main`.
///
/// The name must be unique among DSU threads that have not finished. Fails
/// with [`Error::Spawn`] if the OS refuses a thread or the name has a NUL byte.
pub fn spawn<F: Fn() + Send + Sync + 'static>(name: &str, main: F) -> Result<DsuThread, Error> {
    spawn_main(name, Main::new(main))
}

/// Like [`spawn`], with a main already wrapped (e.g. built by an update library).
pub fn spawn_main(name: &str, main: Main) -> Result<DsuThread, Error> {
    if name.contains('\0') {
        // std panics on such a name; refuse it before registering anything.
        return Err(Error::Spawn {
            name: name.to_string(),
            reason: "the name contains a NUL byte".into(),
        });
    }
    let record = Arc::new(ThreadRecord::new(name.to_string(), main));
    let rt = crate::runtime();
    rt.threads.insert(record.clone())?;
    // Announce the new thread (its record starts `Running`).
    rt.events.emit(moult_protocol::EventKind::ThreadState {
        thread: name.to_string(),
        state: ThreadState::Running,
    });
    let mut os = record.os.lock().unwrap_or_else(|e| e.into_inner());
    let rec = record.clone();
    let spawned = std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || root(rec, None));
    match spawned {
        Ok(handle) => {
            *os = Some(handle);
            drop(os);
            Ok(DsuThread { record })
        }
        Err(e) => {
            drop(os);
            // Finished frees the name for a later attempt.
            let mut inner = record.lock();
            record.set_state(&mut inner, ThreadState::Finished);
            Err(Error::Spawn {
                name: name.to_string(),
                reason: e.to_string(),
            })
        }
    }
}

/// A handle on the existing DSU thread `name`.
pub fn thread(name: &str) -> Result<DsuThread, Error> {
    crate::runtime()
        .threads
        .get(name)
        .map(|record| DsuThread { record })
}

/// What the root does once a main ended.
enum Next {
    /// Run the record's (new) main on this OS thread.
    Run,
    /// Leave this OS thread; a successor runs the record.
    Reboot,
    /// Nothing left to run.
    Finish,
}

/// The bottom of every OS thread of a DSU thread.
fn root(record: Arc<ThreadRecord>, previous: Option<JoinHandle<()>>) {
    // The predecessor's thread-locals (the old main's) are destroyed when it
    // exits: wait for that before running anything.
    if let Some(previous) = previous {
        let _ = previous.join();
    }
    record
        .tid
        .store(crate::thread_table::current_tid(), Ordering::Release);
    point::attach_current(&record);
    loop {
        let (main, handover) = {
            let mut inner = record.lock();
            record.set_state(&mut inner, ThreadState::Running);
            (inner.main.clone(), std::mem::take(&mut inner.handover))
        };
        record.busy.store(false, Ordering::Relaxed);
        record.raise.store(main.raise as usize, Ordering::Relaxed);
        let exit = (main.run)(handover);
        record.raise.store(0, Ordering::Relaxed);
        record.busy.store(false, Ordering::Relaxed);
        drop(main);
        let next = match exit {
            MainExit::Reboot => Next::Reboot,
            MainExit::Returned => after_main(&record),
            MainExit::Panicked(message) => {
                ThreadRecord::main_health(&mut record.lock()).panics += 1;
                record.log_error(format!("main panicked: {message}"));
                after_main(&record)
            }
        };
        match next {
            Next::Run => continue,
            Next::Reboot => return reboot(record),
            Next::Finish => break,
        }
    }
    point::detach_current(&record);
    let mut inner = record.lock();
    inner.tasks.clear(); // submitters see the thread finished
    inner.park = None;
    record.publish(&inner);
    record.set_state(&mut inner, ThreadState::Finished);
}

/// The main returned: wait for pending requests to be decided, then take
/// an armed reboot, else an armed switch, else finish.
fn after_main(record: &ThreadRecord) -> Next {
    let mut inner = record.lock();
    loop {
        let undecided = inner.reboot.as_ref().is_some_and(|r| !r.armed)
            || inner.switch.as_ref().is_some_and(|s| !s.armed);
        if !undecided {
            break;
        }
        inner = record
            .changed
            .wait_timeout(inner, DECISION_RECHECK)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
    if inner.reboot.is_some() {
        record.set_state(&mut inner, ThreadState::Rebooting);
        return Next::Reboot;
    }
    if let Some(switch) = inner.switch.take() {
        inner.main = switch.value;
        inner.main_version += 1;
        record.publish(&inner);
        return Next::Run;
    }
    Next::Finish
}

/// Leaves this OS thread for a successor running the record's (new) main.
fn reboot(record: Arc<ThreadRecord>) {
    {
        let mut inner = record.lock();
        ThreadRecord::main_health(&mut inner).reboots += 1;
        let (main, transform) = match inner.reboot.take() {
            Some(p) => (p.value.main, p.value.transform),
            None => (None, None),
        };
        if let Some(transform) = transform {
            let old = std::mem::take(&mut inner.handover);
            // A panicking transformer leaves the new main nothing to take.
            inner.handover = transform(old).unwrap_or_else(|m| {
                record.log_error(format!("state transformer panicked: {m}"));
                Default::default()
            });
        }
        let new_main = match main {
            Some(main) => Some(main),
            None => inner.switch.take_if(|s| s.armed).map(|s| s.value),
        };
        if let Some(main) = new_main {
            inner.main = main;
            inner.main_version += 1;
        }
        inner.reboots += 1;
        record.set_state(&mut inner, ThreadState::Rebooting);
        record.publish(&inner);
    }
    point::detach_current(&record);
    let mut os = record.os.lock().unwrap_or_else(|e| e.into_inner());
    let mine = os.take();
    let rec = record.clone();
    match std::thread::Builder::new()
        .name(record.name.clone())
        .spawn(move || root(rec, mine))
    {
        Ok(handle) => *os = Some(handle),
        Err(e) => {
            drop(os);
            record.log_error(format!("reboot failed, could not start an OS thread: {e}"));
            let mut inner = record.lock();
            record.set_state(&mut inner, ThreadState::Finished);
        }
    }
}
