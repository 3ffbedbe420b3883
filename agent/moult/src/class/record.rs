//! The registered record of one class (in the app's heap, leaked: classes live
//! as long as the process), and [`ClassRef`], the handle updates act on.

use std::any::{Any, TypeId};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use moult_protocol::{ClassInfo, EventKind, VersionCount};

use super::inst::Inst;
use super::lazy::LazyStep;
use super::meta::Meta;
use super::pin::Pins;
use super::population::Population;
use super::stale::EagerStep;
use super::tracked::Tracked;
use super::transform::{CallCtor, CtorFn};

/// Everything about a class that does not depend on its constructor's
/// argument type: what instances point to.
pub(crate) struct ClassState<T: ?Sized + 'static> {
    /// Module path + name.
    pub(crate) name: &'static str,
    /// Instances whose version is below this have a lazy conversion to make:
    /// the one word the access fast path compares with (0: nothing pending).
    pub(crate) lazy_top: AtomicU32,
    /// Version of the constructor of record (mirrors the installed `Ctor`).
    pub(crate) record: AtomicU32,
    /// Versions and type names.
    meta: Mutex<Meta>,
    /// Live instances (in chunks) and their counts per version.
    pub(crate) population: Population<T>,
    /// App threads must fence in their half of the pairings with the
    /// updater's heavy barrier (a creation before it checks `eager_epoch`,
    /// see `stale.rs`; a last-handle drop before it checks `pins`, see
    /// `pin.rs`): the kernel runs no process-wide barrier for the updater.
    app_fence: bool,
    /// Eager conversions holding on to instances without counts (`pin.rs`).
    pub(crate) pins: Pins<T>,
    /// Lazy conversions not withdrawn, oldest first (targets increase).
    pub(crate) steps: RwLock<Vec<Arc<LazyStep<T>>>>,
    /// Upcast of a value to `&dyn Any` (its concrete `TypeId`, heap traversal).
    pub(crate) as_any: fn(&T) -> &(dyn Any + 'static),
    /// Serialises whole-class conversions (eager, trigger-now) with each other.
    pub(crate) converting: Mutex<()>,
    /// Eager conversions in the order they started (their epochs
    /// increase): what a creation that loaded an older constructor of record
    /// must still go through (see `stale.rs`).
    pub(crate) eager: RwLock<Vec<Arc<EagerStep<T>>>>,
    /// Generation of the newest eager conversion (0: none yet); a creation
    /// compares it with its constructor's once its instance is published.
    pub(crate) eager_epoch: AtomicU32,
    /// How long an access waits for the lock it needs to make a pending
    /// lazy conversion, in milliseconds (see [`Tracked::read`]).
    pub(crate) access_wait_ms: AtomicU32,
    /// How many threads an eager conversion of this class spreads its
    /// instances over (0: one per core, for populations big enough to pay
    /// for the threads); see [`ClassRef::set_conversion_workers`]. In the
    /// class, not a static: an update library's copy of moult runs the
    /// conversions of the app's classes (docs/ARCHITECTURE.md, fact 1).
    pub(crate) workers: AtomicU32,
    /// Bit `v` set: version `v`'s type is learnt (a hint for versions below
    /// 64 that spares conversions the versions' lock for every instance).
    learnt: AtomicU64,
    /// The last version whose type was learnt, plus 1 (0: none): the same
    /// hint for the versions past 63 (an eager conversion's target).
    learnt_last: AtomicU32,
}

