//! Eager conversion (Pymoult's `EagerConversionUpdate`, `DataAccessor` in
//! "immediate" mode with `updateToClass`, and `redefineClass`): every live
//! instance is converted during the update, then the class's constructor of
//! record is the new version's.
//!
//! Instances a pending lazy conversion covers are brought up first (the
//! transformer expects the constructor of record's version). Instances being
//! built while the conversion runs are converted too (see `stale.rs`); values
//! built by old code after it (`track` of an old type) stay in their old
//! version, as in Pymoult.
//!
//! All or nothing: if the transformer panics at instance k, or instance k's
//! lock stays held longer than the conversion's wait (a thread holding a
//! guard on it while it waits for this very update: parked at an update
//! point, or at an entry gate the update closed), the instances already
//! converted get their old value and version back and the constructor of
//! record is restored before the error is returned; if a later step of the
//! same update fails, the rollback does the same (see `restore.rs` for locks
//! held during a rollback).

use std::sync::Arc;
use std::time::Duration;

use moult_protocol::{ClassChange, EventKind};

use super::AsClass;
use super::afterlife::drop_later;
use super::done::Done;
use super::eager_pass::{Stopped, convert_all, workers};
use super::pin::PinGuard;
use super::record::{ClassCore, CtorToken};
use super::restore::{Restored, restore};
use super::segments::Segments;
use super::stale::EagerStep;
use super::transform::{CtorFn, Transform, guard_transformer};
use crate::Runtime;
use crate::update::{Undo, UpdateContext, UpdateError};

impl<T: ?Sized + Send + Sync + 'static, A: 'static> ClassCore<T, A> {
    /// Converts every live instance to a new version (see module docs),
    /// waiting at most `wait` for each instance's lock; returns the new
    /// version.
    pub(crate) fn convert_eager(
        &'static self,
        ctx: &mut UpdateContext,
        ctor: CtorFn<T, A>,
        transform: Transform<T>,
        wait: Duration,
    ) -> Result<u32, UpdateError> {
        let state = &self.state;
        let _serial = state.converting.lock().unwrap_or_else(|e| e.into_inner());
        let target = state.new_version();
        // No instance is freed from here until the update commits or rolls
        // back (`pin.rs`): the snapshot below counts none.
        let pin = PinGuard::new(state);
        // Creations that loaded the old constructor go through `step` from
        // now on; new ones are built in the new version; so the snapshot
        // below is every instance left to convert. Its heavy barrier is
        // also the pin's.
        let step = state.begin_eager(target, transform);
        let token = self.install_ctor(ctor, target);
        let mut run = EagerRun {
            core: self,
            step,
            token,
            done: Done::default(),
            release: drop_later::<Segments<Option<Box<T>>>>,
            wait,
            pin,
        };
        // The chunks are walked on as many threads as the pass will run on
        // (the live count, exact, tells how many), if each has enough to
        // walk to repay starting it.
        let live = state.live_total() as usize;
        let threads = workers(state, live).min(live / WALK_PER_THREAD).max(1);
        let instances = state.population.pinned_all_on(threads, &run.pin);
        let total = instances.len();
        let pass = convert_all(state, &run.step, ctx.runtime(), instances, wait);
        run.done = pass.done;
        match pass.stopped {
            None => {}
            Some(Stopped::Blocked(_, blocked)) => {
                ctx.emit(EventKind::Alterability {
                    update: ctx.update_name().into(),
                    id: ctx.update_id(),
                    attempt: 1,
                    max_tries: 1,
                    blockers: vec![blocked.blocker],
                });
                ctx.emit(EventKind::Log {
                    level: "error".into(),
                    message: format!("eager conversion given up: {}", blocked.message),
                });
                let what = run.fail(ctx);
                return Err(UpdateError::Failed(format!(
                    "the eager conversion of class `{}` gave up: {}; {what}",
                    state.name, blocked.message
                )));
            }
            Some(Stopped::Panicked(k, message)) => {
                let what = run.fail(ctx);
                return Err(UpdateError::Failed(format!(
                    "the transformer of class `{}` panicked at instance {} of {total}: {message}; {what}",
                    state.name,
                    k + 1
                )));
            }
        }
        if let Some(message) = run.step.failure() {
            let what = run.fail(ctx);
            return Err(UpdateError::Failed(format!(
                "the transformer of class `{}` panicked on an instance built during the conversion: \
                 {message}; {what}",
                state.name
            )));
        }
        ctx.emit(EventKind::ClassRedefined {
            class: state.name.into(),
            version: target,
            change: ClassChange::EagerConversion,
        });
        ctx.log(format!(
            "class `{}`: {} instances converted to version {target}{}",
            state.name,
            run.done.len(),
            from_versions(&run.done.from_counts)
        ));
        ctx.push_undo(Box::new(EagerUndo(Some(run))));
        Ok(target)
    }
}

