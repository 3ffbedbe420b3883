//! Lazy conversion (Pymoult's "progressive" access, `LazyConversionUpdate`):
//! applying it is O(1) — the class records a pending step from its current
//! version to a new one — and each instance converts on its next access.
//!
//! A step converts instances of the versions from the constructor of record's
//! at install time up to (not including) its new version: chained lazy
//! conversions apply in order; an instance of an older version (built by old
//! code after an eager conversion, say) is not the step's to convert and
//! stays as it is.
//!
//! A step's transformer that panics on an instance leaves that instance's
//! value as it was and stops the step for good (an event says so); the app
//! keeps running on the old values. Until the update that installed a step
//! commits, every instance it converts keeps its old value in the step's
//! journal, so that a rollback can put it back.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use moult_protocol::{ClassChange, EventKind};

use super::AsClass;
use super::inst::{Inst, InstRef};
use super::record::{ClassCore, ClassState, CtorToken};
use super::transform::{CtorFn, Transform, guard_transformer};
use crate::Runtime;
use crate::update::{Undo, UpdateContext, UpdateError};

const ACTIVE: u8 = 0;
const FAILED: u8 = 1;
const WITHDRAWN: u8 = 2;

/// Old values kept for rollback while the installing update is not committed,
/// with their instances (kept alive until then: an instance the app drops
/// meanwhile is freed, and stops being counted, when the update commits —
/// the price of instances without a weak count).
type Journal<T> = Vec<(InstRef<T>, Box<T>, u32)>;

/// A pending lazy conversion to version `target`.
pub(crate) struct LazyStep<T: ?Sized + 'static> {
    /// Version the transformer expects: the constructor of record's when the
    /// step was installed. Instances below it (built by old code after an
    /// eager conversion, say) are not this step's to convert.
    pub(crate) from: u32,
    /// Version instances reach through this step.
    pub(crate) target: u32,
    /// The (panic-safe) transformer.
    transform: Transform<T>,
    /// `ACTIVE`, `FAILED` (a transformer panicked: no more attempts) or
    /// `WITHDRAWN` (rolled back).
    state: AtomicU8,
    /// Instances converted so far (for progress events).
    converted: AtomicU64,
    /// Instances pending when the step was installed.
    total: u64,
    /// A progress event every this many conversions.
    every: u64,
    /// `Some` until the installing update commits (see module docs).
    journal: Mutex<Option<Journal<T>>>,
}

impl<T: ?Sized + 'static> LazyStep<T> {
    /// `true` unless failed or withdrawn.
    pub(crate) fn is_active(&self) -> bool {
        self.state.load(Ordering::Acquire) == ACTIVE
    }
}

/// The step of `steps` (`(from, target)` by `range`) that covers `version`.
///
/// Steps are pushed in the order of their versions and never overlap (a
/// step starts at the constructor of record's version, which is at least
/// every earlier surviving step's target; asserted at push), so the only
/// candidate is found by binary search. (A linear scan made every catch-up
/// and every instance of an eager conversion cost O(steps ever installed):
/// thousands of lazy conversions slowed each later update.)
pub(crate) fn covering<S>(
    steps: &[S],
    version: u32,
    range: impl Fn(&S) -> (u32, u32),
) -> Option<&S> {
    // Steps before `i` end at or below `version`; those after it start at or
    // above the end of `steps[i]`, hence above `version`.
    let i = steps.partition_point(|s| range(s).1 <= version);
    steps.get(i).filter(|s| range(s).0 <= version)
}

