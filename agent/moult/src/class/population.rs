//! A class's live instances: the chunks they live in (`chunk.rs`) and the
//! homes that take slots and keep counts (`home.rs`).
//!
//! Taking a slot: the thread's home owns a chunk and a cursor into it, and
//! takes the first free slot from the cursor on (the cursor stays on it, so
//! an instance created and dropped in a loop keeps one hot slot). At the chunk's end it counts
//! the chunk's free slots: with at least an eighth free it starts over at
//! slot 0, else it gives the chunk up and takes another (one a thread gave
//! up with an eighth free, tried a few at a time in turn, or a new one). So
//! creating costs a few loads and stores, and a chunk is looked through
//! once per eighth of its slots at most.
//!
//! Enumerating: every chunk of the class, every slot, a handle on each
//! instance whose count is not 0 (see `inst.rs`); or, for an eager
//! conversion that pinned the class, a pointer to each, with no count
//! taken (see `pin.rs`).

use std::ptr::NonNull;
use std::sync::Mutex;
use std::sync::atomic::Ordering;

use super::chunk::{Chunk, FREE, disown};
use super::home::{Home, Homes, clamp, with_home};
use super::inst::{Inst, InstRef};
use super::pin::{PinGuard, Pinned};
use super::record::ClassState;
use super::segments::{Filling, Segments};
use super::spread;

/// Chunks a thread looks at for free slots before it makes a new one.
const TRIES: usize = 4;

/// Every chunk of a class, and where the next search for one starts.
struct ChunkList<T: ?Sized + 'static> {
    all: Vec<Chunk<T>>,
    rotor: usize,
}

/// A class's live instances.
pub(crate) struct Population<T: ?Sized + 'static> {
    chunks: Mutex<ChunkList<T>>,
    /// The threads' homes (slots, counts).
    pub(crate) homes: Homes,
}

