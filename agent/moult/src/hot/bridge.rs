//! Boxing a version's future, and the tokio context an update library's
//! code needs while it runs.
//!
//! An update library carries its own copy of tokio (statics and
//! thread-locals are duplicated, docs/ARCHITECTURE.md, fact 1). The app's
//! workers poll the library's futures, but the library's tokio looks for a
//! runtime in *its* thread-locals, which the app's runtime never set:
//! `tokio::time::sleep` would panic "there is no reactor running". With
//! moult's `tokio` feature, a library's copy of moult therefore keeps one
//! small runtime of the library's tokio (one worker, which also drives the
//! timers and sockets) and enters it around every poll of a version's
//! future. Timers and sockets registered there wake the app's tasks through
//! their wakers, as any cross-runtime future does; `tokio::spawn` in the
//! library's code runs the task on that worker. The app's own copy needs no
//! bridge: its versions run inside the app's runtime.

use std::future::Future;

use super::BoxFuture;

/// The future of a hot `async fn`'s version, boxed as its slot returns it;
/// generated shims (`#[moult::hot]`, `#[moult::async_version]`) call it.
#[doc(hidden)]
pub fn box_version<'a, T>(future: impl Future<Output = T> + Send + 'a) -> BoxFuture<'a, T> {
    #[cfg(feature = "tokio")]
    if crate::runtime::is_library_copy() {
        return Box::pin(tokio_bridge::InLibraryContext { future });
    }
    Box::pin(future)
}

#[cfg(feature = "tokio")]
pub(crate) use tokio_bridge::InLibraryContext;

#[cfg(feature = "tokio")]
mod tokio_bridge {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::OnceLock;
    use std::task::{Context, Poll};

    /// This library's tokio runtime: built on the first poll of one of its
    /// futures, kept for the process's life (libraries are never unloaded).
    fn runtime() -> &'static tokio::runtime::Runtime {
        static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
        RUNTIME.get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("moult-library-io")
                .enable_all()
                .build()
                .expect("an update library's tokio runtime (one worker thread)")
        })
    }

    /// A future of an update library's code (a version's, a task main's),
    /// polled inside the library's tokio context.
    pub(crate) struct InLibraryContext<F> {
        pub(crate) future: F,
    }

    impl<F: Future> Future for InLibraryContext<F> {
        type Output = F::Output;

        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
            let _entered = runtime().enter();
            // SAFETY: structural pinning: `future` is never moved out of
            // `self`, and `InLibraryContext` has no Drop or Unpin impl of
            // its own that could move it.
            let future = unsafe { self.map_unchecked_mut(|s| &mut s.future) };
            future.poll(cx)
        }
    }
}
