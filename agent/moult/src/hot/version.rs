//! Which copy of `std` compiled each version a hot function has had.
//!
//! The slot holds the current version's fn pointer itself, so a call reads
//! one word and calls, as before any update. Whether the function pointed
//! at belongs to the caller's copy is answered by its address
//! ([`crossing::is_own_code`](crate::crossing::is_own_code)); only a call
//! into another copy's code looks here for that copy's panic catch.

use std::sync::atomic::{AtomicPtr, Ordering};

use crate::crossing::{StdCopy, THIS_COPY};

/// One version: its code and the copy that compiled it. Never freed (a
/// caller may be reading the list, and the code is never unloaded).
pub(crate) struct VersionInfo {
    /// The function, an erased fn pointer.
    f: *mut (),
    /// The copy of `std` that compiled `f`.
    owner: &'static StdCopy,
    /// The version installed before this one (older entries follow).
    next: *const VersionInfo,
}

/// Every version of one hot function, newest first.
pub(crate) struct Versions {
    /// Version 0 (`f` filled in at registration: a `const fn` built it).
    v0_f: AtomicPtr<()>,
    /// The copy that compiled version 0.
    v0_owner: &'static StdCopy,
    /// Redefinitions, newest first (the usual lookup stops at the head).
    head: AtomicPtr<VersionInfo>,
}

// SAFETY: the raw pointers are immutable once published (Release/Acquire
// through `head`) and point at leaked, never-freed nodes and code.
unsafe impl Sync for Versions {}
// SAFETY: as above.
unsafe impl Send for Versions {}

impl Versions {
    /// The versions of a function compiled by the calling copy.
    pub(crate) const fn new() -> Versions {
        Versions {
            v0_f: AtomicPtr::new(std::ptr::null_mut()),
            v0_owner: &THIS_COPY,
            head: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    /// Records version 0's code (at registration).
    pub(crate) fn set_v0(&self, f: *mut ()) {
        self.v0_f.store(f, Ordering::Release);
    }

    /// Records that `f` was compiled by `owner` (before `f` is published).
    pub(crate) fn push(&self, f: *mut (), owner: &'static StdCopy) {
        let node = Box::into_raw(Box::new(VersionInfo {
            f,
            owner,
            next: self.head.load(Ordering::Acquire),
        }));
        loop {
            // SAFETY: `node` is ours until the exchange publishes it.
            let next = unsafe { (*node).next };
            match self.head.compare_exchange(
                next.cast_mut(),
                node,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return,
                // SAFETY: not published yet.
                Err(now) => unsafe { (*node).next = now },
            }
        }
    }

    /// The copy that compiled `f` (the calling copy if `f` is unknown,
    /// which a version installed through moult never is).
    pub(crate) fn owner_of(&self, f: *mut ()) -> &'static StdCopy {
        let mut p = self.head.load(Ordering::Acquire);
        while !p.is_null() {
            // SAFETY: published nodes are never freed nor changed.
            let node = unsafe { &*p };
            if node.f == f {
                return node.owner;
            }
            p = node.next.cast_mut();
        }
        if self.v0_f.load(Ordering::Acquire) == f {
            self.v0_owner
        } else {
            &THIS_COPY
        }
    }
}
