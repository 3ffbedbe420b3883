//! The pass of an eager conversion over its snapshot of instances, split
//! into contiguous parts converted by worker threads (the updater's thread
//! is the first), while the app is held: each worker converts a part of
//! its own, then takes the next part left (up to eight per worker in a big
//! class), so that a worker whose core is busy elsewhere does not hold the
//! whole pass up by its share.
//!
//! The transformer is `Send + Sync` (every conversion API asks for it), so
//! several threads may run it at once, each on instances of its own part
//! under their write locks. What stays as with one thread:
//! - **progress events** count instances across all parts, in increasing
//!   order, at the same multiples of [`progress_every`] (and at the total);
//! - **all or nothing**: the first part to meet a failing transformer or a
//!   lock it cannot take stops every part; the caller rolls back what all
//!   parts converted, and reports the failure with the lowest index;
//! - **exact counts**: each part moves its instances' per-version counts in
//!   batches ([`Moves`]), in its own thread's share (`home.rs`): no lock,
//!   no shared line, one count update per batch.
//!
//! What an instance costs while the app is held: the transformer (its
//! allocation included), the write lock and its release, and 16 bytes
//! written (its old value, kept for a rollback). The snapshot takes no
//! count (the class is pinned instead, see `pin.rs`), and is kept as the
//! list of instances passed, not copied into one ([`Done`]). The loop
//! makes no other call per instance: the checks that nearly always pass (a
//! pending lazy step, the target's type learnt) are inlined, and their
//! slow parts are out of line. What it records stays in locals the
//! transformer's call cannot reach ([`Doing`], with the segment being
//! filled; [`Moves`], with the last version's count apart), and whether to
//! stop is read once a batch. The pass runs as many instructions per
//! instance as its work needs, which is what its time follows here: the
//! bookkeeping cut from 428 to 356 per instance (counted by callgrind) took
//! 12 % off the 1-thread call. (Removing the count, or making the release
//! a plain store, changed nothing measurable; writing less did:
//! BENCHMARKS.md, "conversion".)

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use moult_protocol::EventKind;

use super::blocked::{LockBlocked, lock_blocked};
use super::done::{Doing, Done};
use super::moves::Moves;
use super::pace::progress_every;
use super::pin::Pinned;
use super::record::ClassState;
use super::segments::Segments;
use super::spread;
use super::stale::EagerStep;
use crate::Runtime;

/// Fewest instances per thread when the class leaves the count to moult:
/// below this, starting a thread costs more than it saves.
const MIN_PART: usize = 4096;

/// Instances a part converts between two landings of its count moves and
/// reports of its progress (at most; fewer when progress events are more
/// frequent).
const BATCH: u64 = 256;

/// Why a pass stopped before the end.
pub(crate) enum Stopped {
    /// Instance `k`'s lock stayed held for the whole wait.
    Blocked(usize, LockBlocked),
    /// The transformer panicked on instance `k`.
    Panicked(usize, String),
}

impl Stopped {
    /// Index of the instance it stopped at.
    fn at(&self) -> usize {
        match self {
            Stopped::Blocked(k, _) | Stopped::Panicked(k, _) => *k,
        }
    }
}

/// What a pass did: every instance converted (with its old value and
/// version, for rollback), and why it stopped early, if it did.
pub(crate) struct PassOutcome<T: ?Sized + 'static> {
    /// Converted instances, part after part.
    pub(crate) done: Done<T>,
    /// The failure with the lowest index, if any part failed.
    pub(crate) stopped: Option<Stopped>,
}

/// What the parts of one pass share.
struct Pass<'a, T: ?Sized + 'static> {
    state: &'static ClassState<T>,
    step: &'a EagerStep<T>,
    rt: &'a Runtime,
    /// How long to wait for any one instance's lock.
    wait: Duration,
    /// Instances in the snapshot.
    total: u64,
    /// A progress event every this many instances.
    every: u64,
    /// Instances passed so far, all parts together.
    passed: AtomicU64,
    /// The last progress reported (events go out in increasing order).
    reported: Mutex<u64>,
    /// Set by the first part that fails: the others stop.
    stop: AtomicBool,
}

