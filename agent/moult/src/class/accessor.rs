//! The low-level class API custom updates combine (Pymoult's
//! `redefineClass(module, cls, cls2)` and `updateToClass(obj, cls, cls2,
//! transformer)`; `DataAccessor(cls, "immediate")` is
//! [`ClassRef::instances`](super::ClassRef::instances)). Each change is
//! recorded for rollback.

use std::sync::atomic::Ordering;
use std::time::Instant;

use moult_protocol::{ClassChange, EventKind};

use super::AsClass;
use super::tracked::Tracked;
use super::transform::{CtorFn, guard_transformer};
use crate::Runtime;
use crate::update::{UpdateContext, UpdateError};

impl UpdateContext {
    /// Makes `new_ctor` the constructor of record of `class`, building a new
    /// version (Pymoult's `redefineClass`); returns that version. Existing
    /// instances are left as they are: convert them with
    /// [`UpdateContext::update_to_class`]. Undone if the update fails.
    pub fn redefine_class<T, A>(
        &mut self,
        class: impl AsClass<T, A>,
        new_ctor: fn(A) -> Box<T>,
    ) -> Result<u32, UpdateError>
    where
        T: ?Sized + Send + Sync + 'static,
        A: 'static,
    {
        let core = class.resolve()?.core;
        let version = core.state.new_version();
        let token = core.install_ctor(CtorFn::new(new_ctor), version);
        self.emit(EventKind::ClassRedefined {
            class: core.state.name.into(),
            version,
            change: ClassChange::Constructor,
        });
        self.on_rollback(move |rt: &Runtime| {
            let back = core.restore_ctor(token);
            rt.events.emit(EventKind::ClassRedefined {
                class: core.state.name.into(),
                version: back,
                change: ClassChange::RolledBack,
            });
            format!(
                "class `{}`: constructor of record back to version {back}",
                core.state.name
            )
        });
        Ok(version)
    }

    /// Converts one instance to its class's current version (the constructor
    /// of record's) with `transformer` (Pymoult's `updateToClass`); a pending
    /// lazy conversion is made first. Nothing happens if the instance is
    /// already in that version. A panicking transformer leaves the instance
    /// as it was and returns the error. Undone if the update fails.
    ///
    /// # Deadlocks
    /// None: the instance's lock is waited for at most
    /// [`CONVERSION_WAIT`](super::CONVERSION_WAIT), then the error names the
    /// instance (and an alterability event the probable holder). The
    /// transformer must not access the instance it converts.
    pub fn update_to_class<T>(
        &mut self,
        instance: &Tracked<T>,
        transformer: impl Fn(&T) -> Box<T> + Send + Sync + 'static,
    ) -> Result<(), UpdateError>
    where
        T: ?Sized + Send + Sync + 'static,
    {
        let transform = guard_transformer(transformer);
        let inst = &instance.0;
        let state = inst.class();
        let target = state.record.load(Ordering::Acquire);
        let wait = super::CONVERSION_WAIT;
        let Some(mut value) = inst.write_until(Instant::now() + wait) else {
            let blocked = super::blocked::lock_blocked(state.name, inst, 0, 1, wait);
            self.emit(EventKind::Alterability {
                update: self.update_name().into(),
                id: self.update_id(),
                attempt: 1,
                max_tries: 1,
                blockers: vec![blocked.blocker],
            });
            return Err(UpdateError::Failed(format!(
                "update_to_class gave up: {}; the instance keeps its version",
                blocked.message
            )));
        };
        state.catch_up_locked(inst, &mut value);
        let from = inst.version.load(Ordering::Acquire);
        if from == target {
            return Ok(());
        }
        let new = transform(&**value).map_err(|m| {
            UpdateError::Failed(format!(
                "the transformer of class `{}` panicked: {m}; the instance keeps its version {from}",
                state.name
            ))
        })?;
        let old = std::mem::replace(&mut *value, new);
        state.set_version(inst, target, &**value);
        drop(value);
        let instance = instance.clone();
        self.on_rollback(move |_rt: &Runtime| {
            let inst = &instance.0;
            let mut value = inst.write();
            if inst.version.load(Ordering::Acquire) != target {
                return format!(
                    "class `{}`: an instance changed since, left as is",
                    state.name
                );
            }
            let newer = std::mem::replace(&mut *value, old);
            state.set_version(inst, from, &**value);
            drop(value);
            drop(newer);
            format!("class `{}`: an instance back to version {from}", state.name)
        });
        Ok(())
    }
}
