//! An update library allocates through the app's global allocator.
//!
//! Every image has its own `#[global_allocator]` (docs/ARCHITECTURE.md,
//! "allocators"): a library left with `System` hands the app blocks its
//! allocator never gave out (a boxed update, a panic payload, a string in an
//! event, a value of a library type), and the app frees them with its own —
//! with mimalloc or jemalloc in the app, the first update crashes.
//!
//! So `#[moult::update_library]` installs [`HostAlloc`] as the library's
//! global allocator. It forwards every call to the app's allocator through a
//! table of the app copy's `std::alloc` functions ([`AllocTable`]), which the
//! entry connects before any of the user's code runs. The few allocations
//! made before that (constructors run by `dlopen`) come from a small static
//! arena that is never handed back to anyone: freeing an arena block is a
//! no-op, so no allocator ever sees a block it did not hand out.
//!
//! The fingerprint of a library built by the macro says `alloc=host`; the
//! loader refuses one that does not, before any of its code runs.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// The app copy's allocation functions, handed to a library by its entry.
pub struct AllocTable {
    alloc: unsafe fn(Layout) -> *mut u8,
    alloc_zeroed: unsafe fn(Layout) -> *mut u8,
    dealloc: unsafe fn(*mut u8, Layout),
    realloc: unsafe fn(*mut u8, Layout, usize) -> *mut u8,
}

/// This copy's `std::alloc` functions: in the app, the app's global allocator.
pub(crate) static THIS_ALLOC: AllocTable = AllocTable {
    alloc: std::alloc::alloc,
    alloc_zeroed: std::alloc::alloc_zeroed,
    dealloc: std::alloc::dealloc,
    realloc: std::alloc::realloc,
};

/// The table of the app, once the entry connected it (null before).
static HOST: AtomicPtr<AllocTable> = AtomicPtr::new(std::ptr::null_mut());

/// Bytes available to allocations made before the entry connects the app's
/// allocator.
const ARENA_BYTES: usize = 64 * 1024;

/// The bootstrap arena (bump allocation, never freed).
struct Arena {
    bytes: UnsafeCell<[u8; ARENA_BYTES]>,
    used: AtomicUsize,
}

// SAFETY: disjoint ranges of `bytes` are handed out through the atomic `used`.
unsafe impl Sync for Arena {}

static ARENA: Arena = Arena {
    bytes: UnsafeCell::new([0; ARENA_BYTES]),
    used: AtomicUsize::new(0),
};

impl Arena {
    fn start(&self) -> usize {
        self.bytes.get() as usize
    }

    fn contains(&self, p: *mut u8) -> bool {
        (self.start()..self.start() + ARENA_BYTES).contains(&(p as usize))
    }

    /// A block of `layout`, or null when the arena is exhausted.
    fn alloc(&self, layout: Layout) -> *mut u8 {
        let mut used = self.used.load(Ordering::Relaxed);
        loop {
            let start = (self.start() + used).next_multiple_of(layout.align());
            let end = start - self.start() + layout.size();
            if end > ARENA_BYTES {
                return std::ptr::null_mut();
            }
            match self
                .used
                .compare_exchange_weak(used, end, Ordering::Relaxed, Ordering::Relaxed)
            {
                // The arena is zeroed and never reused, so the block is zeroed too.
                Ok(_) => return start as *mut u8,
                Err(now) => used = now,
            }
        }
    }
}

/// Makes this copy's [`HostAlloc`] forward to `table` from now on.
pub(crate) fn connect(table: &'static AllocTable) {
    HOST.store(
        table as *const AllocTable as *mut AllocTable,
        Ordering::Release,
    );
}

/// The global allocator of an update library (installed by
/// `#[moult::update_library]`): the app's allocator, through the host table.
pub struct HostAlloc;

impl HostAlloc {
    fn host() -> Option<&'static AllocTable> {
        let p = HOST.load(Ordering::Acquire);
        // SAFETY: only ever set to the app's `THIS_ALLOC`, a static.
        (!p.is_null()).then(|| unsafe { &*p })
    }
}

// SAFETY: every block comes either from the app's allocator (and goes back to
// it) or from the arena (and is never reused); `realloc` copies an arena
// block out instead of resizing it in place.
unsafe impl GlobalAlloc for HostAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match Self::host() {
            // SAFETY: forwarded contract.
            Some(host) => unsafe { (host.alloc)(layout) },
            None => ARENA.alloc(layout),
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match Self::host() {
            // SAFETY: forwarded contract.
            Some(host) => unsafe { (host.alloc_zeroed)(layout) },
            None => ARENA.alloc(layout),
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARENA.contains(ptr) {
            return;
        }
        if let Some(host) = Self::host() {
            // SAFETY: not an arena block, so the app's allocator handed it out.
            unsafe { (host.dealloc)(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !ARENA.contains(ptr)
            && let Some(host) = Self::host()
        {
            // SAFETY: forwarded contract; the app's allocator handed it out.
            return unsafe { (host.realloc)(ptr, layout, new_size) };
        }
        // SAFETY: `layout.align()` is a valid alignment already.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: non-zero size (the caller's contract).
        let fresh = unsafe { self.alloc(new_layout) };
        if !fresh.is_null() {
            // SAFETY: both blocks are valid for the smaller of the two sizes.
            unsafe { std::ptr::copy_nonoverlapping(ptr, fresh, layout.size().min(new_size)) };
            // SAFETY: `ptr` is a block of `layout` (an arena block: a no-op).
            unsafe { self.dealloc(ptr, layout) };
        }
        fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arena_blocks_are_aligned_disjoint_and_never_handed_to_the_host() {
        let a = ARENA.alloc(Layout::from_size_align(3, 1).unwrap());
        let b = ARENA.alloc(Layout::from_size_align(8, 64).unwrap());
        assert!(!a.is_null() && !b.is_null());
        assert_eq!(b as usize % 64, 0);
        assert!(b as usize >= a as usize + 3);
        assert!(ARENA.contains(a) && ARENA.contains(b));
        let mut boxed = Box::new(1u8);
        assert!(!ARENA.contains(&mut *boxed));
        // Too big for what is left: null, never an overlapping block.
        assert!(
            ARENA
                .alloc(Layout::from_size_align(ARENA_BYTES, 1).unwrap())
                .is_null()
        );
    }
}
