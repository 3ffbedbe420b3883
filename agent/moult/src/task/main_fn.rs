//! A task's main: what a rebooted task runs, built from the state its old
//! main handed over.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::crossing::Payload;
use crate::handover::Handover;

/// A task's future as its root polls it: a panic comes back as a value,
/// caught by the copy of `std` that compiled the future (an update
/// library's, for a new main), and raised again by the root's.
pub(crate) type CaughtFuture = Pin<Box<dyn Future<Output = Result<(), Payload>> + Send>>;

/// The main of a task group after a reboot: builds each rebooted task's new
/// future from the state its old main handed over.
#[derive(Clone)]
pub struct TaskMain {
    make: Arc<dyn Fn(Handover) -> CaughtFuture + Send + Sync>,
}

impl TaskMain {
    /// A main from an async closure. Built in the copy of moult that
    /// compiles `main` (an update library's, typically), which is the copy
    /// that catches its panics.
    pub fn new<F, Fut>(main: F) -> TaskMain
    where
        F: Fn(Handover) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        TaskMain {
            make: Arc::new(move |handover| {
                match catch_unwind(AssertUnwindSafe(|| main(handover))) {
                    Ok(future) => caught(future),
                    Err(payload) => Box::pin(std::future::ready(Err(payload))),
                }
            }),
        }
    }

    /// The future of a task starting on this main with `handover`.
    pub(crate) fn start(&self, handover: Handover) -> CaughtFuture {
        (self.make)(handover)
    }
}

/// Wraps `future` so that polling it catches its panics in this copy, and
/// runs it in this copy's tokio context when this copy is an update
/// library's (its tokio has no runtime of its own: `hot/bridge.rs`).
pub(crate) fn caught<F: Future<Output = ()> + Send + 'static>(future: F) -> CaughtFuture {
    #[cfg(feature = "tokio")]
    if crate::runtime::is_library_copy() {
        return Box::pin(Caught {
            future: crate::hot::InLibraryContext { future },
        });
    }
    Box::pin(Caught { future })
}

struct Caught<F> {
    future: F,
}

impl<F: Future<Output = ()>> Future for Caught<F> {
    type Output = Result<(), Payload>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Payload>> {
        // SAFETY: structural pinning; `future` is never moved out of `self`.
        let future = unsafe { self.map_unchecked_mut(|s| &mut s.future) };
        match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Ready(())) => Poll::Ready(Ok(())),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}