impl<T: ?Sized + 'static> ClassState<T> {
    /// The step an instance of `version` must go through next, if it can.
    pub(crate) fn next_step(&self, version: u32) -> Option<Arc<LazyStep<T>>> {
        let steps = self.steps.read().unwrap_or_else(|e| e.into_inner());
        let step = covering(&steps, version, |s| (s.from, s.target))?;
        step.is_active().then(|| step.clone())
    }

    /// Applies every pending step to `inst`, whose write lock `value` is;
    /// `true` if at least one applied.
    #[inline]
    pub(crate) fn catch_up_locked(&self, inst: &InstRef<T>, value: &mut Box<T>) -> bool {
        self.lazy_pending(inst) && self.catch_up_slow(inst, value)
    }

    /// `false` if `inst` has no pending lazy step for sure (the access fast
    /// path's test: no step reaches above `lazy_top`, so an instance at or
    /// above it has none to make; this spares an eager conversion the
    /// steps' lock for every instance).
    #[inline]
    pub(crate) fn lazy_pending(&self, inst: &Inst<T>) -> bool {
        inst.version.load(Ordering::Acquire) < self.lazy_top.load(Ordering::Acquire)
    }

    /// [`catch_up_locked`](Self::catch_up_locked) when a step may be
    /// pending: the steps, under their lock, one after the other.
    #[inline(never)]
    pub(crate) fn catch_up_slow(&self, inst: &InstRef<T>, value: &mut Box<T>) -> bool {
        let mut any = false;
        while let Some(step) = self.next_step(inst.version.load(Ordering::Acquire)) {
            if !self.apply_step(&step, inst, value) {
                break;
            }
            any = true;
        }
        any
    }

    fn apply_step(&self, step: &LazyStep<T>, inst: &InstRef<T>, value: &mut Box<T>) -> bool {
        let new = match (step.transform)(&**value) {
            Ok(new) => new,
            Err(message) => {
                self.fail_step(step, &message);
                return false;
            }
        };
        let mut journal = step.journal.lock().unwrap_or_else(|e| e.into_inner());
        if step.state.load(Ordering::Acquire) == WITHDRAWN {
            return false; // rolled back while we transformed: keep the old value
        }
        let from = inst.version.load(Ordering::Acquire);
        let old = std::mem::replace(value, new);
        self.set_version(inst, step.target, &**value);
        let old = match journal.as_mut() {
            Some(j) => {
                j.push((inst.clone(), old, from));
                None
            }
            None => Some(old),
        };
        drop(journal);
        drop(old); // user code: outside every moult lock
        let n = step.converted.fetch_add(1, Ordering::AcqRel) + 1;
        if n.is_multiple_of(step.every) || n == step.total {
            crate::runtime().events.emit(EventKind::ConversionProgress {
                class: self.name.into(),
                converted: n,
                total: step.total.max(n),
            });
        }
        true
    }

    fn fail_step(&self, step: &LazyStep<T>, message: &str) {
        if step
            .state
            .compare_exchange(ACTIVE, FAILED, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return;
        }
        self.recompute_lazy_top(&self.steps.read().unwrap_or_else(|e| e.into_inner()));
        crate::runtime().events.emit(EventKind::Log {
            level: "error".into(),
            message: format!(
                "class `{}`: the lazy conversion to version {} panicked on an instance: {message}; \
                 it is stopped (no further attempts): instances not converted yet keep their value \
                 and version. Fix the transformer and apply a new conversion",
                self.name, step.target
            ),
        });
    }

    /// Sets the fast-path word to the highest target still reachable.
    fn recompute_lazy_top(&self, steps: &[Arc<LazyStep<T>>]) {
        let top = steps
            .iter()
            .filter(|s| s.is_active())
            .map(|s| s.target)
            .max()
            .unwrap_or(0);
        self.lazy_top.store(top, Ordering::Release);
    }

    /// Converts now every instance a pending step would convert on access;
    /// returns how many changed version. An instance whose lock stays held
    /// for the class's access wait is left to convert on its next access (a
    /// warning event counts them): the caller may hold a guard on it.
    pub(crate) fn convert_pending(&'static self) -> u64 {
        let _serial = self.converting.lock().unwrap_or_else(|e| e.into_inner());
        let wait = self.access_wait();
        let (mut converted, mut skipped) = (0, 0u64);
        for inst in self.instances() {
            let inst = &inst.0;
            let v = inst.version.load(Ordering::Acquire);
            if v >= self.lazy_top.load(Ordering::Acquire) || self.next_step(v).is_none() {
                continue;
            }
            let Some(mut value) = inst.write_until(Instant::now() + wait) else {
                skipped += 1;
                continue;
            };
            if self.catch_up_locked(inst, &mut value) {
                converted += 1;
            }
        }
        if skipped > 0 {
            crate::runtime().events.emit(EventKind::Log {
                level: "warn".into(),
                message: format!(
                    "class `{}`: {skipped} instances stayed locked for {wait:?} each and were not \
                     converted now; they convert on their next access",
                    self.name
                ),
            });
        }
        converted
    }
}

impl<T: ?Sized + Send + Sync + 'static, A: 'static> ClassCore<T, A> {
    /// Installs a lazy step to a new version and the new constructor of
    /// record; O(1) in the number of instances. Returns the new version.
    pub(crate) fn convert_lazy(
        &'static self,
        ctx: &mut UpdateContext,
        ctor: CtorFn<T, A>,
        transform: Transform<T>,
    ) -> u32 {
        let state = &self.state;
        let from = self.record_version();
        let target = state.new_version();
        let total = state.population.live_between(from, target);
        let token = self.install_ctor(ctor, target);
        let step = Arc::new(LazyStep {
            from,
            target,
            transform,
            state: AtomicU8::new(ACTIVE),
            converted: AtomicU64::new(0),
            total,
            every: super::pace::progress_every(total),
            journal: Mutex::new(Some(Vec::new())),
        });
        {
            let mut steps = state.steps.write().unwrap_or_else(|e| e.into_inner());
            debug_assert!(
                steps
                    .last()
                    .is_none_or(|s| s.target <= from && from < target)
            );
            steps.push(step.clone());
            state.recompute_lazy_top(&steps);
        }
        ctx.emit(EventKind::ClassRedefined {
            class: state.name.into(),
            version: target,
            change: ClassChange::LazyConversion,
        });
        ctx.push_undo(Box::new(LazyUndo {
            core: self,
            step: Some(step),
            token,
        }));
        target
    }
}