impl<T: ?Sized + 'static> ClassState<T> {
    /// An app thread's half of a Dekker pairing with the updater's heavy
    /// barrier (`fence.rs`): a full fence only where the kernel gives the
    /// updater no process-wide one.
    #[inline(always)]
    pub(crate) fn app_barrier(&self) {
        if self.app_fence {
            std::sync::atomic::fence(Ordering::SeqCst);
        } else {
            std::sync::atomic::compiler_fence(Ordering::SeqCst);
        }
    }

    /// The versions' lock (never held while user code runs).
    pub(crate) fn lock(&self) -> MutexGuard<'_, Meta> {
        self.meta.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers `value` as a new instance: built by a constructor of record
    /// (its version, whether that version's type is learnt yet, and its
    /// eager epoch), or of the version its concrete type says (`None`:
    /// adopted with [`Class::track`](super::Class::track)).
    pub(crate) fn adopt(
        &'static self,
        value: Box<T>,
        version: Option<(u32, &AtomicBool, u32)>,
    ) -> Tracked<T> {
        let type_id = || (self.as_any)(&*value).type_id();
        let (version, warn, epoch) = match version {
            Some((v, learnt, epoch)) => {
                // Trusted (the constructor of record's); its type learnt once.
                if !learnt.load(Ordering::Acquire) {
                    let mut meta = self.lock();
                    if meta.unlearnt(v) {
                        meta.learn(v, type_id());
                    }
                    learnt.store(true, Ordering::Release);
                }
                (v, None, Some(epoch))
            }
            None => {
                let t = type_id();
                let mut meta = self.lock();
                let (v, warn) = self.version_of_type(&mut meta, t);
                meta.learn(v, t);
                (v, warn.then_some(t), None)
            }
        };
        let inst = self.population.publish(self, value, version);
        if let Some(epoch) = epoch {
            return self.register_created(inst, epoch);
        }
        if let Some(t) = warn {
            self.warn_new_version(t, version);
        }
        Tracked(inst)
    }

    /// How long an access waits for a lock to make a pending lazy conversion.
    pub(crate) fn access_wait(&self) -> Duration {
        Duration::from_millis(self.access_wait_ms.load(Ordering::Relaxed).into())
    }

    /// The version values of type `type_id` belong to: the newest version
    /// of that type; else the constructor of record's if its type is not
    /// known yet; else a new version (`true`: the caller warns).
    fn version_of_type(&self, meta: &mut Meta, type_id: TypeId) -> (u32, bool) {
        if let Some(v) = meta.version_of_type(type_id) {
            return (v, false);
        }
        let record = self.record.load(Ordering::Acquire);
        if meta.unlearnt(record) {
            (record, false)
        } else {
            (meta.push_version(Some(type_id)), true)
        }
    }

    fn warn_new_version(&self, type_id: TypeId, version: u32) {
        crate::runtime().events.emit(EventKind::Log {
            level: "warn".into(),
            message: format!(
                "class `{}`: a value of a concrete type it never saw ({type_id:?}) was tracked; \
                 it is counted as a new version {version}. Build instances with the class's `create` \
                 (the constructor of record), or declare the type in the update that introduces it",
                self.name
            ),
        });
    }

    /// Re-files `inst`, whose value (under its write lock) was replaced by
    /// `value`, under the version `value`'s concrete type belongs to.
    pub(crate) fn retype(&self, inst: &Inst<T>, value: &T) {
        let type_id = (self.as_any)(value).type_id();
        let mut meta = self.lock();
        let (to, warn) = self.version_of_type(&mut meta, type_id);
        meta.learn(to, type_id);
        self.move_to(inst, to);
        drop(meta);
        if warn {
            self.warn_new_version(type_id, to);
        }
    }

    /// Moves `inst` (whose value, under its write lock, is now `value`) to
    /// version `to`, keeping live counts exact.
    pub(crate) fn set_version(&self, inst: &Inst<T>, to: u32, value: &T) {
        self.learn(to, value);
        self.move_to(inst, to);
    }

    /// Records that `to`'s values have `value`'s type, unless `to`'s type
    /// is learnt already (the first type learnt wins): then without the
    /// versions' lock.
    #[inline]
    pub(crate) fn learn(&self, to: u32, value: &T) {
        let bit = 1u64.checked_shl(to).unwrap_or(0);
        if self.learnt.load(Ordering::Acquire) & bit != 0
            || self.learnt_last.load(Ordering::Acquire) == to.wrapping_add(1)
        {
            return;
        }
        self.learn_slow(to, bit, value);
    }

    /// [`learn`](Self::learn) when `to`'s type is not known yet: under the
    /// versions' lock.
    #[cold]
    #[inline(never)]
    fn learn_slow(&self, to: u32, bit: u64, value: &T) {
        let type_id = (self.as_any)(value).type_id();
        let mut meta = self.lock();
        meta.learn(to, type_id);
        self.learnt.fetch_or(bit, Ordering::Release);
        self.learnt_last
            .store(to.wrapping_add(1), Ordering::Release);
    }

    /// Moves `inst` to version `to`: the count (in the calling thread's
    /// share), then its `version` field (the caller holds its value's write
    /// lock, which every mover takes; see `Inst::version`).
    fn move_to(&self, inst: &Inst<T>, to: u32) {
        let from = inst.version.load(Ordering::Acquire);
        if from != to {
            self.population.moved(from, to);
        }
        inst.version.store(to, Ordering::Release);
    }

    /// Adds a version with no instance yet.
    pub(crate) fn new_version(&self) -> u32 {
        self.lock().push_version(None)
    }

    /// Every live instance now (Pymoult's `DataAccessor(cls, "immediate")`).
    pub(crate) fn instances(&'static self) -> Vec<Tracked<T>> {
        self.population
            .upgrade_all()
            .into_iter()
            .map(Tracked)
            .collect()
    }

    /// Live instances, all versions.
    pub(crate) fn live_total(&self) -> u64 {
        let versions = self.lock().len();
        self.population.live_between(0, versions)
    }

    /// Names a concrete type for the console.
    pub(crate) fn name_type(&self, type_id: TypeId, name: &'static str) {
        self.lock().name_type(type_id, name);
    }

    /// What the console shows.
    pub(crate) fn info(&self) -> ClassInfo {
        let steps: Vec<(u32, u32, bool)> = self
            .steps
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|s| (s.from, s.target, s.is_active()))
            .collect();
        let meta = self.lock();
        let mut pending = 0;
        let versions = (0..meta.len())
            .map(|v| {
                let live = self.population.live(v);
                // Pending: the step covering this version can still run.
                if let Some(&(_, _, true)) =
                    super::lazy::covering(&steps, v, |&(from, to, _)| (from, to))
                {
                    pending += live;
                }
                VersionCount {
                    version: v,
                    type_name: meta.type_name(v),
                    live,
                }
            })
            .collect();
        ClassInfo {
            name: self.name.into(),
            version: self.record.load(Ordering::Acquire),
            versions,
            pending_lazy: pending,
        }
    }
}

