//! The call path of a hot function.
//!
//! Fast path, per call: one TLS read, a load+store on this thread's own
//! counter, a compiler fence, a load of the slot, the call, and a store on
//! exit (done by a guard, so unwinding counts too). No atomic
//! read-modify-write, nothing written to a cache line another thread writes.
//! Generated wrappers pass their version 0 ([`HotFn::call_v0`]): while the
//! slot holds it, the call is a direct call the compiler may inline, and
//! every other case leaves the wrapper through a call, so that this path
//! saves no registers for them.
//!
//! A version compiled by another copy of `std` (an update library's new
//! version called by the app, or the app's function called from library
//! code) is called through that copy's panic catch, and a panic is raised
//! again in the caller's copy (`crossing.rs`). Telling the two apart costs
//! a range check of the fn pointer against this copy's image, on loads
//! that do not wait for the slot's.
//!
//! On return, one more relaxed load: the function's `watch`, non-zero only
//! while an update waits for its activations to end (`progress.rs`); then,
//! off the fast path, the last return on a thread wakes that update.

use std::sync::atomic::{Ordering, compiler_fence, fence};

use super::{HotFn, HotFnCore, unerase};
use crate::crossing::call_in;
use crate::thread_table::{Counter, ThreadTable, attached_table, current_table};

/// Marks the end of an activation: [`ExitGuard::returned`] on return (no
/// drop), its `Drop` only when the call unwinds — which also counts the
/// panic (`health.rs`). It holds nothing but the counter, as before panics
/// were counted: the function is found again from the counter on unwind, so
/// calls that return pay nothing for it.
struct ExitGuard<'a>(&'a Counter);

impl ExitGuard<'_> {
    /// The call of `core` returned `r`, handed through (so that the
    /// watched case's call is in tail position, and a caller's fast path
    /// keeps no register saved for it).
    #[inline(always)]
    fn returned<R>(self, core: &HotFnCore, r: R) -> R {
        let this = std::mem::ManuallyDrop::new(self);
        this.0.exit();
        // The exit's half of the Dekker pairing with the updater's heavy
        // fence (as on entry): either the updater's count sees this exit,
        // or this load sees the watch it set before fencing.
        compiler_fence(Ordering::SeqCst);
        if core.watch.load(Ordering::Relaxed) != 0 {
            return returned_watched_with(this.0, r);
        }
        r
    }
}

impl Drop for ExitGuard<'_> {
    #[cold]
    fn drop(&mut self) {
        self.0.exit();
        super::health::count_unwind(self.0);
        super::quiescence::unwound(self.0);
    }
}

