//! The registry of hot functions: names, ids, versions and entry gates.

use std::collections::HashMap;
use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::Duration;

use super::{HotFnCore, HotFnEntry};
use crate::Error;
use crate::thread_table::MAX_FUNCTIONS;

/// Registry-side state of one hot function (lives in the app's heap).
pub(crate) struct FnRecord {
    /// The app's core for this function.
    pub(crate) core: &'static HotFnCore,
    /// 0 = compiled-in; +1 per redefinition (−1 on rollback).
    pub(crate) version: AtomicU32,
    /// Calls counted outside thread tables (threads being torn down).
    pub(crate) untracked: AtomicU32,
    /// Callers held at the closed entry gate wait here.
    gate_lock: Mutex<()>,
    gate_open: Condvar,
    /// Update id holding the entry gate closed (0: open).
    pub(crate) gate_owner: AtomicU64,
    /// Version to publish when the gate opens (the old one, or a redefinition).
    pub(crate) gate_restore: AtomicPtr<()>,
    /// Calls and panics per version (`health.rs`).
    pub(crate) health: super::health::FnHealth,
    /// Async callers held at the closed entry gate: woken when it opens
    /// (they await instead of blocking an executor thread, `future.rs`).
    async_waiters: Mutex<Vec<std::task::Waker>>,
}

