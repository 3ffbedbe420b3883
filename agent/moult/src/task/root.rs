//! Spawning a task and its root: the future tokio runs, which polls the
//! task's current future with the task made current for its update points,
//! and starts it again on the group's main when an update reboots it.

use std::future::Future;
use std::panic::resume_unwind;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use super::group::TaskRecord;
use super::main_fn::{CaughtFuture, caught};
use crate::handover::Handover;

/// Runs `future` as a task of the group `group` on the current tokio
/// runtime (like `tokio::spawn`): its update points answer updates asking
/// the group to park or reboot, and it shows in the snapshot.
///
/// # Panics
/// Outside a tokio runtime, as `tokio::spawn` does.
#[cfg(feature = "tokio")]
pub fn spawn<F>(group: &str, future: F) -> tokio::task::JoinHandle<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(root(group, future))
}

/// Runs a task of the group `group` on `main` (with no state to start
/// from), and makes `main` the group's main if it has none: a group
/// spawned this way can be rebooted onto its main by the console
/// (`moult-console reboot --tasks`), each task handing its state over at
/// its point (`point_with`).
///
/// # Panics
/// Outside a tokio runtime, as `tokio::spawn` does.
#[cfg(feature = "tokio")]
pub fn spawn_main(group: &str, main: super::TaskMain) -> tokio::task::JoinHandle<()> {
    tokio::spawn(root_main(group, main))
}

/// The root future of a task of `group` starting on `main` (see
/// `spawn_main`, feature `tokio`; for executors other than tokio).
pub fn root_main(group: &str, main: super::TaskMain) -> Root {
    let rt = crate::runtime();
    let g = rt.tasks.group(group);
    g.main
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(|| main.clone());
    let record = rt.tasks.register(g);
    Root {
        record,
        current: Some(main.start(Handover::default())),
    }
}

/// The root future of a task of `group` running `future`: what `spawn`
/// hands tokio (an app on another executor can spawn it there).
pub fn root<F>(group: &str, future: F) -> Root
where
    F: Future<Output = ()> + Send + 'static,
{
    let rt = crate::runtime();
    let record = rt.tasks.register(rt.tasks.group(group));
    Root {
        record,
        current: Some(caught(future)),
    }
}

/// A task's root future (see [`root`]).
pub struct Root {
    record: Arc<TaskRecord>,
    /// The task's current future; `None` once it ended.
    current: Option<CaughtFuture>,
}

impl Future for Root {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        loop {
            let Some(current) = this.current.as_mut() else {
                return Poll::Ready(());
            };
            let polled = {
                let _current = Current::enter(&this.record);
                current.as_mut().poll(cx)
            };
            match polled {
                Poll::Ready(result) => {
                    this.current = None;
                    this.record.finish();
                    if let Err(payload) = result {
                        resume_unwind(payload);
                    }
                    return Poll::Ready(());
                }
                Poll::Pending => {
                    let reboot = this
                        .record
                        .reboot
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .take();
                    let Some((handover, transform)) = reboot else {
                        return Poll::Pending;
                    };
                    // The old future is dropped here: its destructors run.
                    this.current = None;
                    this.current = Some(restart(&this.record, handover, transform));
                    crate::runtime().progress.bump(); // an update may wait for this one
                }
            }
        }
    }
}

/// The task's new future on its group's main.
fn restart(
    record: &TaskRecord,
    handover: Handover,
    transform: Option<super::group::Transform>,
) -> CaughtFuture {
    let handover =
        match transform {
            Some(t) => t(handover).unwrap_or_else(|m| {
                crate::runtime().events.emit(moult_protocol::EventKind::Log {
                level: "error".into(),
                message: format!(
                    "task {}#{}: state transformer panicked ({m}); the new main gets no state",
                    record.group.name, record.id
                ),
            });
                Handover::default()
            }),
            None => handover,
        };
    let main = record
        .group
        .main
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .expect("a reboot is armed only with a main");
    record.main_version.store(
        record.group.main_version.load(Ordering::Acquire),
        Ordering::Release,
    );
    record.unpark();
    main.start(handover)
}

impl Drop for Root {
    fn drop(&mut self) {
        if self.current.take().is_some() {
            self.record.finish(); // cancelled (aborted, or its runtime shut down)
        }
    }
}

/// The task made current on this thread while its future is polled.
struct Current {
    table: Option<&'static crate::thread_table::ThreadTable>,
    before: *mut TaskRecord,
}

impl Current {
    fn enter(record: &Arc<TaskRecord>) -> Current {
        let table = crate::thread_table::current_table();
        let before = table.map_or(std::ptr::null_mut(), |t| {
            t.current_task
                .swap(Arc::as_ptr(record) as *mut TaskRecord, Ordering::Relaxed)
        });
        Current { table, before }
    }
}

impl Drop for Current {
    fn drop(&mut self) {
        if let Some(t) = self.table {
            t.current_task.store(self.before, Ordering::Relaxed);
        }
    }
}

/// The task being polled on this thread, if any.
pub(crate) fn current() -> Option<&'static TaskRecord> {
    let table = crate::thread_table::current_table()?;
    let p = table.current_task.load(Ordering::Relaxed);
    // SAFETY: set by `Current::enter` from a live `Arc<TaskRecord>` held by
    // the root being polled, and reset when that poll returns; the caller
    // is code inside that poll, so the record outlives the reference's use.
    (!p.is_null()).then(|| unsafe { &*p })
}
