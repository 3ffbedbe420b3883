//! Hot `async fn`s: the activation of an async call and the futures of
//! versions compiled by another copy of `std`.
//!
//! An async call's activation lasts from its future's first poll to the
//! future's drop (completion or cancellation), across awaits and across the
//! executor's worker threads. It cannot sit on a thread's own counter (the
//! future may be dropped on another thread than the one that first polled
//! it), so each function counts its async activations in one shared
//! counter, [`HotFnCore::in_flight`]: one atomic increment on the first
//! poll, one decrement on drop. The updater reads it after closing the
//! entry gate, the same Dekker pairing as the sync path's (both sides
//! sequentially consistent), so a caller that raced the gate is either
//! counted or sees the gate closed and backs off.
//!
//! A caller finding the gate closed *awaits* (registers its waker with the
//! function's record, which the gate's opening wakes): it never blocks an
//! executor thread, whose other tasks may hold the very activations the
//! update waits to see end.
//!
//! The slot of an async hot function holds a fn returning a
//! [`BoxFuture`]; version 0 is also called without it (the wrapper
//! recognises its own version 0 and awaits the original `async fn` inline,
//! no allocation). A library version's future runs the library's code on
//! every poll and on drop, so each goes through its copy's panic catch
//! ([`CrossFuture`]): a panic there reaches the caller as an ordinary
//! panic of the caller's copy.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use super::{HotFn, HotFnCore, unerase};
use crate::crossing::{StdCopy, call_in};

/// What the slot of a hot `async fn` returns: the version's future, boxed
/// so that every version (whatever its state machine) has one type.
/// Versions must be `Send`, as tokio's multi-threaded workers need.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl<F: Copy + 'static> HotFn<F> {
    /// Waits (asynchronously) for the entry gate to be open, then begins an
    /// activation. Generated async wrappers await it first thing, so the
    /// activation starts at the wrapper future's first poll.
    #[doc(hidden)]
    pub fn enter_async(&'static self) -> Enter<F> {
        Enter { hot: self }
    }
}

/// The future of [`HotFn::enter_async`].
#[doc(hidden)]
#[must_use = "an activation begins only when awaited"]
pub struct Enter<F: 'static> {
    hot: &'static HotFn<F>,
}

impl<F: Copy + 'static> Future for Enter<F> {
    type Output = Activation<F>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Activation<F>> {
        let hot = self.hot;
        let core = hot.core();
        loop {
            core.in_flight.fetch_add(1, Ordering::SeqCst);
            let mut p = core.slot.load(Ordering::SeqCst);
            if p.is_null() {
                p = owner_pass(core);
            }
            if !p.is_null() {
                count_call(core);
                return Poll::Ready(Activation { hot, core, p });
            }
            leave(core);
            let record = crate::runtime().functions.record(core);
            if !record.park_waker(core, cx.waker()) {
                continue; // opened meanwhile
            }
            return Poll::Pending;
        }
    }
}

/// A running async activation: the version it calls, counted in
/// [`HotFnCore::in_flight`] until dropped.
#[doc(hidden)]
pub struct Activation<F: 'static> {
    hot: &'static HotFn<F>,
    core: &'static HotFnCore,
    p: *mut (),
}

// SAFETY: `p` is an erased fn pointer (immutable code address); the rest is
// `'static` shared data of `Sync` types.
unsafe impl<F> Send for Activation<F> {}
// SAFETY: as above; nothing is mutated through `&Activation`.
unsafe impl<F> Sync for Activation<F> {}

impl<F: Copy + 'static> Activation<F> {
    /// Whether this activation runs `v0` (the wrapper's own version 0,
    /// awaited inline without boxing).
    #[inline(always)]
    pub fn runs(&self, v0: F) -> bool {
        super::erase(v0) == self.p
    }

    /// Starts the version this activation runs: `invoke` gets its fn
    /// pointer and returns its boxed future; a version of another copy of
    /// `std` is started, polled and dropped under that copy's panic catch.
    pub fn start<'a, T: 'a>(
        &self,
        invoke: impl FnOnce(F) -> BoxFuture<'a, T>,
    ) -> CrossFuture<'a, T> {
        // SAFETY: the slot of a HotFn<F> only ever holds `erase::<F>` of an F.
        let f = unsafe { unerase::<F>(self.p) };
        let owner = if self.hot.in_own_image(self.p) {
            &crate::crossing::THIS_COPY
        } else {
            self.core.versions.owner_of(self.p)
        };
        let future = if owner.is_this() {
            invoke(f)
        } else {
            call_in(owner, move || invoke(f))
        };
        CrossFuture {
            future: Some(future),
            owner,
        }
    }
}

impl<F> Drop for Activation<F> {
    fn drop(&mut self) {
        leave(self.core);
    }
}

/// Counts the call on the polling thread's own counter (calls per thread
/// and per version, as the console shows them for sync calls): an entry
/// and its exit at once, since the activation itself is counted in
/// [`HotFnCore::in_flight`] wherever it ends.
#[inline(always)]
fn count_call(core: &HotFnCore) {
    if let Some(table) = crate::thread_table::current_table() {
        let counter = table.counter(core.id.load(Ordering::Relaxed));
        counter.enter();
        counter.exit();
    }
}

/// Ends an activation (or backs off a closed gate). Only the last one out
/// while an update watches the function's returns (`ExitWatch`, set before
/// the updater's fence: either it sees this decrement, or this sees its
/// watch) wakes the update waiting for quiescence.
#[inline(always)]
fn leave(core: &HotFnCore) {
    if core.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 && core.watch.load(Ordering::SeqCst) != 0
    {
        last_left();
    }
}

#[cold]
#[inline(never)]
fn last_left() {
    crate::runtime().progress.bump();
}

/// At a closed gate: the version to run if the caller is the update holding
/// the gate, else null (as for sync calls).
#[cold]
fn owner_pass(core: &'static HotFnCore) -> *mut () {
    let rt = crate::runtime();
    rt.functions.record(core).owner_pass(rt)
}

/// A version's future, polled and dropped under the panic catch of the
/// copy of `std` that compiled it.
#[doc(hidden)]
pub struct CrossFuture<'a, T> {
    future: Option<BoxFuture<'a, T>>,
    owner: &'static StdCopy,
}

impl<T> Future for CrossFuture<'_, T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let owner = self.owner;
        let future = self
            .future
            .as_mut()
            .expect("a CrossFuture is not polled after it completed");
        if owner.is_this() {
            future.as_mut().poll(cx)
        } else {
            call_in(owner, || future.as_mut().poll(cx))
        }
    }
}

impl<T> Drop for CrossFuture<'_, T> {
    fn drop(&mut self) {
        if let Some(future) = self.future.take()
            && !self.owner.is_this()
        {
            call_in(self.owner, move || drop(future));
        }
    }
}