impl FnRecord {
    /// Blocks until the slot is non-null (gate open).
    ///
    /// Only app calls wait here: a call made by the update holding the gate
    /// goes through [`Self::owner_pass`] first and never waits for itself.
    ///
    /// # Panics
    /// If the caller is the update holding the gate (its call found no
    /// version to run, see [`Self::owner_pass`]): waiting would be forever.
    pub(crate) fn wait_open(&self, core: &HotFnCore) {
        if let Some(owner) = self.held_by_caller(crate::runtime()) {
            panic!(
                "update #{owner} called hot function {} at the entry gate it holds, \
                 but the gate has no version to publish",
                self.core.name
            );
        }
        let mut guard = self.gate_lock.lock().unwrap_or_else(|e| e.into_inner());
        while core.slot.load(Ordering::Acquire).is_null() {
            // The timeout only guards against a lost wake-up; the opener notifies.
            guard = self
                .gate_open
                .wait_timeout(guard, Duration::from_millis(50))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// The version a call at the closed gate runs instead of waiting, when
    /// the caller is the update holding the gate: null for anyone else.
    ///
    /// An update calling a function whose gate it closed (in a hook, or in
    /// code its hooks call) would otherwise wait for its own resume, forever.
    /// It runs the version the gate will publish (`gate_restore`): the one
    /// that was current when the gate closed, or the update's redefinition.
    /// This is sound: the gate keeps *app* callers out while the update
    /// changes things; the update is the one party that knows what state it
    /// is in, `gate_restore` holds an `F` of the slot's type (written only
    /// by the update holding the gate, on this very thread), and the call is
    /// counted like any other. The caller is identified by the OS thread
    /// running the update's hooks (`update/turn.rs`); a thread the update
    /// spawns and joins is not the update and still waits.
    #[cold]
    #[inline(never)]
    pub(crate) fn owner_pass(&self, rt: &crate::Runtime) -> *mut () {
        match self.held_by_caller(rt) {
            Some(_) => self.gate_restore.load(Ordering::Acquire),
            None => std::ptr::null_mut(),
        }
    }

    /// The update holding this gate, if it is the one running on the calling thread.
    fn held_by_caller(&self, rt: &crate::Runtime) -> Option<crate::UpdateId> {
        let owner = self.gate_owner.load(Ordering::Acquire);
        (owner != 0 && rt.manager.turn.update_on_this_thread() == Some(owner)).then_some(owner)
    }

    /// Opens the gate: publishes `ptr` and wakes every held caller.
    pub(crate) fn open_with(&self, ptr: *mut ()) {
        debug_assert!(!ptr.is_null());
        self.core.slot.store(ptr, Ordering::SeqCst);
        {
            let _g = self.gate_lock.lock().unwrap_or_else(|e| e.into_inner());
            self.gate_open.notify_all();
        }
        let waiters =
            std::mem::take(&mut *self.async_waiters.lock().unwrap_or_else(|e| e.into_inner()));
        for waker in waiters {
            waker.wake();
        }
    }

    /// Keeps `waker` to wake when the gate opens; `false` (nothing kept) if
    /// it is open already. The check is made under the waiters' lock, which
    /// [`Self::open_with`] takes after publishing, so no wake-up is lost.
    pub(crate) fn park_waker(&self, core: &HotFnCore, waker: &std::task::Waker) -> bool {
        let mut waiters = self.async_waiters.lock().unwrap_or_else(|e| e.into_inner());
        if !core.slot.load(Ordering::SeqCst).is_null() {
            return false;
        }
        if !waiters.iter().any(|w| w.will_wake(waker)) {
            waiters.push(waker.clone());
        }
        true
    }
}

/// All hot functions of the app, by name and by id.
#[derive(Default)]
pub(crate) struct FunctionRegistry {
    inner: RwLock<Inner>,
}

#[derive(Default)]
struct Inner {
    by_id: Vec<Arc<FnRecord>>,
    by_name: HashMap<&'static str, u32>,
}

impl FunctionRegistry {
    /// Registers every `#[hot]` function compiled into the program.
    pub(crate) fn register_compiled_in(&self, _rt: &crate::Runtime) {
        for entry in inventory::iter::<HotFnEntry> {
            self.resolve_static((entry.0)());
        }
    }

    /// The registered core for `core`'s name: `core` itself when first seen
    /// (the app's static), or the app's when `core` is a library's duplicate.
    ///
    /// # Panics
    /// If a function of that name is registered with another type: only
    /// possible for a library built against another version of the app's
    /// source, whose code calls the function directly.
    pub(crate) fn resolve_static(&self, core: &'static HotFnCore) -> &'static HotFnCore {
        match self.lookup(core.name, core) {
            Ok(found) => found,
            Err(Some(e)) => panic!("{e}"),
            Err(None) => self.register(core),
        }
    }

    /// Looks up `name`, checking it has `like`'s fn type. `Err(None)`: unknown.
    fn lookup(&self, name: &str, like: &HotFnCore) -> Result<&'static HotFnCore, Option<Error>> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let id = *inner.by_name.get(name).ok_or(None)?;
        let found = inner.by_id[id as usize].core;
        if (found.type_id)() != (like.type_id)() {
            return Err(Some(Error::SignatureMismatch {
                name: name.to_string(),
                app: (found.signature)().to_string(),
                update: (like.signature)().to_string(),
            }));
        }
        Ok(found)
    }

    fn register(&self, core: &'static HotFnCore) -> &'static HotFnCore {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        if let Some(&id) = inner.by_name.get(core.name) {
            return inner.by_id[id as usize].core; // raced with another registrant
        }
        let id = inner.by_id.len() as u32;
        assert!(
            id < MAX_FUNCTIONS,
            "more than {MAX_FUNCTIONS} hot functions"
        );
        let original = (core.original)();
        core.versions.set_v0(original);
        core.slot.store(original, Ordering::Release);
        core.id.store(id, Ordering::Release);
        inner.by_id.push(Arc::new(FnRecord {
            core,
            version: AtomicU32::new(0),
            untracked: AtomicU32::new(0),
            gate_lock: Mutex::new(()),
            gate_open: Condvar::new(),
            gate_owner: AtomicU64::new(0),
            gate_restore: AtomicPtr::new(std::ptr::null_mut()),
            health: Default::default(),
            async_waiters: Mutex::new(Vec::new()),
        }));
        inner.by_name.insert(core.name, id);
        core
    }

    /// The record of function `id`.
    pub(crate) fn record_by_id(&self, id: u32) -> Arc<FnRecord> {
        self.inner.read().unwrap_or_else(|e| e.into_inner()).by_id[id as usize].clone()
    }

    /// The record of a registered core.
    pub(crate) fn record(&self, core: &HotFnCore) -> Arc<FnRecord> {
        let id = core.id.load(Ordering::Acquire);
        self.inner.read().unwrap_or_else(|e| e.into_inner()).by_id[id as usize].clone()
    }

    /// Finds a function by name with the fn type `T` (`type_name` for messages).
    pub(crate) fn by_name(
        &self,
        name: &str,
        type_id: std::any::TypeId,
        signature: &'static str,
    ) -> Result<&'static HotFnCore, Error> {
        let found = self.registered(name)?;
        if (found.type_id)() != type_id {
            return Err(Error::SignatureMismatch {
                name: name.into(),
                app: (found.signature)().into(),
                update: signature.into(),
            });
        }
        Ok(found)
    }

    /// The registered core named `name`, whatever its type; an unknown name
    /// is an error listing the known ones. Unlike [`Self::resolve_static`]
    /// it never registers: an update naming a function the app does not
    /// have must be told so, not handed a slot nobody calls.
    pub(crate) fn registered(&self, name: &str) -> Result<&'static HotFnCore, Error> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let Some(&id) = inner.by_name.get(name) else {
            let mut known: Vec<&str> = inner.by_name.keys().copied().collect();
            known.sort_unstable();
            return Err(Error::UnknownFunction {
                name: name.into(),
                known: known.join(", "),
            });
        };
        Ok(inner.by_id[id as usize].core)
    }

    /// Adds `calls(id)` — an exiting thread's calls of function `id` — to
    /// each function's retired calls.
    pub(crate) fn retire(&self, calls: impl Fn(u32) -> u64) {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        for (id, record) in inner.by_id.iter().enumerate() {
            let n = calls(id as u32);
            if n > 0 {
                record.health.retire(n);
            }
        }
    }

    /// Every registered record, in id order.
    pub(crate) fn all(&self) -> Vec<Arc<FnRecord>> {
        self.inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .by_id
            .clone()
    }
}
