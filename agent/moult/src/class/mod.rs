//! Tracked classes: instances of a trait-object type whose live values can be
//! converted to a new version, eagerly or lazily (Pymoult's `DataAccessor`,
//! `EagerConversionUpdate`, `LazyConversionUpdate`, `updateToClass`,
//! `redefineClass`, `HeapTraversalUpdate`).
//!
//! A class is a [`Class`] static whose values are `Box<T>` with `T` a trait
//! object (`dyn DataApi`): a new version brings a new concrete type
//! implementing the same trait.
//!
//! ```ignore
//! pub trait DataApi: std::any::Any + Send + Sync + std::fmt::Display {}
//! pub static DATA: moult::class::Class<dyn DataApi, i64> = moult::class::Class::new(
//!     concat!(module_path!(), "::Data"),
//!     |value| Box::new(DataV1 { value }), // constructor of record
//!     |v| v,                               // upcast to &dyn Any (trait upcasting)
//! );
//! // or: moult::class!(pub static DATA: dyn DataApi, i64 = "Data", |value| Box::new(DataV1 { value }));
//! let d = DATA.create(5);          // Tracked<dyn DataApi>, built by the current constructor
//! println!("{}", *d.read());       // converts first if a lazy conversion is pending
//! ```
//!
//! Every bit of state lives in the app's [`Runtime`](crate::Runtime) (its
//! class registry): an update library carries its own copy of every static
//! (docs/ARCHITECTURE.md, fact 1), so a `Class` static only holds its compile-time
//! description and forwards, from its first use on, to the class record the
//! app registered under its name — exactly like [`HotFn`](crate::HotFn).
//!
//! Files: [`Class`] here; the registered record in `record.rs`, versions
//! and type names in `meta.rs`, live instances in `population.rs` (they live
//! in per-class aligned chunks, `chunk.rs`; each thread takes slots and keeps
//! counts in its home, `home.rs`), instances and their reference counts in
//! `inst.rs`, the one-word lock on each value in `lock.rs`, handles in
//! `tracked.rs`, panic-safe
//! constructors and transformers in `transform.rs`, lazy steps in `lazy.rs`,
//! eager conversion in `eager.rs` (its pass over the instances, on
//! several threads, in `eager_pass.rs`, what it did in `done.rs`, its
//! count moves in `moves.rs`, its helper threads started on CPUs of their
//! own in `spread.rs`; the pin that keeps the instances it
//! converted where they are until its update ends, with no count per
//! instance, in `pin.rs`; creations racing it in `stale.rs`, its
//! rollback in `restore.rs`, the old values it drops after the app is
//! released in `afterlife.rs`, reports of a lock it could not take in
//! `blocked.rs`), the low-level API (Pymoult's
//! `DataAccessor` / `redefineClass` / `updateToClass`) in `accessor.rs`,
//! heap traversal in `traversal.rs`, the registry in `registry.rs`.

mod accessor;
mod afterlife;
mod blocked;
mod chunk;
mod conversion;
mod done;
mod eager;
mod eager_pass;
mod home;
mod inst;
mod lazy;
mod lock;
mod meta;
mod moves;
mod pace;
mod pin;
mod population;
mod record;
mod registry;
mod restore;
mod segments;
mod spread;
mod stale;
mod tracked;
mod transform;
mod traversal;

pub use conversion::{Conversion, Eager, EagerConversion, Lazy, LazyConversion, Strategy};
pub use record::ClassRef;
pub use registry::AsClass;
pub(crate) use registry::ClassRegistry;
pub use tracked::{ReadGuard, Tracked, WriteGuard};
pub use traversal::HeapTraversal;

use std::any::{Any, TypeId};
use std::sync::atomic::{AtomicPtr, Ordering};
use std::time::Duration;

use record::ClassCore;
use transform::{CallCtor, call_ctor};

/// How long an eager conversion made with
/// [`UpdateContext::convert_eager`](crate::UpdateContext::convert_eager), and
/// [`UpdateContext::update_to_class`](crate::UpdateContext::update_to_class),
/// wait for one instance's lock before they give up, roll back and fail: an
/// update's default alterability budget (20 tries × 50 ms). A
/// [`Conversion`] update uses its own budget (see [`Conversion::tries`]).
pub const CONVERSION_WAIT: Duration = Duration::from_secs(1);

/// How long an access waits, by default, for the lock it needs to make a
/// pending lazy conversion (see [`Tracked::read`]'s `# Deadlocks`); set per
/// class with [`ClassRef::set_access_wait`].
pub const ACCESS_WAIT: Duration = Duration::from_secs(5);