/// Fewest instances per thread walking the chunks for the snapshot: a
/// thread walks about 200 000 slots a millisecond, and starting one costs about
/// 50 µs (at 10 000 instances on 2 threads, the walk split in two made the
/// conversion slower).
const WALK_PER_THREAD: usize = 32 * 1024;

/// Where converted instances came from, for the log: ` (from version 1)`,
/// or ` (49 from version 1, 1 from version 0)` when they were not all alike.
/// `from_counts` are the pass's counts per version (`Done::from_counts`,
/// kept as it converts: no second pass over a million instances while the
/// app is held).
fn from_versions(from_counts: &[(u32, u64)]) -> String {
    let mut counts: std::collections::BTreeMap<u32, u64> = std::collections::BTreeMap::new();
    for &(v, n) in from_counts {
        *counts.entry(v).or_default() += n;
    }
    match counts.len() {
        0 => String::new(),
        1 => format!(" (from version {})", counts.keys().next().expect("one")),
        _ => {
            let parts: Vec<String> = counts
                .iter()
                .rev()
                .map(|(v, n)| format!("{n} from version {v}"))
                .collect();
            format!(" ({})", parts.join(", "))
        }
    }
}

/// An eager conversion made, with what undoing it needs.
struct EagerRun<T: ?Sized + 'static, A: 'static> {
    core: &'static ClassCore<T, A>,
    /// What creations that raced the conversion go through.
    step: Arc<EagerStep<T>>,
    /// The constructor of record it replaced.
    token: CtorToken,
    /// Instances it passed, with the old values and versions of those it
    /// converted.
    done: Done<T>,
    /// Hands the old values to the helper thread on commit: a fn pointer
    /// made where `T: Send` is known (this struct's `Drop` cannot ask it).
    release: fn(&'static str, Segments<Option<Box<T>>>),
    /// How long a rollback waits for locks before it leaves the rest to a
    /// helper thread.
    wait: Duration,
    /// Keeps the instances of `done` where they are (`pin.rs`); declared
    /// last, so dropped last.
    pin: PinGuard<T>,
}

impl<T: ?Sized + Send + Sync + 'static, A: 'static> EagerRun<T, A> {
    /// Undoes the conversion: creations stop going through it, the old
    /// constructor is back, every converted instance gets its old value.
    fn roll_back(self) -> (Restored, u32) {
        let EagerRun {
            core,
            step,
            token,
            done,
            wait,
            pin,
            ..
        } = self;
        let mut done = done.into_converted();
        // Late conversions are newer: restored first.
        let late = step.withdraw().into_iter();
        done.extend(late.map(|(inst, old, from)| (pin.pin(inst), old, from)));
        let version = core.restore_ctor(token);
        let restored = restore(&core.state, done, step.target, wait, pin);
        (restored, version)
    }

