//! The main function of a DSU thread, wrapped where it is built.
//!
//! See the module docs of [`dsu`](super): the wrapper's `catch_unwind` and
//! its raise function belong to the copy of moult (and std) that calls
//! [`Main::new`], so a reboot unwind is always raised and caught by one copy.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;

use crate::boundary::panic_message;
use crate::handover::Handover;

/// How a main ended, as a plain value the root runner (maybe another copy of
/// moult) can use without touching the panic payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MainExit {
    /// The main returned.
    Returned,
    /// A reboot unwound the main from an update point.
    Reboot,
    /// The main panicked; the panic message.
    Panicked(String),
}

/// Payload of the reboot unwind; never seen outside the main's wrapper.
pub(crate) struct RebootSignal;

/// This copy's way to start the reboot unwind. `resume_unwind` does not call
/// the panic hook, so a reboot prints nothing.
pub(crate) fn raise_reboot() -> ! {
    resume_unwind(Box::new(RebootSignal))
}

/// A DSU thread's main: what it runs, plus how to unwind it.
///
/// Cheap to clone (shared). Build it with [`Main::new`] (or `From<fn()>`) in
/// the code that provides the function — in an update library, *in the
/// library*, so the library's std catches its panics.
#[derive(Clone)]
pub struct Main {
    /// Runs the user's function under this copy's `catch_unwind`, with the
    /// state the previous main handed over (empty for most mains).
    pub(crate) run: Arc<dyn Fn(Handover) -> MainExit + Send + Sync>,
    /// This copy's raise function, registered in the thread record while
    /// `run` executes so update points raise the unwind `run` catches.
    pub(crate) raise: fn() -> !,
    /// What the main is, for logs (`std::any::type_name` of the function).
    pub(crate) label: &'static str,
}

impl Main {
    /// Wraps `f` as a main (see the type docs on where to call this).
    pub fn new<F: Fn() + Send + Sync + 'static>(f: F) -> Main {
        let label = std::any::type_name::<F>();
        let mut main = Main::with_state(move |_| f());
        main.label = label;
        main
    }

    /// Wraps `f` as a main that receives the state the previous main handed
    /// over at its reboot (`dsu::point_with`), as the rebooting update
    /// transformed it; empty when there is none (the first run, a reboot
    /// without state).
    pub fn with_state<F: Fn(Handover) + Send + Sync + 'static>(f: F) -> Main {
        Main {
            run: Arc::new(
                move |handover| match catch_unwind(AssertUnwindSafe(|| f(handover))) {
                    Ok(()) => MainExit::Returned,
                    Err(payload) if payload.is::<RebootSignal>() => MainExit::Reboot,
                    Err(payload) => MainExit::Panicked(panic_message(payload.as_ref())),
                },
            ),
            raise: raise_reboot,
            label: std::any::type_name::<F>(),
        }
    }

    /// The wrapped function's type name (for logs and the console).
    pub fn label(&self) -> &'static str {
        self.label
    }
}

impl From<fn()> for Main {
    fn from(f: fn()) -> Main {
        Main::new(f)
    }
}

impl std::fmt::Debug for Main {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Main({})", self.label)
    }
}