impl<T: ?Sized + 'static> Population<T> {
    /// No instance, no chunk.
    pub(crate) fn new() -> Self {
        Population {
            chunks: Mutex::new(ChunkList {
                all: Vec::new(),
                rotor: 0,
            }),
            homes: Homes::new(),
        }
    }

    /// A new instance of `class` with `value` of `version`, counted and
    /// visible to enumeration when this returns (one handle).
    #[inline]
    pub(crate) fn publish(
        &self,
        class: &'static ClassState<T>,
        value: Box<T>,
        version: u32,
    ) -> InstRef<T> {
        with_home(&self.homes, |home| {
            let slot = self.claim(class, home);
            home.counts.add(version, 1);
            // SAFETY: `slot` is free and in this home's chunk: only this
            // thread writes it until it is published.
            unsafe { InstRef::publish(slot, value, version) }
        })
    }

    /// A free slot of the home's chunk (see module docs): the one at the
    /// cursor if it is free (as in a loop of creations and drops), reached
    /// through the home's pointer to it.
    #[inline(always)]
    fn claim(&self, class: &'static ClassState<T>, home: &Home) -> NonNull<Inst<T>> {
        if let Some(hot) = NonNull::new(home.hot.load(Ordering::Relaxed)) {
            let slot = hot.cast::<Inst<T>>();
            // SAFETY: `hot` is a slot of the home's chunk (of this class);
            // slots of a chunk are always initialised atomics.
            let state = unsafe { slot.as_ref() }.slot_state();
            if state.load(Ordering::Acquire) == FREE {
                return slot;
            }
        }
        self.claim_further(class, home)
    }

    /// [`Population::claim`] past the cursor's slot.
    #[inline(never)]
    fn claim_further(&self, class: &'static ClassState<T>, home: &Home) -> NonNull<Inst<T>> {
        loop {
            if let Some(head) = NonNull::new(home.chunk.load(Ordering::Relaxed)) {
                // SAFETY: a home only holds chunks of its class.
                let chunk = unsafe { Chunk::<T>::from_head(head) };
                let n = chunk.slots();
                let mut i = home.cursor.load(Ordering::Relaxed);
                while i < n {
                    let slot = chunk.slot(i);
                    // SAFETY: slots of a chunk are always initialised atomics.
                    let state = unsafe { slot.as_ref() }.slot_state();
                    if state.load(Ordering::Acquire) == FREE {
                        // The next search starts here: a slot freed since
                        // is taken again while it is still in the cache.
                        home.cursor.store(i, Ordering::Relaxed);
                        home.hot.store(slot.as_ptr().cast(), Ordering::Relaxed);
                        return slot;
                    }
                    i += 1;
                }
                home.cursor.store(n, Ordering::Relaxed);
                if self.roomy(chunk) {
                    home.cursor.store(0, Ordering::Relaxed);
                    continue;
                }
                home.chunk.store(std::ptr::null_mut(), Ordering::Relaxed);
                home.hot.store(std::ptr::null_mut(), Ordering::Relaxed);
                disown(head);
            }
            let chunk = self.take_chunk(class);
            home.chunk.store(chunk.head().as_ptr(), Ordering::Relaxed);
            home.cursor.store(0, Ordering::Relaxed);
        }
    }

    /// `true` if at least an eighth of `chunk`'s slots are free.
    fn roomy(&self, chunk: Chunk<T>) -> bool {
        chunk.free_slots() >= chunk.slots().div_ceil(8)
    }

    /// A chunk with room for the calling thread to own.
    #[cold]
    #[inline(never)]
    fn take_chunk(&self, class: &'static ClassState<T>) -> Chunk<T> {
        let mut list = self.chunks.lock().unwrap_or_else(|e| e.into_inner());
        let n = list.all.len();
        for _ in 0..TRIES.min(n) {
            let chunk = list.all[list.rotor % n];
            list.rotor = (list.rotor + 1) % n;
            if chunk.try_own() {
                if self.roomy(chunk) {
                    return chunk;
                }
                disown(chunk.head());
            }
        }
        let chunk = Chunk::new(class);
        list.all.push(chunk);
        chunk
    }

    /// Handles on every live instance (those being dropped are skipped).
    pub(crate) fn upgrade_all(&self) -> Segments<InstRef<T>> {
        upgrade_chunks(&self.chunks())
    }

    /// [`Population::upgrade_all`] on up to `threads` threads (see
    /// [`Population::walk_on`]).
    #[cfg(test)]
    pub(crate) fn upgrade_all_on(&self, threads: usize) -> Segments<InstRef<T>>
    where
        T: Send + Sync,
    {
        self.walk_on(threads, upgrade_chunks)
    }

    /// Every instance alive now, uncounted, for a conversion that holds
    /// `_pin` (see `pin.rs`), walked on up to `threads` threads (see
    /// [`Population::walk_on`]). The caller must have run the heavy
    /// barrier since it pinned the class.
    pub(crate) fn pinned_all_on(&self, threads: usize, _pin: &PinGuard<T>) -> Segments<Pinned<T>>
    where
        T: Send + Sync,
    {
        self.walk_on(threads, pin_chunks)
    }

    /// `walk` over every chunk, on up to `threads` threads (this one and
    /// scoped helpers), each walking a contiguous run of chunks; the list
    /// is in the same order as one thread would make it. For an eager
    /// conversion on several threads: walking a million slots would
    /// otherwise be the one part of it done alone.
    fn walk_on<X: Send>(&self, threads: usize, walk: fn(&[Chunk<T>]) -> Segments<X>) -> Segments<X>
    where
        T: Send + Sync,
    {
        let chunks = self.chunks();
        let runs: Vec<&[Chunk<T>]> = chunks
            .chunks(chunks.len().div_ceil(threads.max(1)).max(1))
            .collect();
        let Some((first, rest)) = runs.split_first() else {
            return Segments::new();
        };
        let here = spread::current_cpu();
        std::thread::scope(|scope| {
            let helpers: Vec<_> = rest
                .iter()
                .enumerate()
                .map(|(i, run)| {
                    spread::spawn_helper(scope, here, i + 1, move || walk(run))
                        // No thread: this one walks that run too.
                        .map_err(|_| *run)
                })
                .collect();
            spread::let_helpers_start();
            let mut out = walk(first);
            for helper in helpers {
                out.append(match helper {
                    Ok(h) => h
                        .join()
                        .unwrap_or_else(|payload| std::panic::resume_unwind(payload)),
                    Err(run) => walk(run),
                });
            }
            out
        })
    }

    /// Every chunk of the class now.
    fn chunks(&self) -> Vec<Chunk<T>> {
        self.chunks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .all
            .clone()
    }

    /// Adds `d` (wrapping) to `version`'s count, in the calling thread's share.
    #[inline]
    pub(crate) fn count(&self, version: u32, d: u64) {
        with_home(&self.homes, |home| home.counts.add(version, d));
    }

    /// One instance went from version `from` to `to`.
    #[inline]
    pub(crate) fn moved(&self, from: u32, to: u32) {
        with_home(&self.homes, |home| {
            home.counts.add(from, 1u64.wrapping_neg());
            home.counts.add(to, 1);
        });
    }

    /// `n` instances went from version `from` to `to`.
    pub(crate) fn moved_n(&self, from: u32, to: u32, n: u64) {
        with_home(&self.homes, |home| {
            home.counts.add(from, n.wrapping_neg());
            home.counts.add(to, n);
        });
    }

    /// Live instances of `version`.
    pub(crate) fn live(&self, version: u32) -> u64 {
        self.homes.live(version)
    }

    /// Live instances of versions `from..to`.
    pub(crate) fn live_between(&self, from: u32, to: u32) -> u64 {
        clamp((from..to).map(|v| self.live(v)).fold(0, u64::wrapping_add))
    }
}

