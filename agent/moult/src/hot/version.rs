//! Which copy of `std` compiled each version a hot function has had.
//!
//! The slot holds the current version's fn pointer itself, so a call reads
//! one word and calls, as before any update. Whether the function pointed
//! at belongs to the caller's copy is answered by its address
//! ([`crossing::is_own_code`](crate::crossing::is_own_code)); only a call
//! into another copy's code looks here for that copy's panic catch.

use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};

use crate::crossing::{StdCopy, THIS_COPY};

/// One version: its code and the copy that compiled it. Never freed (a
/// caller may be reading the list, and the code is never unloaded).
pub(crate) struct VersionInfo {
    /// The function, an erased fn pointer.
    f: *mut (),
    /// The copy of `std` that compiled `f`.
    owner: &'static StdCopy,
    /// The version number it was installed as.
    version: u32,
    /// Calls of it that panicked (see `health.rs`).
    panics: AtomicU64,
    /// The version installed before this one (older entries follow).
    next: *const VersionInfo,
}

/// Every version of one hot function, newest first.
pub(crate) struct Versions {
    /// Version 0 (`f` filled in at registration: a `const fn` built it).
    v0_f: AtomicPtr<()>,
    /// The copy that compiled version 0.
    v0_owner: &'static StdCopy,
    /// Calls of version 0 that panicked.
    v0_panics: AtomicU64,
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
            v0_panics: AtomicU64::new(0),
            head: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    /// Records version 0's code (at registration).
    pub(crate) fn set_v0(&self, f: *mut ()) {
        self.v0_f.store(f, Ordering::Release);
    }

    /// Records that `f`, version `version`, was compiled by `owner` (before
    /// `f` is published).
    pub(crate) fn push(&self, f: *mut (), owner: &'static StdCopy, version: u32) {
        let node = Box::into_raw(Box::new(VersionInfo {
            f,
            owner,
            version,
            panics: AtomicU64::new(0),
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

    /// The newest record of `f`, if `f` is a redefinition.
    fn find(&self, f: *mut ()) -> Option<&VersionInfo> {
        self.nodes().find(|node| node.f == f)
    }

    /// Every redefinition, newest first.
    fn nodes(&self) -> impl Iterator<Item = &VersionInfo> {
        let mut p = self.head.load(Ordering::Acquire);
        std::iter::from_fn(move || {
            // SAFETY: published nodes are never freed, and only `panics` changes.
            let node = unsafe { p.as_ref() }?;
            p = node.next.cast_mut();
            Some(node)
        })
    }

    /// The copy that compiled `f` (the calling copy if `f` is unknown,
    /// which a version installed through moult never is).
    #[inline]
    pub(crate) fn owner_of(&self, f: *mut ()) -> &'static StdCopy {
        // The newest version first, inline: the one a library's calls run.
        // SAFETY: published nodes are never freed.
        if let Some(newest) = unsafe { self.head.load(Ordering::Acquire).as_ref() }
            && newest.f == f
        {
            return newest.owner;
        }
        self.owner_of_older(f)
    }

    /// [`Versions::owner_of`] past the newest version.
    #[inline(never)]
    fn owner_of_older(&self, f: *mut ()) -> &'static StdCopy {
        match self.find(f) {
            Some(node) => node.owner,
            None if self.v0_f.load(Ordering::Acquire) == f => self.v0_owner,
            None => &THIS_COPY,
        }
    }

    /// Counts a panic of `f`; returns its version number and its panics so far.
    pub(crate) fn count_panic(&self, f: *mut ()) -> (u32, u64) {
        match self.find(f) {
            Some(node) => (
                node.version,
                node.panics.fetch_add(1, Ordering::Relaxed) + 1,
            ),
            None => (0, self.v0_panics.fetch_add(1, Ordering::Relaxed) + 1),
        }
    }

    /// Panics per version number (versions that never panicked left out).
    pub(crate) fn panics_by_version(&self) -> Vec<(u32, u64)> {
        let v0 = self.v0_panics.load(Ordering::Relaxed);
        self.nodes()
            .map(|n| (n.version, n.panics.load(Ordering::Relaxed)))
            .chain(std::iter::once((0, v0)))
            .filter(|&(_, p)| p > 0)
            .collect()
    }
}
