//! The asymmetric fence behind quiescence detection.
//!
//! A hot call announces itself with a plain store to a counter only its thread
//! writes, then reads the function's slot: no fence on that path. The updater
//! closes the slot, then runs a *heavy* fence — `membarrier(2)` with
//! `MEMBARRIER_CMD_PRIVATE_EXPEDITED`, which makes every running thread of the
//! process execute a full barrier — and only then reads the counters. Either
//! the caller saw the closed slot, or the updater sees its counter (the
//! classic Dekker pairing, with the caller's half of the barrier paid by the
//! updater). Where the kernel lacks membarrier, callers fall back to a
//! `SeqCst` fence of their own ([`HeavyFence::callers_need_fence`]).

use std::sync::atomic::{Ordering, fence};

/// `membarrier` commands (linux/membarrier.h).
const MEMBARRIER_CMD_PRIVATE_EXPEDITED: libc::c_long = 1 << 3;
#[cfg_attr(miri, allow(dead_code))]
const MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED: libc::c_long = 1 << 4;

/// The updater's side of the asymmetric fence.
pub(crate) struct HeavyFence {
    /// Registration with the kernel succeeded: `heavy()` is a real process-wide barrier.
    expedited: bool,
}

impl HeavyFence {
    /// Registers the process for expedited membarriers.
    #[cfg(not(miri))]
    pub(crate) fn new() -> HeavyFence {
        // SAFETY: plain syscall with integer arguments.
        let r = unsafe {
            libc::syscall(
                libc::SYS_membarrier,
                MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
                0,
                0,
            )
        };
        HeavyFence { expedited: r == 0 }
    }

    /// Under Miri: no `membarrier` to ask, so callers fence themselves
    /// (the same path as a kernel without it), which Miri's weak-memory
    /// model checks like any other `SeqCst` pairing.
    #[cfg(miri)]
    pub(crate) fn new() -> HeavyFence {
        HeavyFence { expedited: false }
    }

    /// When `true`, callers must pay a `SeqCst` fence themselves.
    pub(crate) fn callers_need_fence(&self) -> bool {
        !self.expedited
    }

    /// A full barrier on every thread of the process (or just here, when
    /// callers fence themselves).
    pub(crate) fn heavy(&self) {
        fence(Ordering::SeqCst);
        if self.expedited {
            // SAFETY: plain syscall; registered in `new`.
            let r = unsafe {
                libc::syscall(libc::SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0)
            };
            // Registration succeeded, so the command cannot fail; if it ever
            // does we must not pretend we fenced.
            assert_eq!(
                r, 0,
                "membarrier(PRIVATE_EXPEDITED) failed after registration"
            );
        }
        fence(Ordering::SeqCst);
    }
}
