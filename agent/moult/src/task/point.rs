//! Update points in tasks: `moult::update_point!("name").await`.
//!
//! Free when no update asks the task's group anything: one thread-local
//! read, a store of the point passed, one atomic load, and the future is
//! ready at its first poll (no yield). When an update asks the group to
//! park at this point the task waits here — the task, not its thread —
//! until the update resumes; when a reboot is armed, the task hands its
//! state over and its root starts it again on the group's new main.

use std::any::Any;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use moult_protocol::ThreadState;

use super::group::TaskRecord;
use crate::handover::Handover;

/// What `update_point!` returns: nothing to do on a DSU thread (the point
/// was handled in the call); `.await` it in a task.
#[derive(Debug, Clone, Copy)]
pub struct UpdatePoint {
    pub(crate) name: &'static &'static str,
}

impl IntoFuture for UpdatePoint {
    type Output = ();
    type IntoFuture = AtPoint<()>;

    fn into_future(self) -> AtPoint<()> {
        AtPoint {
            name: self.name,
            state: Some(()),
        }
    }
}

/// An update point that hands `state` to the new main if the task reboots
/// here, and gives it back otherwise:
/// `let conn = moult::task::point_with(&"idle", conn).await;`
pub fn point_with<S: Any + Send>(name: &'static &'static str, state: S) -> AtPoint<S> {
    AtPoint {
        name,
        state: Some(state),
    }
}

/// The future of an update point in a task.
pub struct AtPoint<S> {
    name: &'static &'static str,
    /// The state carried through the point (`()` for a plain point).
    state: Option<S>,
}

impl<S> Unpin for AtPoint<S> {}

impl<S: Any + Send> Future for AtPoint<S> {
    type Output = S;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<S> {
        let Some(record) = super::root::current() else {
            return Poll::Ready(self.state.take().expect("polled after completion"));
        };
        record.last_point.store(
            self.name as *const &'static str as *mut &'static str,
            Ordering::Relaxed,
        );
        if record.group.requests.load(Ordering::Acquire) == 0
            && !record.parked.load(Ordering::Relaxed)
        {
            return Poll::Ready(self.state.take().expect("polled after completion"));
        }
        match asked(record, self.name, cx) {
            Answer::Go => Poll::Ready(self.state.take().expect("polled after completion")),
            Answer::Wait => Poll::Pending,
            Answer::Reboot(transform) => {
                let state = self
                    .state
                    .take()
                    .map(|s| Box::new(s) as Box<dyn Any + Send>);
                let handover = Handover(state.filter(|s| !s.is::<()>()));
                record.set_state(ThreadState::Rebooting);
                // The root sees it when this poll returns and restarts the
                // task at once: no wake-up needed.
                *record.reboot.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some((handover, transform));
                Poll::Pending
            }
        }
    }
}

/// What a task at a point does.
enum Answer {
    Go,
    Wait,
    Reboot(Option<super::group::Transform>),
}

/// The group asks something (or the task was parked): decide under its lock.
#[cold]
fn asked(record: &TaskRecord, point: &str, cx: &mut Context<'_>) -> Answer {
    let group = &record.group;
    let mut asked = group.asked();
    if let Some(reboot) = asked.reboot.as_ref()
        && reboot.at.matches(point)
        && record.main_version.load(Ordering::Acquire) < group.main_version.load(Ordering::Acquire)
    {
        return Answer::Reboot(reboot.transform.clone());
    }
    if asked.park.as_ref().is_some_and(|p| p.matches(point)) {
        record.park(point);
        if !asked.waiters.iter().any(|w| w.will_wake(cx.waker())) {
            asked.waiters.push(cx.waker().clone());
        }
        return Answer::Wait;
    }
    drop(asked);
    record.unpark();
    Answer::Go
}

/// Awaits `future` (a read on a socket, a queue's `recv`) with the task
/// counted as being at the update point `name` meanwhile: an update asking
/// the group to park there need not wait for the I/O. If it was counted,
/// the task then stays at the point until the update resumes.
pub async fn at_point<F: Future>(name: &'static &'static str, future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let output = std::future::poll_fn(|cx| {
        if let Poll::Ready(v) = future.as_mut().poll(cx) {
            return Poll::Ready(v);
        }
        if let Some(record) = super::root::current()
            && record.group.requests.load(Ordering::Acquire) != 0
        {
            let asked = record.group.asked();
            if asked.park.as_ref().is_some_and(|p| p.matches(name)) {
                record.park(name);
            }
        }
        Poll::Pending
    })
    .await;
    UpdatePoint { name }.await;
    output
}