impl<F: Copy + 'static> HotFn<F> {
    /// Calls the current version: `invoke` receives the fn pointer to call.
    ///
    /// Generated wrappers call `HOT.call(|f| f(args..))`.
    ///
    /// The fast path (a thread with counters, an open gate) is straight-line
    /// code inlined into the wrapper; everything else is `call_slow`,
    /// out of line, so that its loop does not make the compiler hoist its
    /// callees' addresses, and save registers for them, on every call.
    #[inline(always)]
    pub fn call<R>(&'static self, invoke: impl FnOnce(F) -> R) -> R {
        let core = self.core();
        if let Some(table) = current_table() {
            let (counter, p) = enter(table, core);
            if !p.is_null() {
                return self.run_counted(core, counter, p, invoke);
            }
            // The gate is closed: take the entry back and go the slow way,
            // which enters again.
            retreat(counter);
        }
        self.call_slow(core, invoke)
    }

    /// [`HotFn::call`] for a wrapper that knows its function's version 0,
    /// `v0` (generated wrappers call `HOT.call_v0(v0 as _, |f| f(args..))`).
    ///
    /// While the slot holds `v0`, the call is a direct call of `v0`, which
    /// the compiler may inline into the wrapper: no look at the slot's
    /// image, no indirect call. Every other case leaves through a call in
    /// tail position, so that the path through `v0` keeps nothing in
    /// callee-saved registers unless `v0` itself is a call (it pushed and
    /// popped five registers on every call for those cases' calls): not
    /// resolved yet, no table attached to the thread, the function's
    /// counter not allocated, another version or a closed gate
    /// (`call_other`), an update watching the return. A `v0` whose address
    /// differs from the slot's (never seen; function addresses are not
    /// guaranteed unique) only loses the shortcut.
    #[inline(always)]
    pub fn call_v0<R>(&'static self, v0: F, invoke: impl FnOnce(F) -> R) -> R {
        let resolved = self.resolved.load(Ordering::Acquire);
        if !resolved.is_null()
            && let Some(table) = attached_table()
        {
            // SAFETY: `resolved` only ever holds a registered `&'static` core.
            let core: &'static HotFnCore = unsafe { &*resolved };
            if let Some(counter) = table.counter_if_allocated(core.id.load(Ordering::Relaxed)) {
                let p = entered(table, core, counter);
                if p != super::erase(v0) {
                    return self.call_other(core, counter, p, invoke);
                }
                // Version 0 is this image's code (no panic catch to cross).
                let exit = ExitGuard(counter);
                let r = invoke(v0);
                return exit.returned(core, r);
            }
        }
        self.call_out_of_line(invoke)
    }

    /// [`HotFn::call`], not inlined: [`HotFn::call_v0`]'s way out when
    /// its fastest path does not apply.
    #[inline(never)]
    fn call_out_of_line<R>(&'static self, invoke: impl FnOnce(F) -> R) -> R {
        self.call(invoke)
    }

    /// [`HotFn::call_v0`] when the slot does not hold `v0`: another
    /// version, or a closed gate (`p` null); the entry is counted.
    #[inline(never)]
    fn call_other<R>(
        &'static self,
        core: &'static HotFnCore,
        counter: &Counter,
        p: *mut (),
        invoke: impl FnOnce(F) -> R,
    ) -> R {
        if p.is_null() {
            retreat(counter);
            return self.call_slow(core, invoke);
        }
        self.run_counted(core, counter, p, invoke)
    }

    /// [`HotFn::call`] at a closed gate (the update's own calls pass, others
    /// wait for it to open) or on a thread being torn down.
    #[cold]
    #[inline(never)]
    fn call_slow<R>(&'static self, core: &'static HotFnCore, invoke: impl FnOnce(F) -> R) -> R {
        match current_table() {
            Some(table) => loop {
                let (counter, mut p) = enter(table, core);
                if p.is_null() {
                    p = owner_pass(core); // the gate is closed
                }
                if !p.is_null() {
                    return self.run_counted(core, counter, p, invoke);
                }
                retreat(counter);
                wait_gate(core);
            },
            None => self.call_untracked(core, invoke),
        }
    }

    /// Calls made while this thread's thread-locals are being destroyed:
    /// counted on the function's shared fallback counter.
    #[cold]
    fn call_untracked<R>(
        &'static self,
        core: &'static HotFnCore,
        invoke: impl FnOnce(F) -> R,
    ) -> R {
        let record = crate::runtime().functions.record(core);
        loop {
            record.untracked.fetch_add(1, Ordering::SeqCst);
            let mut p = core.slot.load(Ordering::SeqCst);
            if p.is_null() {
                p = owner_pass(core);
            }
            if !p.is_null() {
                struct Leave<'a>(&'a std::sync::atomic::AtomicU32, &'a HotFnCore);
                impl Drop for Leave<'_> {
                    fn drop(&mut self) {
                        let left = self.0.fetch_sub(1, Ordering::SeqCst) - 1;
                        if left == 0 && self.1.watch.load(Ordering::SeqCst) != 0 {
                            crate::runtime().progress.bump();
                        }
                    }
                }
                let _leave = Leave(&record.untracked, core);
                return self.run(core, p, invoke);
            }
            if record.untracked.fetch_sub(1, Ordering::SeqCst) == 1 {
                crate::runtime().progress.bump(); // as a retreat above
            }
            wait_gate(core);
        }
    }

    /// The core calls go to, registering or resolving on first use.
    #[inline(always)]
    pub(crate) fn core(&'static self) -> &'static HotFnCore {
        let p = self.resolved.load(Ordering::Acquire);
        if p.is_null() {
            self.resolve()
        } else {
            unsafe { &*p }
        }
    }

    /// Runs version `p` as an activation counted on `counter` (entered
    /// already): its exit is counted on return, and on unwind.
    #[inline(always)]
    fn run_counted<R>(
        &'static self,
        core: &HotFnCore,
        counter: &Counter,
        p: *mut (),
        invoke: impl FnOnce(F) -> R,
    ) -> R {
        let exit = ExitGuard(counter);
        let r = self.run(core, p, invoke);
        exit.returned(core, r)
    }

    /// Calls the version `p` of `core` with `invoke`; through its owner's
    /// panic catch when another copy of `std` compiled it.
    #[inline(always)]
    fn run<R>(&'static self, core: &HotFnCore, p: *mut (), invoke: impl FnOnce(F) -> R) -> R {
        // SAFETY: a hot function's versions are only ever `erase::<F>` of an F
        // (the `HotFn::new` contract, and type-checked at redefinition).
        let f = unsafe { unerase::<F>(p) };
        if self.in_own_image(p) {
            invoke(f)
        } else {
            run_in_owner(core, p, move || invoke(f))
        }
    }

    /// Whether version `p` is code of the image holding this static (so
    /// of this copy of `std`): two loads beside `resolved`, no lookup.
    #[inline(always)]
    pub(crate) fn in_own_image(&self, p: *mut ()) -> bool {
        let start = self.image[0].load(Ordering::Relaxed);
        let end = self.image[1].load(Ordering::Relaxed);
        (p as usize).wrapping_sub(start) < end.wrapping_sub(start)
    }

    #[cold]
    fn resolve(&'static self) -> &'static HotFnCore {
        let core = crate::runtime().functions.resolve_static(&self.core);
        // The runtime (and, in a library, the entry) measured this copy's image.
        let (start, end) = crate::crossing::this_image();
        self.image[0].store(start, Ordering::Relaxed);
        self.image[1].store(end, Ordering::Relaxed);
        self.resolved.store(
            core as *const HotFnCore as *mut HotFnCore,
            Ordering::Release,
        );
        core
    }

    /// A typed handle on the app's registered function (for updates). A
    /// function the app does not have (an update built against another app)
    /// is [`crate::Error::UnknownFunction`]: it is never registered here.
    pub fn func(&'static self) -> Result<super::Func<F>, crate::Error> {
        let p = self.resolved.load(Ordering::Acquire);
        let core = if p.is_null() {
            crate::runtime().functions.registered(self.core.name)?
        } else {
            // SAFETY: `resolved` only ever holds a registered `&'static` core.
            unsafe { &*p }
        };
        super::Func::from_core(core)
    }

    /// Current version number (0 = compiled-in).
    pub fn version(&'static self) -> u32 {
        let core = self.core();
        crate::runtime()
            .functions
            .record(core)
            .version
            .load(Ordering::Acquire)
    }
}

/// Counts an entry of `core` on `table`'s counter, then reads the slot (null:
/// the gate is closed): the entry's half of the Dekker pairing with the
/// updater's heavy fence (`fence.rs`).
#[inline(always)]
fn enter<'t>(table: &'t ThreadTable, core: &HotFnCore) -> (&'t Counter, *mut ()) {
    let counter = table.counter(core.id.load(Ordering::Relaxed));
    (counter, entered(table, core, counter))
}

