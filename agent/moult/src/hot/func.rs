//! Typed handles on registered hot functions, for update code.

use std::any::TypeId;
use std::marker::PhantomData;
use std::sync::atomic::Ordering;

use super::HotFnCore;
use crate::Error;

/// A hot function of the app, resolved and type-checked: what updates redefine.
///
/// Obtain one from a hot function's static (`moult::hot_fn!(path::to::f)`,
/// checked at compile time) or by name ([`Func::by_name`], checked at run
/// time against the app's signature).
pub struct Func<F> {
    pub(crate) core: &'static HotFnCore,
    _f: PhantomData<F>,
}

impl<F> Clone for Func<F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F> Copy for Func<F> {}

impl<F: Copy + 'static> Func<F> {
    pub(crate) fn from_core(core: &'static HotFnCore) -> Result<Func<F>, Error> {
        if (core.type_id)() != TypeId::of::<F>() {
            let update = std::any::type_name::<F>();
            if (core.signature)() == update {
                return Err(Error::BuiltApart {
                    item: format!("hot function `{}`", core.name),
                });
            }
            return Err(Error::SignatureMismatch {
                name: core.name.into(),
                app: (core.signature)().into(),
                update: std::any::type_name::<F>().into(),
            });
        }
        Ok(Func {
            core,
            _f: PhantomData,
        })
    }

    /// The app's hot function `name`, if its fn type is `F`.
    pub fn by_name(name: &str) -> Result<Func<F>, Error> {
        let core = crate::runtime().functions.by_name(
            name,
            TypeId::of::<F>(),
            std::any::type_name::<F>(),
        )?;
        Ok(Func {
            core,
            _f: PhantomData,
        })
    }

    /// Module path + name.
    pub fn name(&self) -> &'static str {
        self.core.name
    }

    /// The fn type, as `std::any::type_name` writes it.
    pub fn signature(&self) -> &'static str {
        (self.core.signature)()
    }

    /// Current version (0 = compiled-in).
    pub fn version(&self) -> u32 {
        crate::runtime()
            .functions
            .record(self.core)
            .version
            .load(Ordering::Acquire)
    }

    /// Publishes `new` as compiled by another copy of `std` (moult's
    /// [`STAND_IN_COPY`](crate::crossing::STAND_IN_COPY)). When `new`'s code
    /// lies outside this image (a symbol of a `dlopen`ed library), calls
    /// take the path a library version's take. For benches and tests only:
    /// no update, no quiescence, no version bump.
    #[doc(hidden)]
    pub fn install_as_library_version(&self, new: F) {
        let new = super::erase(new);
        self.core
            .versions
            .push(new, &crate::crossing::STAND_IN_COPY, 0);
        self.core.slot.store(new, Ordering::Release);
    }

    /// The version calls go to now, or `None` while the entry gate is closed.
    pub fn current(&self) -> Option<F> {
        let p = self.core.slot.load(Ordering::Acquire);
        // SAFETY: the slot only holds erased `F`s (type-checked above).
        (!p.is_null()).then(|| unsafe { super::unerase::<F>(p) })
    }
}

impl<F> std::fmt::Debug for Func<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Func({}: {})", self.core.name, (self.core.signature)())
    }
}