    /// Rolls back within `convert_eager` and says so; returns what was done.
    fn fail(self, ctx: &UpdateContext) -> String {
        let name = self.core.state.name;
        let (restored, ctor_version) = self.roll_back();
        let what = format!(
            "class `{name}`: {} to their previous version, constructor of record back to version \
             {ctor_version}",
            restored.describe("converted instances back")
        );
        ctx.emit(EventKind::RolledBack {
            update: ctx.update_name().into(),
            what: what.clone(),
        });
        what
    }
}

/// Undoes a whole eager conversion. Holds the old values until the update
/// commits (then it is dropped, and they with it).
struct EagerUndo<T: ?Sized + 'static, A: 'static>(Option<EagerRun<T, A>>);

impl<T: ?Sized + Send + Sync + 'static, A: 'static> Undo for EagerUndo<T, A> {
    fn undo(mut self: Box<Self>, rt: &Runtime) -> String {
        let Some(run) = self.0.take() else {
            return String::new();
        };
        let (name, target) = (run.core.state.name, run.step.target);
        let (restored, version) = run.roll_back();
        rt.events.emit(EventKind::ClassRedefined {
            class: name.into(),
            version,
            change: ClassChange::RolledBack,
        });
        format!(
            "class `{name}`: {} from version {target}, constructor of record back to version {version}",
            restored.describe("instances back")
        )
    }
}

impl<T: ?Sized + 'static, A: 'static> Drop for EagerUndo<T, A> {
    fn drop(&mut self) {
        if let Some(run) = self.0.take() {
            // Committed: instances converted late no longer keep old values;
            // the conversion's own old values (and its handles) are dropped
            // once the app is released (see `afterlife.rs`).
            run.step.commit();
            (run.release)(run.core.state.name, run.done.olds);
            drop(run.done.insts); // pointers only, let go before their pin
            // Instances dropped since the conversion began are freed now,
            // so that counts are exact once the update is over.
            drop(run.pin);
        }
    }
}

impl UpdateContext {
    /// Eager conversion of `class` (Pymoult's `EagerConversionUpdate`): every
    /// live instance becomes `transformer(old)` now, under its write lock, and
    /// `new_ctor` is the constructor of record from now on. Returns the new
    /// version.
    ///
    /// If the transformer panics, or an instance's lock stays held longer
    /// than [`CONVERSION_WAIT`](super::CONVERSION_WAIT), everything is
    /// restored before the error is returned (a lock that blocked names the
    /// instance and, when moult knows it, the holding thread, also in an
    /// alterability event); if the update fails later, the rollback restores
    /// it too. Instances built while the conversion runs are converted too.
    /// Instances whose last handle is dropped between this call and the
    /// end of the update stay in memory (and in the class's live counts)
    /// until the update commits or rolls back, since a rollback puts old
    /// values back into them: an app creating and dropping many instances
    /// meanwhile holds their memory for that long.
    ///
    /// # Deadlocks
    /// The transformer runs under the converted instance's write lock: it
    /// must not access that instance (that would wait for itself until the
    /// wait ends, and fail the conversion). It may create instances of the
    /// same class, and read others; but if an app thread holds the write
    /// guard of an instance the transformer reads while it accesses the one
    /// being converted, both wait for each other (a lock-order cycle moult
    /// cannot break: the transformer's read is app code).
    pub fn convert_eager<T, A>(
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
        class
            .core
            .convert_eager(self, ctor, transform, super::CONVERSION_WAIT)
    }
}

#[cfg(test)]
mod from_versions_tests {
    use super::from_versions;

    /// Walkthrough defect 13: the log said every instance came from the
    /// constructor's version, though one was still at version 0.
    #[test]
    fn the_log_says_where_converted_instances_came_from() {
        assert_eq!(from_versions(&[(1, 2)]), " (from version 1)");
        assert_eq!(
            from_versions(&[(1, 1), (0, 1), (1, 1)]),
            " (2 from version 1, 1 from version 0)"
        );
        assert_eq!(from_versions(&[]), "");
    }
}