/// [`enter`] with the counter found: counts the entry, then reads the slot.
#[inline(always)]
fn entered(table: &ThreadTable, core: &HotFnCore, counter: &Counter) -> *mut () {
    counter.enter();
    compiler_fence(Ordering::SeqCst);
    if table.strong_fence {
        fence(Ordering::SeqCst);
    }
    core.slot.load(Ordering::Acquire)
}

/// A watched return (an update waits for the function's activations to
/// end): wakes it if this was the thread's last; hands `r` through, so
/// that the caller's call to it is a tail call.
#[inline(never)]
fn returned_watched_with<R>(counter: &Counter, r: R) -> R {
    super::quiescence::returned_watched(counter);
    r
}

/// Takes back an entry that found the gate closed. An updater may have
/// counted it: the retreat is progress for it, as a return would be.
#[inline(always)]
fn retreat(counter: &Counter) {
    counter.retreat();
    super::quiescence::returned_watched(counter);
}

/// Runs `call` of version `p`, outside this copy's image, through the
/// panic catch of the copy of `std` that compiled it (directly if that is
/// this one). Inline: generated wrappers reach it out of line already
/// (`call_other`, `call_out_of_line`).
#[inline(always)]
fn run_in_owner<R>(core: &HotFnCore, p: *mut (), call: impl FnOnce() -> R) -> R {
    let owner = core.versions.owner_of(p);
    if owner.is_this() {
        call()
    } else {
        call_in(owner, call)
    }
}

/// At a closed gate: the version to call if the caller is the update holding
/// the gate (it must not wait for itself), else null.
#[cold]
#[inline(never)]
fn owner_pass(core: &'static HotFnCore) -> *mut () {
    let rt = crate::runtime();
    rt.functions.record(core).owner_pass(rt)
}

/// Blocks while an update holds the entry gate of `core` closed.
#[cold]
#[inline(never)]
fn wait_gate(core: &'static HotFnCore) {
    crate::runtime().functions.record(core).wait_open(core);
}
