//! An eager conversion makes no allocation the size of the class: its
//! snapshot and the old values of the instances it converted are kept in
//! segments (`class/segments.rs`), so a big class does not send `malloc`
//! to `mmap` and back on every conversion (BENCHMARKS.md, "conversion");
//! and it allocates nothing per instance beyond the new value and those
//! two lists.
//!
//! Alone in its test binary: the global allocator below records the
//! largest allocation any thread makes while a conversion runs, and the
//! bytes all of them allocate.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use moult::class::EagerConversion;
use moult::protocol::Outcome;

/// The system allocator, recording the largest allocation made while
/// [`WATCHING`] is set.
struct Largest;

static WATCHING: AtomicBool = AtomicBool::new(false);
static LARGEST: AtomicUsize = AtomicUsize::new(0);
static TOTAL: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged.
unsafe impl GlobalAlloc for Largest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

fn note(size: usize) {
    if WATCHING.load(Ordering::Relaxed) {
        LARGEST.fetch_max(size, Ordering::Relaxed);
        TOTAL.fetch_add(size, Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Largest = Largest;

/// The class's API.
trait Point: std::any::Any + Send + Sync {
    fn x(&self) -> u64;
}

struct P1(u64);
struct P2(u64);

impl Point for P1 {
    fn x(&self) -> u64 {
        self.0
    }
}
impl Point for P2 {
    fn x(&self) -> u64 {
        self.0
    }
}

fn p1(x: u64) -> Box<dyn Point> {
    Box::new(P1(x))
}
fn p2(x: u64) -> Box<dyn Point> {
    Box::new(P2(x))
}
/// The transformer: the same point, one further.
fn next(old: &dyn Point) -> Box<dyn Point> {
    Box::new(P2(old.x() + 1))
}

moult::class!(static POINTS: dyn Point, u64 = "Points" as P1, p1);

/// Below glibc's smallest `mmap` threshold (128 KiB): what the segments
/// are sized to stay under.
const LIMIT: usize = 128 * 1024;

/// Bytes a conversion may allocate per instance, all threads together: its
/// new value (8 B here), its old value's place in the list kept for a
/// rollback (16 B), its place in the snapshot (8 B), and room for the
/// segments the parts leave partly filled (measured: 32.3 B on one worker,
/// 40.6 B on two). A list of the converted instances beside the snapshot,
/// as the pass kept until it reused the snapshot, costs 16 B more (48.3 B
/// and 56.6 B: this test failed so).
const PER_INSTANCE: f64 = 44.0;

#[test]
fn an_eager_conversion_of_a_big_class_makes_no_class_sized_allocation() {
    let n: u64 = 200_000;
    let live: Vec<_> = (0..n).map(|i| POINTS.create(i)).collect();
    let handle = POINTS.handle().expect("registered");
    let rt = moult::runtime();
    for (round, workers) in [1usize, 2].into_iter().enumerate() {
        handle.set_conversion_workers(workers);
        let plus = round as u64 + 1;
        LARGEST.store(0, Ordering::Relaxed);
        TOTAL.store(0, Ordering::Relaxed);
        WATCHING.store(true, Ordering::Relaxed);
        let id = rt.submit(Box::new(EagerConversion::new(&POINTS, p2, next)));
        let outcome = rt.wait(id, Duration::from_secs(60));
        WATCHING.store(false, Ordering::Relaxed);
        assert_eq!(outcome, Some(Outcome::Applied), "{workers} worker(s)");
        let largest = LARGEST.load(Ordering::Relaxed);
        assert!(
            largest < LIMIT,
            "{workers} worker(s): an allocation of {largest} B while converting {n} instances \
             (a list the size of the class; limit {LIMIT} B)"
        );
        let per_instance = TOTAL.load(Ordering::Relaxed) as f64 / n as f64;
        assert!(
            per_instance <= PER_INSTANCE,
            "{workers} worker(s): {per_instance:.1} B allocated per instance converted \
             (at most {PER_INSTANCE} B)"
        );
        // Every instance converted, none lost.
        assert!(
            live.iter()
                .enumerate()
                .all(|(i, t)| t.read().x() == i as u64 + plus),
            "{workers} worker(s): every instance converted once"
        );
        assert_eq!(
            handle.info().versions.iter().map(|v| v.live).sum::<u64>(),
            n
        );
    }
}