/// How many threads convert `total` instances of `state` (at least 1).
pub(crate) fn workers<T: ?Sized + 'static>(state: &ClassState<T>, total: usize) -> usize {
    match state.workers.load(Ordering::Relaxed) as usize {
        0 => {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            cores.min(total / MIN_PART).max(1)
        }
        n => n.min(total).max(1),
    }
}

/// Converts every instance of `instances` through `step` (see module docs).
pub(crate) fn convert_all<T: ?Sized + Send + Sync + 'static>(
    state: &'static ClassState<T>,
    step: &EagerStep<T>,
    rt: &Runtime,
    instances: Segments<Pinned<T>>,
    wait: Duration,
) -> PassOutcome<T> {
    let total = instances.len();
    let pass = Pass {
        state,
        step,
        rt,
        wait,
        total: total as u64,
        every: progress_every(total as u64),
        passed: AtomicU64::new(0),
        reported: Mutex::new(0),
        stop: AtomicBool::new(false),
    };
    let n = workers(state, total);
    if n == 1 {
        let (done, stopped) = pass.part(0, instances);
        return PassOutcome { done, stopped };
    }
    // Worker `w` converts part `w` first, then each worker takes the next
    // part left. Instances of one chunk are contiguous in the snapshot, so
    // parts rarely share a chunk.
    let parts = instances.split(part_count(n, total));
    let queue = PartQueue {
        first_shared: AtomicUsize::new(n.min(parts.len())),
        parts: parts.into_iter().map(|p| Mutex::new(Some(p))).collect(),
    };
    let here = spread::current_cpu();
    let results = std::thread::scope(|scope| {
        let (pass, queue) = (&pass, &queue);
        let handles: Vec<_> = (1..n.min(queue.parts.len()))
            .map(|w| {
                spread::spawn_helper(scope, here, w, move || queue.convert(pass, w))
                    .map_err(|e| (w, e))
            })
            .collect();
        spread::let_helpers_start();
        let mut results = queue.convert(pass, 0);
        for handle in handles {
            match handle {
                // `part` catches the transformer's panics: any other is
                // moult's, raised again here as a panic of the pass.
                Ok(h) => results.extend(
                    h.join()
                        .unwrap_or_else(|payload| std::panic::resume_unwind(payload)),
                ),
                Err((w, e)) => {
                    // Its first part is nobody else's: the pass fails there.
                    pass.stop.store(true, Ordering::Release);
                    let start = queue.start_of(w);
                    let message = format!("could not start a conversion thread: {e}");
                    results.push((w, Done::default(), Some(Stopped::Panicked(start, message))));
                }
            }
        }
        results
    });
    let mut results = results;
    results.sort_by_key(|r| r.0);
    let mut outcome = PassOutcome {
        done: Done::default(),
        stopped: None,
    };
    for (_, done, stopped) in results {
        outcome.done.append(done);
        if let Some(s) = stopped
            && outcome.stopped.as_ref().is_none_or(|o| s.at() < o.at())
        {
            outcome.stopped = Some(s);
        }
    }
    outcome
}

/// Parts a pass on `workers` threads splits `total` instances into: one
/// per worker, up to eight when each still holds [`MIN_PART`] instances.
fn part_count(workers: usize, total: usize) -> usize {
    (total / MIN_PART).clamp(workers, workers * 8)
}

/// A pass's parts, each taken once: worker `w` takes part `w`, then the
/// shared ones from `first_shared` on.
struct PartQueue<T: ?Sized + 'static> {
    /// Each part's first index in the snapshot and its instances, until taken.
    parts: Vec<Mutex<Option<Part<T>>>>,
    /// The next part no worker has taken (parts below the worker count
    /// are their workers' own).
    first_shared: AtomicUsize,
}

/// A part: the index of its first instance in the snapshot, and its
/// instances.
type Part<T> = (usize, Segments<Pinned<T>>);

/// What one part gave: its place among the parts, its conversions, and
/// why it stopped early, if it did.
type PartResult<T> = (usize, Done<T>, Option<Stopped>);

impl<T: ?Sized + Send + Sync + 'static> PartQueue<T> {
    /// Worker `w`'s share of the pass: its own part, then shared ones,
    /// until none is left or a part fails.
    fn convert(&self, pass: &Pass<'_, T>, w: usize) -> Vec<PartResult<T>> {
        let mut results = Vec::new();
        let mut i = w;
        while let Some((start, part)) = self.parts.get(i).and_then(take) {
            let (done, stopped) = pass.part(start, part);
            let failed = stopped.is_some();
            results.push((i, done, stopped));
            if failed || pass.stop.load(Ordering::Relaxed) {
                break;
            }
            i = self.first_shared.fetch_add(1, Ordering::Relaxed);
        }
        results
    }

    /// The first index of part `i` (not taken yet).
    fn start_of(&self, i: usize) -> usize {
        self.parts[i]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map_or(0, |p| p.0)
    }
}

