//! Hot functions: calls through a slot holding the current version.
//!
//! `#[moult::hot]` turns a function into a thin wrapper around a
//! [`HotFn`] static; each call announces itself on the calling thread's own
//! counter (see `thread_table.rs`), reads the slot and calls through it. An
//! update swaps the slot; a *safe* redefine first closes the slot (the entry
//! gate: new callers wait) and waits until no activation is running.

mod bridge;
mod call;
mod func;
mod future;
mod health;
mod quiescence;
mod registry;
mod source;
mod version;

#[cfg(feature = "tokio")]
pub(crate) use bridge::InLibraryContext;
pub use bridge::box_version;
pub use func::Func;
pub use future::{Activation, BoxFuture, CrossFuture, Enter};
pub(crate) use quiescence::{ExitWatch, blockers, depths_by_thread};
pub(crate) use registry::{FnRecord, FunctionRegistry};
#[doc(hidden)]
pub use source::HotFnSource;

use std::any::TypeId;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicUsize};

use version::Versions;

/// The name under which the snapshot and quiescence report a function's
/// async activations: they belong to tasks, not to one thread.
pub const ASYNC_TASKS: &str = "async tasks";

/// Type-erased part of a hot function, shared by its typed static and the registry.
///
/// The registry refers to the app's core; a library's duplicated static
/// forwards to it (its own core stays unused).
pub struct HotFnCore {
    /// Current version's fn pointer; null while the entry gate is closed.
    pub(crate) slot: AtomicPtr<()>,
    /// How many updates wait for this function's activations to end (a
    /// closed gate, an immediate redefine's wait-over). Beside `slot`, so a
    /// returning call reads no other cache line to learn it need not tell
    /// anyone: while it is 0 that one relaxed load is all it costs.
    pub(crate) watch: AtomicU32,
    /// Which copy of `std` compiled each version (read only by calls into
    /// another copy's code).
    pub(crate) versions: Versions,
    /// Async activations begun or ended on a thread being torn down (no
    /// counters of its own any more): the rest are on the threads'
    /// counters (`future.rs`). Signed in effect: it wraps below zero when
    /// an activation begun on a live thread ends on a dying one.
    pub(crate) in_flight: AtomicU32,
    /// Index in the registry (and in thread tables); `u32::MAX` until registered.
    pub(crate) id: AtomicU32,
    /// Module path + name: how updates and the console address it.
    pub(crate) name: &'static str,
    /// `TypeId` of the fn-pointer type: redefinitions must match it exactly.
    pub(crate) type_id: fn() -> TypeId,
    /// Readable form of the fn-pointer type, for error messages and the console.
    pub(crate) signature: fn() -> &'static str,
    /// The compiled-in version (installed in the slot at registration).
    pub(crate) original: fn() -> *mut (),
    /// Its types as written and its package, when the macro gave them
    /// (`moult-console new` lists them); read only by snapshots.
    pub(crate) source: Option<&'static HotFnSource>,
}

/// A hot function's static: what `#[moult::hot]` generates for each function.
///
/// `F` is the function's fn-pointer type (e.g. `fn(&str) -> String`).
pub struct HotFn<F: 'static> {
    /// The app's core when this static is the app's; unused in a library copy.
    core: HotFnCore,
    /// The core calls go to: this static's own (app) or the app's (library copy).
    resolved: AtomicPtr<HotFnCore>,
    /// Start and end of the image holding this static (and so the code of
    /// the copy of moult and `std` its calls run in): a version whose code
    /// lies outside is another copy's, called through its panic catch.
    /// Beside `resolved`, so the check reads no other cache line; set
    /// before `resolved` is published.
    pub(crate) image: [AtomicUsize; 2],
    _f: PhantomData<F>,
}

// SAFETY: all fields are atomics or immutable; `F` is a fn-pointer type
// (the contract of the `unsafe` constructor), and fn pointers are Send + Sync.
unsafe impl<F> Sync for HotFn<F> {}
// SAFETY: as above.
unsafe impl<F> Send for HotFn<F> {}

/// Registration record submitted by `#[moult::hot]` so the registry lists every
/// hot function of the program from the start, called or not.
pub struct HotFnEntry(pub fn() -> &'static HotFnCore);

inventory::collect!(HotFnEntry);

impl<F: Copy + 'static> HotFn<F> {
    /// A hot function named `name` whose compiled-in version is `original`
    /// (passed as a fn returning it, so this stays a `const fn`). Only
    /// `#[moult::hot]` calls it.
    ///
    /// # Safety
    /// `F` must be a fn-pointer type, and `original` must return
    /// [`erase`]`::<F>` of a function of that type: [`HotFn::call`] calls
    /// whatever the slot holds as an `F`.
    ///
    /// # Panics
    /// At compile time (the static's initialiser) if `F` is not pointer-sized.
    #[doc(hidden)]
    pub const unsafe fn new(name: &'static str, original: fn() -> *mut ()) -> HotFn<F> {
        assert!(
            std::mem::size_of::<F>() == std::mem::size_of::<*mut ()>(),
            "a hot function's type must be a fn pointer"
        );
        HotFn {
            core: HotFnCore {
                slot: AtomicPtr::new(std::ptr::null_mut()),
                watch: AtomicU32::new(0),
                versions: Versions::new(),
                in_flight: AtomicU32::new(0),
                id: AtomicU32::new(u32::MAX),
                name,
                type_id: TypeId::of::<F>,
                signature: std::any::type_name::<F>,
                original,
                source: None,
            },
            resolved: AtomicPtr::new(std::ptr::null_mut()),
            image: [AtomicUsize::new(0), AtomicUsize::new(0)],
            _f: PhantomData,
        }
    }

    /// The same static with its source facts (types as written, package):
    /// `#[moult::hot]` adds them so the snapshot can report them.
    #[doc(hidden)]
    pub const fn with_source(mut self, source: &'static HotFnSource) -> HotFn<F> {
        self.core.source = Some(source);
        self
    }

    /// Module path + name.
    pub fn name(&self) -> &'static str {
        self.core.name
    }

    /// This static's own core, for inventory registration.
    #[doc(hidden)]
    pub fn own_core(&'static self) -> &'static HotFnCore {
        &self.core
    }
}

/// Erases a fn pointer. Used by generated code; not part of the public API.
///
/// A type that is not pointer-sized does not compile; any pointer-sized
/// value may be erased (restoring it is what is `unsafe`).
#[inline(always)]
pub fn erase<F: Copy>(f: F) -> *mut () {
    const { assert!(std::mem::size_of::<F>() == std::mem::size_of::<*mut ()>()) };
    // SAFETY: F is exactly pointer-sized (checked at compile time above), so
    // reading a pointer's worth of bytes from `f` stays in bounds.
    unsafe { std::mem::transmute_copy::<F, *mut ()>(&f) }
}

/// Restores a fn pointer erased by [`erase`].
#[inline(always)]
pub(crate) unsafe fn unerase<F: Copy>(p: *mut ()) -> F {
    // SAFETY: the caller guarantees `p` came from `erase::<F>`.
    unsafe { std::mem::transmute_copy::<*mut (), F>(&p) }
}