/// A constructor of record: leaked so that `create` reads it with one load.
struct Ctor<T: ?Sized + 'static, A: 'static> {
    f: fn(A) -> Box<T>,
    call: CallCtor<T, A>,
    /// Version its values belong to.
    version: u32,
    /// Whether that version's concrete type is known yet (spares `create`
    /// the versions' lock once it is).
    learnt: AtomicBool,
    /// The class's eager epoch when this constructor became the one of
    /// record: eager conversions of a later epoch started after it was
    /// current, so its values may have missed them (see `stale.rs`).
    epoch: AtomicU32,
}

/// The registered record of a class.
pub struct ClassCore<T: ?Sized + 'static, A: 'static> {
    /// Everything instances share.
    pub(crate) state: ClassState<T>,
    /// Current constructor of record (leaked; old ones stay valid for rollback).
    ctor: AtomicPtr<Ctor<T, A>>,
}

impl<T: ?Sized + Send + Sync + 'static, A: 'static> ClassCore<T, A> {
    /// A record for a class first seen through `class`.
    pub(crate) fn new(class: &super::Class<T, A>) -> Self {
        let v0 = class.v0_type.map(|(id, name)| (id(), name()));
        ClassCore {
            state: ClassState {
                name: class.name,
                lazy_top: AtomicU32::new(0),
                record: AtomicU32::new(0),
                meta: Mutex::new(Meta::new(v0)),
                population: Population::new(),
                app_fence: crate::runtime().fence.callers_need_fence(),
                pins: Pins::new(),
                steps: RwLock::new(Vec::new()),
                as_any: class.as_any,
                converting: Mutex::new(()),
                eager: RwLock::new(Vec::new()),
                eager_epoch: AtomicU32::new(0),
                access_wait_ms: AtomicU32::new(super::ACCESS_WAIT.as_millis() as u32),
                learnt: AtomicU64::new(0),
                learnt_last: AtomicU32::new(0),
                workers: AtomicU32::new(0),
            },
            ctor: AtomicPtr::new(Box::into_raw(Box::new(Ctor {
                f: class.ctor,
                call: class.call,
                version: 0,
                learnt: AtomicBool::new(false),
                epoch: AtomicU32::new(0),
            }))),
        }
    }

