//! Hot `async fn`s: the activation of an async call and the futures of
//! versions compiled by another copy of `std`.
//!
//! An async call's activation lasts from its future's first poll to the
//! future's drop (completion or cancellation), across awaits and across the
//! executor's worker threads. It begins on the counters of the thread that
//! first polls it and ends on those of the thread that drops it, which may
//! be another (`thread_table.rs`): a load and a store on each side, as for
//! a sync call, and no shared cache line. The updater sums every thread's
//! counts after closing the entry gate and its heavy fence, the same
//! Dekker pairing as the sync path's, so a caller that raced the gate is
//! either counted or sees the gate closed and backs off. A thread being
//! torn down (its thread-locals gone) counts on the function's shared
//! [`HotFnCore::in_flight`] instead.
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
use std::sync::atomic::{Ordering, compiler_fence, fence};
use std::task::{Context, Poll};

use super::{HotFn, HotFnCore, unerase};
use crate::crossing::{StdCopy, call_in};
use crate::thread_table::{Counter, ThreadTable, attached_table, current_table};

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

    /// The fast path (a thread with counters, an open gate) is inlined
    /// into the wrapper, so the activation is built in registers; the rest
    /// is [`enter_slow`].
    ///
    /// The fastest path (function resolved, a table attached to the thread,
    /// the function's counter allocated) looks up nothing that can need a
    /// call; every other case is one out-of-line call, so that the
    /// wrapper's state machine keeps no registers saved for them.
    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Activation<F>> {
        let hot = self.hot;
        let resolved = hot.resolved.load(Ordering::Acquire);
        if !resolved.is_null()
            && let Some(table) = attached_table()
        {
            // SAFETY: `resolved` only ever holds a registered `&'static` core.
            let core: &'static HotFnCore = unsafe { &*resolved };
            if let Some(counter) = table.counter_if_allocated(core.id.load(Ordering::Relaxed)) {
                begun(table, counter);
                let p = core.slot.load(Ordering::SeqCst);
                if !p.is_null() {
                    return Poll::Ready(Activation { hot, core, p });
                }
                counter.unbegin_async();
                watched_end(core);
            }
        }
        enter_slow(hot, cx)
    }
}

/// Counts an activation of function `id` as begun on `table`'s thread,
/// before the caller reads the slot: the entry's half of the Dekker pairing
/// with the updater's heavy fence (`fence.rs`).
#[inline(always)]
fn begin(table: &ThreadTable, id: u32) -> &Counter {
    let counter = table.counter(id);
    begun(table, counter);
    counter
}

/// [`begin`] with the counter found.
#[inline(always)]
fn begun(table: &ThreadTable, counter: &Counter) {
    counter.begin_async();
    compiler_fence(Ordering::SeqCst);
    if table.strong_fence {
        fence(Ordering::SeqCst);
    }
}

/// [`Enter`] at a closed gate or on a thread being torn down (counted on
/// the function's shared counter): the update's own calls pass, others
/// register their waker and wait for the gate to open.
#[cold]
#[inline(never)]
fn enter_slow<F: Copy + 'static>(
    hot: &'static HotFn<F>,
    cx: &mut Context<'_>,
) -> Poll<Activation<F>> {
    let core = hot.core();
    let id = core.id.load(Ordering::Relaxed);
    loop {
        let table = current_table();
        match table {
            Some(table) => {
                begin(table, id);
            }
            None => {
                core.in_flight.fetch_add(1, Ordering::SeqCst);
            }
        }
        let mut p = core.slot.load(Ordering::SeqCst);
        if p.is_null() {
            p = owner_pass(core);
        }
        if !p.is_null() {
            return Poll::Ready(Activation { hot, core, p });
        }
        match table {
            Some(table) => table.counter(id).unbegin_async(),
            None => {
                core.in_flight.fetch_sub(1, Ordering::SeqCst);
            }
        }
        // An updater may have counted this beginning: taking it back is
        // progress for it, as an end would be.
        watched_end(core);
        let record = crate::runtime().functions.record(core);
        if !record.park_waker(core, cx.waker()) {
            continue; // opened meanwhile
        }
        return Poll::Pending;
    }
}

/// A running async activation: the version it calls, counted as begun
/// (on the thread that first polled it) until dropped.
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
    /// The end on the dropping thread's counter: inline when it is at hand
    /// (a table attached, the counter allocated), else one call.
    #[inline(always)]
    fn drop(&mut self) {
        let core = self.core;
        if let Some(table) = attached_table()
            && let Some(counter) = table.counter_if_allocated(core.id.load(Ordering::Relaxed))
        {
            counter.end_async();
            // The Dekker pairing, as in `end_slow`.
            compiler_fence(Ordering::SeqCst);
            if table.strong_fence {
                fence(Ordering::SeqCst);
            }
            watched_end(core);
            return;
        }
        end_slow(core);
    }
}

/// [`Activation`]'s end where the fastest path does not apply: the
/// thread's table attached now (or gone: the thread is being torn down),
/// the counter allocated.
#[cold]
#[inline(never)]
fn end_slow(core: &'static HotFnCore) {
    match current_table() {
        Some(table) => {
            table.counter(core.id.load(Ordering::Relaxed)).end_async();
            // The end's half of the Dekker pairing with the updater's heavy
            // fence: either its sum sees this end, or this load sees the
            // watch it set before fencing.
            compiler_fence(Ordering::SeqCst);
            if table.strong_fence {
                fence(Ordering::SeqCst);
            }
        }
        None => {
            core.in_flight.fetch_sub(1, Ordering::SeqCst);
        }
    }
    watched_end(core);
}

/// An activation ended (or took its beginning back). While an update
/// watches the function (`ExitWatch`, set before the updater's fence), it
/// checks again: no thread knows whether its end was the last, so every
/// end during the watch wakes it (and only then).
#[inline(always)]
fn watched_end(core: &HotFnCore) {
    if core.watch.load(Ordering::Relaxed) != 0 {
        wake_update();
    }
}

#[cold]
#[inline(never)]
fn wake_update() {
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
