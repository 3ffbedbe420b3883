//! A thread's home in a class: the chunk it takes new instances' slots from,
//! and its share of the class's live counts per version.
//!
//! Creating, dropping and converting instances touch only the running
//! thread's home, with loads and plain stores (one writer per home), so
//! threads working on one class share no written cache line and take no
//! lock. A count is the sum of every home's share (a drop on another thread
//! than the creation's subtracts from that thread's share, a conversion
//! moves within the converting thread's): exact once the threads that
//! changed it are joined or otherwise synchronised with the reader; a reader
//! racing them may see an instance counted nowhere or twice for a moment
//! (a share below 0 reads as 0, see [`clamp`]).
//!
//! Homes are reached through a thread-local cache keyed by the class, so
//! an update library's copy of moult (its own thread-locals: docs/ARCHITECTURE.md,
//! fact 1) simply uses homes of its own in the same class. A thread that exits
//! gives its chunks up and leaves its homes, with their counts, to the next
//! thread that joins the class; code run while the thread's thread-locals
//! are destroyed uses the class's shared home, under a lock.

use std::cell::{Cell, RefCell};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::chunk::{ChunkHead, disown};

/// Versions whose counts a home keeps inline; later ones go in blocks of
/// as many (classes with hundreds of versions exist: a bench makes one per
/// conversion).
const BLOCK: usize = 32;

/// Counts of versions `first..first + BLOCK`.
struct Block {
    first: u32,
    counts: [AtomicU64; BLOCK],
    /// The block made before this one (immutable once published).
    older: *const Block,
}

/// One writer's share of a class's live counts, by version (wrapping).
pub(crate) struct Counts {
    inline: [AtomicU64; BLOCK],
    /// Blocks for versions from `BLOCK` on, newest first (leaked, as homes are).
    more: AtomicPtr<Block>,
}

fn zeroes() -> [AtomicU64; BLOCK] {
    std::array::from_fn(|_| AtomicU64::new(0))
}

impl Counts {
    fn new() -> Self {
        Counts {
            inline: zeroes(),
            more: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    /// Adds `d` (wrapping) to `version`'s share. Only the home's thread
    /// calls it, so a load and a store suffice.
    #[inline]
    pub(crate) fn add(&self, version: u32, d: u64) {
        let c = match self.inline.get(version as usize) {
            Some(c) => c,
            None => self.counter(version),
        };
        c.store(c.load(Ordering::Relaxed).wrapping_add(d), Ordering::Release);
    }

    /// The counter of `version` (not inline), its block made if need be
    /// (by the one writer).
    #[cold]
    fn counter(&self, version: u32) -> &AtomicU64 {
        if let Some(c) = self.find(version) {
            return c;
        }
        let first = version - version % BLOCK as u32;
        let block = Box::leak(Box::new(Block {
            first,
            counts: zeroes(),
            older: self.more.load(Ordering::Relaxed),
        }));
        self.more.store(block, Ordering::Release);
        &block.counts[(version - first) as usize]
    }

    /// The counter of `version` in the blocks, if its block exists.
    fn find(&self, version: u32) -> Option<&AtomicU64> {
        let mut p = self.more.load(Ordering::Acquire).cast_const();
        while !p.is_null() {
            // SAFETY: blocks are leaked and immutable but for their atomics.
            let block = unsafe { &*p };
            if (block.first..block.first + BLOCK as u32).contains(&version) {
                return Some(&block.counts[(version - block.first) as usize]);
            }
            p = block.older;
        }
        None
    }

    /// `version`'s share (may be "below 0": wrapped).
    pub(crate) fn get(&self, version: u32) -> u64 {
        match self.inline.get(version as usize) {
            Some(c) => c.load(Ordering::Acquire),
            None => self.find(version).map_or(0, |c| c.load(Ordering::Acquire)),
        }
    }
}

/// A sum of shares, some of which may be wrapped below 0 for a moment; such
/// a transient reads as 0, not as 2^64 − 1.
pub(crate) fn clamp(sum: u64) -> u64 {
    if sum > i64::MAX as u64 { 0 } else { sum }
}

/// One thread's home in one class, alone on its cache lines (its thread
/// writes it on every create and drop).
#[repr(align(128))]
pub(crate) struct Home {
    /// A thread (or the shared home's lock holder) uses it.
    in_use: AtomicBool,
    /// The chunk it takes slots from (owned by it), or null.
    pub(crate) chunk: AtomicPtr<ChunkHead>,
    /// Next slot of `chunk` to look at.
    pub(crate) cursor: AtomicU32,
    /// That slot's address (null: none), so that taking it when it is free
    /// costs no look at the chunk's header.
    pub(crate) hot: AtomicPtr<u8>,
    /// Its share of the live counts.
    pub(crate) counts: Counts,
}

impl Home {
    fn new(in_use: bool) -> &'static Home {
        Box::leak(Box::new(Home {
            in_use: AtomicBool::new(in_use),
            chunk: AtomicPtr::new(std::ptr::null_mut()),
            cursor: AtomicU32::new(0),
            hot: AtomicPtr::new(std::ptr::null_mut()),
            counts: Counts::new(),
        }))
    }

    /// Its thread exits: the chunk and the home are free for others.
    fn leave(&self) {
        self.hot.store(std::ptr::null_mut(), Ordering::Relaxed);
        if let Some(head) = NonNull::new(self.chunk.swap(std::ptr::null_mut(), Ordering::Relaxed)) {
            disown(head);
        }
        self.in_use.store(false, Ordering::Release);
    }
}

/// A class's homes.
pub(crate) struct Homes {
    /// Every home ever made, the shared one first (homes are leaked: there
    /// are at most as many as threads ever ran at once on the class).
    all: Mutex<Vec<&'static Home>>,
    /// The home of code running while its thread's thread-locals are gone.
    shared: &'static Home,
    /// Held while `shared` is used.
    shared_lock: Mutex<()>,
}

impl Homes {
    /// Only the shared home.
    pub(crate) fn new() -> Self {
        let shared = Home::new(true);
        Homes {
            all: Mutex::new(vec![shared]),
            shared,
            shared_lock: Mutex::new(()),
        }
    }