/// Pointers to the live instances of `chunks`, chunk after chunk, for a
/// conversion that pinned their class (the caller's contract,
/// [`Population::pinned_all_on`]).
fn pin_chunks<T: ?Sized + 'static>(chunks: &[Chunk<T>]) -> Segments<Pinned<T>> {
    // SAFETY: slots of chunks of a pinned class.
    unsafe { collect_slots(chunks, Pinned::of_slot) }
}

/// Handles on the live instances of `chunks`, chunk after chunk.
fn upgrade_chunks<T: ?Sized + 'static>(chunks: &[Chunk<T>]) -> Segments<InstRef<T>> {
    // SAFETY: `upgrade_slot` asks only for a slot of a chunk.
    unsafe { collect_slots(chunks, InstRef::upgrade_slot) }
}

/// What `take` gives for each slot of `chunks`, in order, where it gives
/// something.
///
/// # Safety
/// `take`'s contract must hold for every slot of `chunks`.
unsafe fn collect_slots<T: ?Sized + 'static, X>(
    chunks: &[Chunk<T>],
    take: unsafe fn(NonNull<Inst<T>>) -> Option<X>,
) -> Segments<X> {
    let mut out = Filling::new();
    for &chunk in chunks {
        for i in 0..chunk.slots() {
            // SAFETY: per the contract.
            if let Some(x) = unsafe { take(chunk.slot(i)) } {
                out.push(x);
            }
        }
    }
    out.into_list()
}

#[cfg(test)]
mod tests {
    use super::super::inst::InstRef;

    trait Probe: std::any::Any + Send + Sync {}
    impl Probe for u32 {}

    crate::class!(static WALKED: dyn Probe, u32 = "Walked", |v| Box::new(v));

    /// The addresses of a snapshot's instances, in its order.
    fn addresses(list: super::Segments<InstRef<dyn Probe>>) -> Vec<usize> {
        list.into_iter().map(|i| i.as_ptr().addr().get()).collect()
    }

    /// Walking the chunks on several threads finds the same instances in
    /// the same order as one thread does, for any thread count (more
    /// threads than chunks, and none, included), with holes left by drops;
    /// and so does the uncounted walk of a pinned class.
    #[test]
    fn a_walk_on_several_threads_is_the_walk_on_one() {
        let n = if cfg!(miri) { 300 } else { 20_000 };
        let mut live: Vec<_> = (0..n).map(|v| WALKED.create(v)).collect();
        // Holes: every third instance gone.
        let mut i = 0;
        live.retain(|_| {
            i += 1;
            i % 3 != 0
        });
        let population = &WALKED.core().state.population;
        let one = addresses(population.upgrade_all());
        assert_eq!(one.len(), live.len());
        let pin = super::PinGuard::new(&WALKED.core().state);
        crate::runtime().fence.heavy();
        for threads in [0, 1, 2, 3, 64] {
            let many = addresses(population.upgrade_all_on(threads));
            assert_eq!(many, one, "{threads} threads");
            let pinned: Vec<usize> = population
                .pinned_all_on(threads, &pin)
                .into_iter()
                .map(|p| p.as_ptr().addr().get())
                .collect();
            assert_eq!(pinned, one, "{threads} threads, pinned");
        }
        drop(pin);
        drop(live);
        assert_eq!(population.upgrade_all_on(2).len(), 0);
    }
}
