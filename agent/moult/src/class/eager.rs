//! Eager conversion (Pymoult's `EagerConversionUpdate`, `DataAccessor` in
//! "immediate" mode with `updateToClass`, and `redefineClass`): every live
//! instance is converted during the update, then the class's constructor of
//! record is the new version's.
//!
//! Instances a pending lazy conversion covers are brought up first (the
//! transformer expects the constructor of record's version). Values built by
//! old code after the conversion (an old constructor or `track` of an old
//! type) stay in their old version, as in Pymoult.
//!
//! All or nothing: if the transformer panics at instance k, the k−1
//! instances already converted get their old value and version back and the
//! constructor of record is restored before the error is returned; if a later
//! step of the same update fails, the rollback does the same.

use moult_protocol::{ClassChange, EventKind};

use super::AsClass;
use super::lazy::progress_every;
use super::record::{ClassCore, ClassState, CtorToken};
use super::tracked::Tracked;
use super::transform::{CtorFn, Transform, guard_transformer};
use crate::Runtime;
use crate::update::{Undo, UpdateContext, UpdateError};

/// An instance converted by this update: its handle, old value, old version.
type Converted<T> = (Tracked<T>, Box<T>, u32);

impl<T: ?Sized + Send + Sync + 'static, A: 'static> ClassCore<T, A> {
    /// Converts every live instance to a new version (see module docs);
    /// returns the new version.
    pub(crate) fn convert_eager(
        &'static self,
        ctx: &mut UpdateContext,
        ctor: CtorFn<T, A>,
        transform: Transform<T>,
    ) -> Result<u32, UpdateError> {
        let state = &self.state;
        let _serial = state.converting.lock().unwrap_or_else(|e| e.into_inner());
        let from = self.record_version();
        let target = state.new_version();
        // New instances are built in the new version from now on, so the
        // snapshot below is every instance that needs converting.
        let token = self.install_ctor(ctor, target);
        let instances = state.instances();
        let total = instances.len() as u64;
        let every = progress_every(total);
        let mut done: Vec<Converted<T>> = Vec::with_capacity(instances.len());
        for (k, inst) in instances.iter().enumerate() {
            let mut value = inst.0.write();
            // A pending lazy conversion first: the transformer expects the
            // constructor of record's version.
            state.catch_up_locked(&inst.0, &mut value);
            let old_version = inst.0.version.load(std::sync::atomic::Ordering::Acquire);
            if old_version != target {
                match transform(&**value) {
                    Ok(new) => {
                        let old = std::mem::replace(&mut *value, new);
                        state.set_version(&inst.0, target, &**value);
                        drop(value);
                        done.push((inst.clone(), old, old_version));
                    }
                    Err(message) => {
                        drop(value);
                        let restored = restore(state, done, target);
                        let ctor_version = self.restore_ctor(token);
                        let what = format!(
                            "class `{}`: {restored} converted instances back to their previous version, \
                             constructor of record back to version {ctor_version}",
                            state.name
                        );
                        ctx.emit(EventKind::RolledBack {
                            update: ctx.update_name().into(),
                            what: what.clone(),
                        });
                        return Err(UpdateError::Failed(format!(
                            "the transformer of class `{}` panicked at instance {} of {total}: {message}; {what}",
                            state.name,
                            k + 1
                        )));
                    }
                }
            }
            let n = k as u64 + 1;
            if n.is_multiple_of(every) || n == total {
                ctx.emit(EventKind::ConversionProgress {
                    class: state.name.into(),
                    converted: n,
                    total,
                });
            }
        }
        drop(instances);
        ctx.emit(EventKind::ClassRedefined {
            class: state.name.into(),
            version: target,
            change: ClassChange::EagerConversion,
        });
        ctx.log(format!(
            "class `{}`: {} instances converted from version {from} to version {target}",
            state.name,
            done.len()
        ));
        ctx.push_undo(Box::new(EagerUndo {
            core: self,
            done,
            token,
            target,
        }));
        Ok(target)
    }
}

/// Puts old values back into instances still in `target`; returns how many.
fn restore<T: ?Sized + Send + Sync + 'static>(
    state: &ClassState<T>,
    done: Vec<Converted<T>>,
    target: u32,
) -> usize {
    let mut restored = 0;
    for (inst, old, from) in done.into_iter().rev() {
        let mut value = inst.0.write();
        if inst.0.version.load(std::sync::atomic::Ordering::Acquire) == target {
            let newer = std::mem::replace(&mut *value, old);
            state.set_version(&inst.0, from, &**value);
            drop(value);
            drop(newer);
            restored += 1;
        }
    }
    restored
}

/// Undoes a whole eager conversion. Holds the old values until the update
/// commits (then it is dropped, and they with it).
struct EagerUndo<T: ?Sized + 'static, A: 'static> {
    core: &'static ClassCore<T, A>,
    done: Vec<Converted<T>>,
    token: CtorToken,
    target: u32,
}

impl<T: ?Sized + Send + Sync + 'static, A: 'static> Undo for EagerUndo<T, A> {
    fn undo(self: Box<Self>, rt: &Runtime) -> String {
        let EagerUndo {
            core,
            done,
            token,
            target,
        } = *self;
        let restored = restore(&core.state, done, target);
        let version = core.restore_ctor(token);
        rt.events.emit(EventKind::ClassRedefined {
            class: core.state.name.into(),
            version,
            change: ClassChange::RolledBack,
        });
        format!(
            "class `{}`: {restored} instances back from version {target}, constructor of record back to version {version}",
            core.state.name
        )
    }
}

impl UpdateContext {
    /// Eager conversion of `class` (Pymoult's `EagerConversionUpdate`): every
    /// live instance becomes `transformer(old)` now, under its write lock, and
    /// `new_ctor` is the constructor of record from now on. Returns the new
    /// version.
    ///
    /// If the transformer panics, everything is restored before the error is
    /// returned; if the update fails later, the rollback restores it too.
    /// The transformer must not access the instance it converts; it may
    /// create instances of the same class.
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
        class.core.convert_eager(self, ctor, transform)
    }
}