    /// Builds an instance with the constructor of record. If an eager
    /// conversion starts while the constructor runs, the instance is brought
    /// through it before it is registered (see `stale.rs`): none is missed.
    pub(crate) fn create(&'static self, args: A) -> Tracked<T> {
        // SAFETY: ctor pointers are leaked boxes, never freed.
        let ctor = unsafe { &*self.ctor.load(Ordering::Acquire) };
        let epoch = ctor.epoch.load(Ordering::Acquire);
        match (ctor.call)(ctor.f, args) {
            Ok(value) => self
                .state
                .adopt(value, Some((ctor.version, &ctor.learnt, epoch))),
            Err(m) => panic!(
                "the constructor of record of class `{}` (version {}) panicked: {m}",
                self.state.name, ctor.version
            ),
        }
    }

    /// The constructor of record now (what a revert puts back).
    pub(crate) fn current_ctor(&self) -> CtorFn<T, A> {
        // SAFETY: ctor pointers are leaked boxes, never freed.
        let ctor = unsafe { &*self.ctor.load(Ordering::Acquire) };
        CtorFn {
            f: ctor.f,
            call: ctor.call,
        }
    }

    /// Version of the constructor of record.
    pub(crate) fn record_version(&self) -> u32 {
        self.state.record.load(Ordering::Acquire)
    }

    /// Makes `ctor` the constructor of record, building `version`; returns
    /// the previous one (for [`ClassCore::restore_ctor`]). Call it after the
    /// eager conversion that installs it, if any, has begun (its epoch
    /// is the constructor's).
    pub(crate) fn install_ctor(&self, ctor: CtorFn<T, A>, version: u32) -> CtorToken {
        let new = Box::into_raw(Box::new(Ctor {
            f: ctor.f,
            call: ctor.call,
            version,
            learnt: AtomicBool::new(false),
            epoch: AtomicU32::new(self.state.eager_epoch.load(Ordering::Acquire)),
        }));
        let old = self.ctor.swap(new, Ordering::AcqRel);
        self.state.record.store(version, Ordering::Release);
        CtorToken(old.cast())
    }

    /// Puts back a constructor replaced by [`ClassCore::install_ctor`];
    /// returns its version.
    pub(crate) fn restore_ctor(&self, token: CtorToken) -> u32 {
        let old = token.0.cast::<Ctor<T, A>>().cast_mut();
        // SAFETY: a leaked box from `new` or `install_ctor`.
        let old_ref = unsafe { &*old };
        let version = old_ref.version;
        // Eager conversions since it was replaced are withdrawn or not its
        // business: its values need none of them (creations that loaded it
        // before still check, and skip the withdrawn ones).
        old_ref.epoch.store(
            self.state.eager_epoch.load(Ordering::Acquire),
            Ordering::Release,
        );
        self.ctor.store(old, Ordering::Release);
        self.state.record.store(version, Ordering::Release);
        version
    }
}