/// Takes a part out of its slot (`None`: taken already).
fn take<X>(slot: &Mutex<Option<X>>) -> Option<X> {
    slot.lock().unwrap_or_else(|e| e.into_inner()).take()
}

impl<T: ?Sized + Send + Sync + 'static> Pass<'_, T> {
    /// Converts `part`, whose first instance is the snapshot's `start`-th.
    ///
    /// Whether to stop (another part failed, or a late creation did) is
    /// checked once a batch, with the counts' landing: a part that goes on
    /// for up to a batch after that converts instances the rollback then
    /// restores, as it restores the rest.
    fn part(&self, start: usize, mut part: Segments<Pinned<T>>) -> (Done<T>, Option<Stopped>) {
        let (state, target) = (self.state, self.step.target);
        let transform = &*self.step.transform;
        let mut doing = Doing::new();
        let mut moves = Moves::default();
        let mut from_counts = Vec::new();
        let batch = BATCH.min(self.every) as usize;
        let mut unreported = 0;
        let mut stopped = None;
        'pass: for segment in part.segments() {
            for inst in segment {
                if unreported == 0 && (self.stop.load(Ordering::Relaxed) || !self.step.is_active())
                {
                    break 'pass;
                }
                // The clock is read only when the lock is not free at once.
                let Some(mut value) = inst
                    .try_write()
                    .or_else(|| inst.write_until(Instant::now() + self.wait))
                else {
                    let (k, total) = (start + doing.passed_count(), self.total as usize);
                    let blocked = lock_blocked(state.name, inst, k, total, self.wait);
                    stopped = Some(Stopped::Blocked(k, blocked));
                    break 'pass;
                };
                // A pending lazy conversion first (the transformer expects the
                // constructor of record's version); an orphan has none to make
                // (no handle reaches it again) and is left as it is.
                let live = !state.lazy_pending(inst)
                    || inst.upgrade().is_some_and(|counted| {
                        state.catch_up_slow(&counted, &mut value);
                        true
                    });
                let from = inst.version.load(Ordering::Acquire);
                if live && from != target {
                    match transform(&**value) {
                        Ok(new) => {
                            let old = std::mem::replace(&mut *value, new);
                            // The count moves with its batch (below).
                            state.learn(target, &**value);
                            inst.version.store(target, Ordering::Release);
                            moves.add(from);
                            drop(value);
                            doing.converted(old, from);
                        }
                        Err(message) => {
                            let k = start + doing.passed_count();
                            stopped = Some(Stopped::Panicked(k, message));
                            break 'pass;
                        }
                    }
                } else {
                    drop(value);
                    doing.passed();
                }
                unreported += 1;
                if unreported == batch {
                    moves.land(state, target, &mut from_counts);
                    self.progress(unreported as u64);
                    unreported = 0;
                }
            }
        }
        moves.land(state, target, &mut from_counts);
        self.progress(unreported as u64);
        // The instances not reached stay out (nothing to undo in them).
        part.truncate(doing.passed_count());
        if stopped.is_some() {
            self.stop.store(true, Ordering::Release);
        }
        (doing.into_done(part, from_counts), stopped)
    }

    /// `n` more instances passed: reports the multiple of `every` (or the
    /// total) that this crosses, if it is newer than the last one reported.
    fn progress(&self, n: u64) {
        if n == 0 {
            return;
        }
        let before = self.passed.fetch_add(n, Ordering::AcqRel);
        let after = before + n;
        let at = if after == self.total {
            after
        } else if after / self.every > before / self.every {
            after / self.every * self.every
        } else {
            return;
        };
        let mut reported = self.reported.lock().unwrap_or_else(|e| e.into_inner());
        if at > *reported {
            *reported = at;
            self.rt.events.emit(EventKind::ConversionProgress {
                class: self.state.name.into(),
                converted: at,
                total: self.total,
            });
        }
    }
}