    fn list(&self) -> MutexGuard<'_, Vec<&'static Home>> {
        self.all.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A home for the calling thread: one a finished thread left, or a new one.
    #[cold]
    fn join(&self) -> &'static Home {
        let mut all = self.list();
        for home in all.iter() {
            if home
                .in_use
                .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return home;
            }
        }
        let home = Home::new(true);
        all.push(home);
        home
    }

    /// Live instances of `version`, summed over the homes.
    pub(crate) fn live(&self, version: u32) -> u64 {
        let all = self.list();
        clamp(
            all.iter()
                .map(|h| h.counts.get(version))
                .fold(0, u64::wrapping_add),
        )
    }
}

/// The homes this thread uses, by class (`Homes` address).
struct Cache {
    /// The last one used.
    last: Cell<(*const Homes, *const Home)>,
    all: RefCell<Vec<(*const Homes, &'static Home)>>,
}

impl Drop for Cache {
    fn drop(&mut self) {
        for (_, home) in self.all.get_mut().drain(..) {
            home.leave();
        }
    }
}

thread_local! {
    static CACHE: Cache = const {
        Cache {
            last: Cell::new((std::ptr::null(), std::ptr::null())),
            all: RefCell::new(Vec::new()),
        }
    };
}

impl Cache {
    #[cold]
    fn find(&self, homes: &Homes) -> *const Home {
        let key = homes as *const Homes;
        let mut all = self.all.borrow_mut();
        let home = match all.iter().find(|(k, _)| *k == key) {
            Some(&(_, home)) => home,
            None => {
                let home = homes.join();
                all.push((key, home));
                home
            }
        };
        self.last.set((key, home));
        home
    }
}

/// Runs `f` with the calling thread's home in `homes` (the shared one, under
/// its lock, while the thread's thread-locals are being destroyed). `homes`
/// is a class's, which lives as long as the process: its address keys it. `f` must
/// not run user code (it could use a home again).
#[inline]
pub(crate) fn with_home<R>(homes: &Homes, f: impl FnOnce(&Home) -> R) -> R {
    let key = homes as *const Homes;
    let found = CACHE.try_with(|c| {
        let (k, home) = c.last.get();
        if k == key { home } else { c.find(homes) }
    });
    match found {
        // SAFETY: homes are leaked; this thread holds the home (`in_use`)
        // until its cache is destroyed, which is not now.
        Ok(home) => f(unsafe { &*home }),
        Err(_) => with_shared(homes, f),
    }
}

/// [`with_home`] while the thread's thread-locals are being destroyed.
#[cold]
#[inline(never)]
fn with_shared<R>(homes: &Homes, f: impl FnOnce(&Home) -> R) -> R {
    let _locked = homes.shared_lock.lock().unwrap_or_else(|e| e.into_inner());
    f(homes.shared)
}

#[cfg(test)]
mod tests {
    use super::{BLOCK, Counts, clamp};

    /// Versions past the inline ones get blocks, made on first use, found
    /// again whatever the order versions are used in.
    #[test]
    fn counts_of_many_versions_stay_apart() {
        let counts = Counts::new();
        let versions = [0u32, 1, 31, 32, 33, 200, 64, 5000, 63];
        for (i, &v) in versions.iter().enumerate() {
            counts.add(v, i as u64 + 1);
        }
        counts.add(200, 1u64.wrapping_neg());
        for (i, &v) in versions.iter().enumerate() {
            let want = i as u64 + 1 - u64::from(v == 200);
            assert_eq!(counts.get(v), want, "version {v}");
        }
        assert_eq!(counts.get(BLOCK as u32 * 7), 0, "never counted");
        assert_eq!(
            clamp(counts.get(4999).wrapping_sub(1)),
            0,
            "below 0 reads as 0"
        );
    }
}
