//! The panic boundary around update code.
//!
//! A panic may only be caught by the copy of `std` that raised it: an update
//! library has its own `std`, and catching its panic in the app's aborts the
//! process ("foreign exception"). So every update is wrapped, *by the copy of
//! moult that submits it*, in a [`Boundary`] whose methods catch panics with
//! that same copy's `catch_unwind` and turn them into errors. The manager
//! (app code) then only ever sees values.

use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use crate::update::{Alterability, Requirements, Update, UpdateContext, UpdateError};

/// Runs `f`, turning a panic into its message.
#[inline]
pub fn guard<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| panic_message(p.as_ref()))
}

/// The message of a panic payload (`&str` or `String`), or a placeholder.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}

/// An update whose every hook is panic-safe (see the module docs).
pub struct Boundary {
    /// Cached so `name()` never calls into the wrapped code.
    name: String,
    max_tries: u32,
    sleep_time: Duration,
    /// Dropped by [`Drop`] below under this copy's catch: the app drops the
    /// boundary, and the update's own `Drop` may panic.
    inner: ManuallyDrop<Box<dyn Update>>,
}

impl Drop for Boundary {
    fn drop(&mut self) {
        // SAFETY: `inner` is taken once, here, and never used again.
        let inner = unsafe { ManuallyDrop::take(&mut self.inner) };
        if let Err(m) = guard(move || drop(inner)) {
            crate::runtime()
                .events
                .emit(moult_protocol::EventKind::Log {
                    level: "error".into(),
                    message: format!("{}: dropping the update panicked: {m}", self.name),
                });
        }
    }
}

impl Boundary {
    /// Wraps `inner`; must run in the copy of moult that built `inner`.
    pub fn wrap(inner: Box<dyn Update>) -> Box<dyn Update> {
        let name =
            guard(|| inner.name().to_string()).unwrap_or_else(|m| format!("<name panicked: {m}>"));
        let max_tries = guard(|| inner.max_tries()).unwrap_or(1);
        let sleep_time = guard(|| inner.sleep_time()).unwrap_or(Duration::ZERO);
        Box::new(Boundary {
            name,
            max_tries,
            sleep_time,
            inner: ManuallyDrop::new(inner),
        })
    }

    fn log_panic(ctx: &UpdateContext, hook: &str, message: &str) {
        ctx.emit(moult_protocol::EventKind::Log {
            level: "error".into(),
            message: format!("{}: {hook} panicked: {message}", ctx.update_name()),
        });
    }
}

impl Update for Boundary {
    fn name(&self) -> &str {
        &self.name
    }
    fn max_tries(&self) -> u32 {
        self.max_tries
    }
    fn sleep_time(&self) -> Duration {
        self.sleep_time
    }
    fn check_requirements(&mut self, ctx: &mut UpdateContext) -> Requirements {
        guard(|| self.inner.check_requirements(ctx))
            .unwrap_or_else(|m| Requirements::Never(format!("check_requirements panicked: {m}")))
    }
    fn preupdate_setup(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        guard(|| self.inner.preupdate_setup(ctx)).unwrap_or_else(|m| Err(UpdateError::Panicked(m)))
    }
    fn check_alterability(&mut self, ctx: &mut UpdateContext) -> Alterability {
        guard(|| self.inner.check_alterability(ctx)).unwrap_or_else(|m| {
            Alterability::Blocked(vec![moult_protocol::Blocker {
                thread: String::new(),
                function: None,
                depth: 0,
                detail: format!("check_alterability panicked: {m}"),
            }])
        })
    }
    fn wait_alterability(&mut self, ctx: &mut UpdateContext) -> Result<Alterability, UpdateError> {
        guard(|| self.inner.wait_alterability(ctx))
            .unwrap_or_else(|m| Err(UpdateError::Panicked(m)))
    }
    fn clean_failed_alterability(&mut self, ctx: &mut UpdateContext) {
        if let Err(m) = guard(|| self.inner.clean_failed_alterability(ctx)) {
            Self::log_panic(ctx, "clean_failed_alterability", &m);
        }
    }
    fn pause_hook(&mut self, ctx: &mut UpdateContext) {
        if let Err(m) = guard(|| self.inner.pause_hook(ctx)) {
            Self::log_panic(ctx, "pause_hook", &m);
        }
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        guard(|| self.inner.apply(ctx)).unwrap_or_else(|m| Err(UpdateError::Panicked(m)))
    }
    fn preresume_setup(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        guard(|| self.inner.preresume_setup(ctx)).unwrap_or_else(|m| Err(UpdateError::Panicked(m)))
    }
    fn resume_hook(&mut self, ctx: &mut UpdateContext) {
        if let Err(m) = guard(|| self.inner.resume_hook(ctx)) {
            Self::log_panic(ctx, "resume_hook", &m);
        }
    }
    fn check_over(&mut self, ctx: &mut UpdateContext) -> bool {
        guard(|| self.inner.check_over(ctx)).unwrap_or(true)
    }
    fn wait_over(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        guard(|| self.inner.wait_over(ctx)).unwrap_or_else(|m| Err(UpdateError::Panicked(m)))
    }
    fn cleanup(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        guard(|| self.inner.cleanup(ctx)).unwrap_or_else(|m| Err(UpdateError::Panicked(m)))
    }
    fn revertible(&self) -> crate::update::Revertible {
        guard(|| self.inner.revertible())
            .unwrap_or_else(|m| crate::update::Revertible::No(format!("revertible panicked: {m}")))
    }
    fn watch(&self) -> Option<crate::update::Watch> {
        guard(|| self.inner.watch()).unwrap_or(None)
    }
}