/// A replaced constructor of record, kept to restore it on rollback (a
/// pointer, not an address: Miri checks its provenance).
#[derive(Clone, Copy)]
pub(crate) struct CtorToken(*const ());

// SAFETY: it points to a leaked, never-freed `Ctor` only read through atomics
// and immutable fields; the token itself is only an identity.
unsafe impl Send for CtorToken {}
// SAFETY: as above.
unsafe impl Sync for CtorToken {}

/// A class of the app, resolved and type-checked: what updates convert.
///
/// Get one from the class static ([`Class::handle`](super::Class::handle)) or
/// by name ([`Class::by_name`](super::Class::by_name)).
pub struct ClassRef<T: ?Sized + 'static, A: 'static = ()> {
    /// The app's registered record.
    pub(crate) core: &'static ClassCore<T, A>,
}

impl<T: ?Sized + 'static, A: 'static> Clone for ClassRef<T, A> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: ?Sized + 'static, A: 'static> Copy for ClassRef<T, A> {}

impl<T: ?Sized + Send + Sync + 'static, A: 'static> ClassRef<T, A> {
    pub(crate) fn new(core: &'static ClassCore<T, A>) -> Self {
        ClassRef { core }
    }

    /// Module path + name.
    pub fn name(&self) -> &'static str {
        self.core.state.name
    }

    /// Version new instances are built with (constructor of record).
    pub fn version(&self) -> u32 {
        self.core.record_version()
    }

    /// Builds an instance with the current constructor of record.
    pub fn create(&self, args: A) -> Tracked<T> {
        self.core.create(args)
    }

    /// Every live instance now, whatever its version (Pymoult's
    /// `DataAccessor(cls, "immediate")`). Values are not converted.
    pub fn instances(&self) -> Vec<Tracked<T>> {
        self.core.state.instances()
    }

    /// Live instances, all versions.
    pub fn live(&self) -> u64 {
        self.core.state.live_total()
    }

    /// How long an access ([`Tracked::read`], [`Tracked::write`]) waits for
    /// the lock it needs to make a pending lazy conversion before it gives
    /// up (see their `# Deadlocks` sections); [`ACCESS_WAIT`](super::ACCESS_WAIT)
    /// unless set. Rounded down to milliseconds, at most `u32::MAX` ms.
    pub fn set_access_wait(&self, wait: Duration) {
        let ms = wait.as_millis().min(u32::MAX as u128) as u32;
        self.core.state.access_wait_ms.store(ms, Ordering::Relaxed);
    }

    /// How many threads an eager conversion of this class converts its
    /// instances on, the caller's included: `0` (the default) for one per
    /// core when there are enough instances to pay for the threads (4 096
    /// per thread), `1` to convert on the updater's thread alone, `n` for
    /// `n` threads whenever there are at least `n` instances. Progress
    /// events, rollback and the wait for each lock are the same either way;
    /// the transformer (which is `Sync`) then runs on several threads at once.
    pub fn set_conversion_workers(&self, workers: usize) {
        let n = workers.min(u32::MAX as usize) as u32;
        self.core.state.workers.store(n, Ordering::Relaxed);
    }

    /// Versions, live counts per version, pending lazy conversions.
    pub fn info(&self) -> ClassInfo {
        self.core.state.info()
    }

    /// Declares `U` as one of the class's concrete types, so the console
    /// shows its name for the version whose values have that type.
    pub fn declare_type<U: 'static>(&self) {
        self.core
            .state
            .name_type(TypeId::of::<U>(), std::any::type_name::<U>());
    }

    /// Converts now every instance a pending lazy conversion would convert
    /// on its next access (the console's "trigger conversion"); returns how
    /// many instances changed version. A failing transformer stops that
    /// conversion as on access (see [`LazyConversion`](super::LazyConversion)).
    pub fn convert_pending(&self) -> u64 {
        self.core.state.convert_pending()
    }
}
