//! Panic-safe constructors and transformers.
//!
//! A panic may only be caught by the copy of `std` that raised it (see
//! [`boundary`](crate::boundary)). Constructors and
//! transformers often come from an update library yet run on app threads
//! (`create`, lazy conversion on access), so they are wrapped *where they are
//! handed over*, by code running in the same copy of moult (and so of `std`)
//! as they were compiled with, and from then on only return `Result`s.

use std::sync::Arc;

use crate::boundary::guard;

/// Calls a constructor under `catch_unwind`: `call_ctor::<T, A>` taken as a
/// fn pointer in the copy of moult that also owns the constructor.
pub(crate) type CallCtor<T, A> = fn(fn(A) -> Box<T>, A) -> Result<Box<T>, String>;

/// Runs `ctor(args)`, turning a panic into its message.
pub(crate) fn call_ctor<T: ?Sized, A>(ctor: fn(A) -> Box<T>, args: A) -> Result<Box<T>, String> {
    guard(|| ctor(args))
}

/// A constructor together with the guarded way to call it.
pub(crate) struct CtorFn<T: ?Sized + 'static, A: 'static> {
    /// The constructor itself.
    pub(crate) f: fn(A) -> Box<T>,
    /// [`call_ctor`] as instantiated next to `f`.
    pub(crate) call: CallCtor<T, A>,
}

impl<T: ?Sized + 'static, A: 'static> Clone for CtorFn<T, A> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: ?Sized + 'static, A: 'static> Copy for CtorFn<T, A> {}

impl<T: ?Sized + 'static, A: 'static> CtorFn<T, A> {
    /// Wraps `f`; must run in the copy of moult that compiled `f`'s caller
    /// (any function of this crate called by update code does).
    pub(crate) fn new(f: fn(A) -> Box<T>) -> Self {
        CtorFn {
            f,
            call: call_ctor::<T, A>,
        }
    }
}

/// A transformer from an old value to a new one that never unwinds: a panic
/// comes back as `Err(message)`.
pub(crate) type Transform<T> = Arc<dyn Fn(&T) -> Result<Box<T>, String> + Send + Sync>;

/// Wraps `f` so that its panics are caught by this copy of `std` (see the
/// module docs); the result is what gets stored and called later.
pub(crate) fn guard_transformer<T: ?Sized + 'static>(
    f: impl Fn(&T) -> Box<T> + Send + Sync + 'static,
) -> Transform<T> {
    Arc::new(move |old: &T| guard(|| f(old)))
}