/// How a `const fn` names a type: its `TypeId` and its name, as functions.
type TypeOf = (fn() -> TypeId, fn() -> &'static str);

/// A tracked class: the static an app declares for each class whose instances
/// updates may convert.
///
/// `T` is the value type (a trait object such as `dyn DataApi`), `A` the
/// argument of the constructor of record. Build one with [`Class::new`] (a
/// `const fn`, so it can initialise a `static`) or the [`class!`](crate::class!)
/// macro.
pub struct Class<T: ?Sized + 'static, A: 'static = ()> {
    /// Module path + name: how updates and the console address the class.
    name: &'static str,
    /// The compiled-in constructor of record (version 0).
    ctor: fn(A) -> Box<T>,
    /// Calls `ctor` under `catch_unwind` of the copy of `std` that compiled it.
    call: CallCtor<T, A>,
    /// Upcast of a value to `&dyn Any`: how versions are told apart (by
    /// concrete `TypeId`) and how heap traversal hands values out.
    as_any: fn(&T) -> &(dyn Any + 'static),
    /// Name of version 0's concrete type, if declared with [`Class::with_type`].
    v0_type: Option<TypeOf>,
    /// The registered record: this static's own (app) or the app's (a
    /// library's duplicate); null until first use.
    resolved: AtomicPtr<ClassCore<T, A>>,
}

impl<T: ?Sized + 'static, A: 'static> Class<T, A> {
    /// A class named `name` (use `concat!(module_path!(), "::Name")`) whose
    /// constructor of record is `ctor`; `as_any` upcasts a value to `&dyn Any`
    /// (with `trait Api: Any + ...`, write `|v| v`).
    pub const fn new(
        name: &'static str,
        ctor: fn(A) -> Box<T>,
        as_any: fn(&T) -> &(dyn Any + 'static),
    ) -> Class<T, A> {
        Class {
            name,
            ctor,
            call: call_ctor::<T, A>,
            as_any,
            v0_type: None,
            resolved: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    /// Declares `U` as the concrete type of version 0, so the console shows
    /// its name (a `dyn Any` cannot tell its type's name).
    pub const fn with_type<U: 'static>(mut self) -> Class<T, A> {
        self.v0_type = Some((TypeId::of::<U>, std::any::type_name::<U>));
        self
    }

    /// Module path + name.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl<T: ?Sized + Send + Sync + 'static, A: 'static> Class<T, A> {
    /// The registered record, registering or resolving on first use.
    ///
    /// # Panics
    /// If the app registered a class of this name with other types (only
    /// possible for an update library built against another version of the
    /// app's source); use [`Class::handle`] to get the error instead.
    #[inline]
    pub(crate) fn core(&'static self) -> &'static ClassCore<T, A> {
        let p = self.resolved.load(Ordering::Acquire);
        if p.is_null() {
            match self.resolve() {
                Ok(core) => core,
                Err(e) => panic!("{e}"),
            }
        } else {
            // SAFETY: only ever set to a leaked (never freed) registered record.
            unsafe { &*p }
        }
    }

    #[cold]
    fn resolve(&'static self) -> Result<&'static ClassCore<T, A>, crate::Error> {
        let core = crate::runtime().classes.resolve_static(self)?;
        self.resolved.store(
            core as *const ClassCore<T, A> as *mut ClassCore<T, A>,
            Ordering::Release,
        );
        Ok(core)
    }

    /// A handle on the app's registered class (what updates convert), or
    /// [`Error::ClassTypeMismatch`](crate::Error::ClassTypeMismatch).
    pub fn handle(&'static self) -> Result<ClassRef<T, A>, crate::Error> {
        let p = self.resolved.load(Ordering::Acquire);
        let core = if p.is_null() {
            self.resolve()?
        } else {
            // SAFETY: as in `core`.
            unsafe { &*p }
        };
        Ok(ClassRef::new(core))
    }

    /// The app's class `name` with value type `T` and constructor argument
    /// `A`: [`Error::UnknownClass`](crate::Error::UnknownClass) or
    /// [`Error::ClassTypeMismatch`](crate::Error::ClassTypeMismatch) otherwise.
    pub fn by_name(name: &str) -> Result<ClassRef<T, A>, crate::Error> {
        crate::runtime()
            .classes
            .by_name::<T, A>(name)
            .map(ClassRef::new)
    }

    /// Builds an instance with the current constructor of record.
    ///
    /// # Panics
    /// If the constructor panics (the panic is re-raised here, in the caller's
    /// copy of `std`, even when the constructor came from an update library).
    pub fn create(&'static self, args: A) -> Tracked<T> {
        self.core().create(args)
    }

    /// Adopts a value built by app code directly. Its version is the one whose
    /// concrete type it has (the newest such); a value of a type the class
    /// never saw becomes a new version, with a warning event.
    pub fn track(&'static self, value: Box<T>) -> Tracked<T> {
        self.core().state.adopt(value, None)
    }

    /// Version new instances are built with (constructor of record).
    pub fn version(&'static self) -> u32 {
        self.core().record_version()
    }

    /// Live instances, whatever their version.
    pub fn live(&'static self) -> u64 {
        self.core().state.live_total()
    }
}

/// Declares a tracked class static (see [`Class`]):
///
/// ```ignore
/// moult::class!(pub static DATA: dyn DataApi, i64 = "Data", |value| Box::new(DataV1 { value }));
/// // naming version 0's concrete type for the console:
/// moult::class!(pub static DATA: dyn DataApi, i64 = "Data" as DataV1, |value| Box::new(DataV1 { value }));
/// ```
///
/// The class is named `module_path!() + "::" + name`, and values are upcast
/// to `&dyn Any` by trait upcasting (the trait must have `Any` as supertrait).
#[macro_export]
macro_rules! class {
    ($(#[$m:meta])* $vis:vis static $id:ident : $t:ty, $a:ty = $name:literal as $v0:ty, $ctor:expr $(,)?) => {
        $(#[$m])*
        $vis static $id: $crate::class::Class<$t, $a> =
            $crate::class::Class::<$t, $a>::new(concat!(module_path!(), "::", $name), $ctor, |v| v)
                .with_type::<$v0>();
    };
    ($(#[$m:meta])* $vis:vis static $id:ident : $t:ty, $a:ty = $name:literal, $ctor:expr $(,)?) => {
        $(#[$m])*
        $vis static $id: $crate::class::Class<$t, $a> =
            $crate::class::Class::<$t, $a>::new(concat!(module_path!(), "::", $name), $ctor, |v| v);
    };
}