/// Withdraws a lazy step on rollback; dropped unused when the update commits,
/// which ends the step's journal.
struct LazyUndo<T: ?Sized + 'static, A: 'static> {
    core: &'static ClassCore<T, A>,
    step: Option<Arc<LazyStep<T>>>,
    token: CtorToken,
}

impl<T: ?Sized + Send + Sync + 'static, A: 'static> Undo for LazyUndo<T, A> {
    fn undo(mut self: Box<Self>, _rt: &Runtime) -> String {
        let state = &self.core.state;
        let Some(step) = self.step.take() else {
            return String::new();
        };
        let entries = {
            let mut journal = step.journal.lock().unwrap_or_else(|e| e.into_inner());
            step.state.store(WITHDRAWN, Ordering::Release);
            journal.take().unwrap_or_default()
        };
        {
            let mut steps = state.steps.write().unwrap_or_else(|e| e.into_inner());
            steps.retain(|s| !Arc::ptr_eq(s, &step));
            state.recompute_lazy_top(&steps);
        }
        let mut restored = 0;
        for (inst, old, from) in entries.into_iter().rev() {
            let mut value = inst.write();
            if inst.version.load(Ordering::Acquire) == step.target {
                let newer = std::mem::replace(&mut *value, old);
                state.set_version(&inst, from, &**value);
                drop(value);
                drop(newer);
                restored += 1;
            }
        }
        let version = self.core.restore_ctor(self.token);
        crate::runtime().events.emit(EventKind::ClassRedefined {
            class: state.name.into(),
            version,
            change: ClassChange::RolledBack,
        });
        format!(
            "class `{}`: lazy conversion to version {} withdrawn, {restored} converted instances restored, constructor of record back to version {version}",
            state.name, step.target
        )
    }
}

impl<T: ?Sized + 'static, A: 'static> Drop for LazyUndo<T, A> {
    fn drop(&mut self) {
        if let Some(step) = self.step.take() {
            // Committed: converted instances no longer keep their old values.
            let journal = step
                .journal
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            drop(journal);
        }
    }
}

impl UpdateContext {
    /// Lazy conversion of `class` (Pymoult's `LazyConversionUpdate`): O(1) now;
    /// each instance becomes `transformer(old)` on its next access, and
    /// `new_ctor` is the constructor of record from now on. Returns the new
    /// version. Rolled back (converted instances restored) if the update fails.
    ///
    /// The transformer runs later, on whichever thread accesses an instance,
    /// under that instance's write lock.
    ///
    /// # Deadlocks
    /// None: accesses that convert wait a bounded time for their lock (see
    /// [`Tracked::read`](super::Tracked::read)). A transformer that accesses
    /// the instance it converts, or two transformers on two threads that
    /// each access the instance the other converts, end after the class's
    /// access wait: the inner access panics if it cannot even read (the
    /// conversion stops with an error event, as for any panicking
    /// transformer) or reads the value unconverted.
    pub fn convert_lazy<T, A>(
        &mut self,
        class: impl AsClass<T, A>,
        new_ctor: fn(A) -> Box<T>,
        transformer: impl Fn(&T) -> Box<T> + Send + Sync + 'static,
    ) -> Result<u32, UpdateError>
    where
        T: ?Sized + Send + Sync + 'static,
        A: 'static,
    {
        let class = class.resolve()?;
        // Wrapped here, in the caller's copy of moult and std.
        let (ctor, transform) = (CtorFn::new(new_ctor), guard_transformer(transformer));
        Ok(class.core.convert_lazy(self, ctor, transform))
    }
}

#[cfg(test)]
mod tests {
    use super::covering;

    /// The linear search `covering` replaces.
    fn linear(steps: &[(u32, u32)], v: u32) -> Option<&(u32, u32)> {
        steps.iter().find(|&&(from, to)| from <= v && v < to)
    }

    #[test]
    fn covering_finds_the_step_a_linear_scan_finds() {
        // Chained lazy steps, gaps left by eager conversions, a rolled-back
        // step's missing number, thousands of them.
        let mut steps = vec![(0, 1), (1, 2), (3, 4), (4, 6), (6, 7), (9, 10)];
        // Fewer under Miri, which runs this thousands of times slower.
        let (n, top) = if cfg!(miri) {
            (30, 120)
        } else {
            (3000, 10_000)
        };
        for k in 0..n {
            steps.push((10 + 3 * k, 12 + 3 * k));
        }
        for v in 0..top {
            assert_eq!(covering(&steps, v, |&r| r), linear(&steps, v), "v{v}");
        }
        assert_eq!(covering(&[], 0, |&r: &(u32, u32)| r), None);
    }
}
