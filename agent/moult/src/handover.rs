//! State handed from an old main to the new one at a reboot — of a task
//! or of a DSU thread (Pymoult's `updateLocalVar`, Erlang's `loop(State)`).

use std::any::Any;
use std::sync::Arc;

/// State an old main hands to the new one at a reboot (Erlang's
/// `loop(State)`): given at an update point with `point_with` (`moult::task::point_with`
/// in a task, `moult::dsu::point_with` on a DSU thread),
/// transformed by the update, taken by the new main.
#[derive(Default)]
pub struct Handover(pub(crate) Option<Box<dyn Any + Send>>);

impl Handover {
    /// State of type `T`, if the old main handed one of that type over.
    pub fn take<T: Any>(&mut self) -> Option<T> {
        let state = self.0.take()?;
        match state.downcast::<T>() {
            Ok(t) => Some(*t),
            Err(other) => {
                self.0 = Some(other);
                None
            }
        }
    }

    /// Whether any state was handed over.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// A hand-over holding `state` (what an update's transformer returns).
    pub fn new<T: Any + Send>(state: T) -> Handover {
        Handover(Some(Box::new(state)))
    }
}

/// What an update does to the state handed over: old main's state in, new
/// main's state out — or the message of its panic, caught by the copy of
/// `std` that compiled it (see [`transform`]).
pub(crate) type Transform = Arc<dyn Fn(Handover) -> Result<Handover, String> + Send + Sync>;

/// Wraps an update's state transformer. Generic, so it is compiled into
/// the caller's copy of moult (an update library's): the transformer's
/// panics are caught by the `std` that raises them, never by another copy's.
pub(crate) fn transform<F>(f: F) -> Transform
where
    F: Fn(Handover) -> Handover + Send + Sync + 'static,
{
    Arc::new(move |old| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(old)))
            .map_err(|p| crate::boundary::panic_message(p.as_ref()))
    })
}
