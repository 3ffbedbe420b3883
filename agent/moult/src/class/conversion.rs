//! The predefined conversion updates (Pymoult's `EagerConversionUpdate` and
//! `LazyConversionUpdate`): one update type, parameterised by *when*
//! instances convert.

use std::marker::PhantomData;
use std::time::Duration;

use super::AsClass;
use super::record::ClassRef;
use super::transform::{CtorFn, Transform, guard_transformer};
use std::sync::Arc;

use super::record::ClassCore;
use crate::boundary::guard;
use crate::update::history::{Change, RevertStep};
use crate::update::{Revertible, Update, UpdateContext, UpdateError};

/// When a conversion update converts the instances of its class: [`Eager`]
/// or [`Lazy`] (sealed: the two are all there is).
pub trait Strategy: sealed::Run + 'static {
    /// Appended to the default update name `convert <class>`.
    const SUFFIX: &'static str;
}

// Sealed: `Run` lives in a private module, so no code outside this crate can
// name it, implement it or call `run` — its crate-private argument types never
// leak, whatever the lint's reachability analysis says.
#[allow(private_interfaces)]
mod sealed {
    use super::*;

    /// The crate-private half of [`Strategy`](super::Strategy).
    pub trait Run {
        /// Installs the conversion on `class` within the update's `ctx`,
        /// waiting at most `wait` for any one instance's lock.
        fn run<T: ?Sized + Send + Sync + 'static, A: 'static>(
            class: ClassRef<T, A>,
            ctx: &mut UpdateContext,
            ctor: CtorFn<T, A>,
            transform: Transform<T>,
            wait: Duration,
        ) -> Result<(), UpdateError>;
    }
}

/// Every live instance converts during the update
/// (see [`UpdateContext::convert_eager`]).
pub struct Eager;

/// Apply is O(1); each instance converts on its next access
/// (see [`UpdateContext::convert_lazy`]).
pub struct Lazy;

impl Strategy for Eager {
    const SUFFIX: &'static str = "";
}

#[allow(private_interfaces)]
impl sealed::Run for Eager {
    fn run<T: ?Sized + Send + Sync + 'static, A: 'static>(
        class: ClassRef<T, A>,
        ctx: &mut UpdateContext,
        ctor: CtorFn<T, A>,
        transform: Transform<T>,
        wait: Duration,
    ) -> Result<(), UpdateError> {
        class
            .core
            .convert_eager(ctx, ctor, transform, wait)
            .map(|_| ())
    }
}

impl Strategy for Lazy {
    const SUFFIX: &'static str = " (lazy)";
}

#[allow(private_interfaces)]
impl sealed::Run for Lazy {
    fn run<T: ?Sized + Send + Sync + 'static, A: 'static>(
        class: ClassRef<T, A>,
        ctx: &mut UpdateContext,
        ctor: CtorFn<T, A>,
        transform: Transform<T>,
        _wait: Duration,
    ) -> Result<(), UpdateError> {
        let version = class.core.convert_lazy(ctx, ctor, transform);
        ctx.log(format!(
            "class `{}`: lazy conversion to version {version} installed; instances convert on access",
            class.name()
        ));
        Ok(())
    }
}

/// A conversion update: every instance of a class becomes `transformer(old)`
/// (now or on access, per `S`), and `new_ctor` becomes the constructor of
/// record. Named `convert <class>` (plus ` (lazy)`) unless renamed.
///
/// # Deadlocks
/// None that moult can cause, but bounded waits that fail the update:
/// - [`Eager`]: each instance's lock is waited for at most the update's
///   alterability budget, `max_tries × sleep_time` (1 s unless set with
///   [`Conversion::tries`]); a thread holding a guard on an instance while
///   it waits for this update (parked at an update point, at a closed entry
///   gate) makes the conversion roll back and fail, naming the instance and
///   the probable holder. See [`UpdateContext::convert_eager`] for what a
///   transformer must not do.
/// - [`Lazy`]: instances convert on access; see [`Tracked::read`](super::Tracked::read)'s
///   `# Deadlocks` and `# Panics`.
pub struct Conversion<T: ?Sized + 'static, A: 'static, S> {
    name: String,
    /// Alterability attempts, and also (times `sleep`) how long an eager
    /// conversion waits for one instance's lock: the update's own budget.
    tries: u32,
    /// Pause between alterability attempts.
    sleep: Duration,
    class: Box<dyn AsClass<T, A>>,
    ctor: CtorFn<T, A>,
    /// Wrapped at construction, in the caller's copy of moult and std.
    transform: Transform<T>,
    /// The way back, if the update can be reverted (see [`Conversion::down`]).
    down: Option<Transform<T>>,
    /// Concrete type of the new version, declared for the console.
    new_type: Option<(std::any::TypeId, &'static str)>,
    _strategy: PhantomData<fn() -> S>,
}

/// Pymoult's `EagerConversionUpdate`.
pub type EagerConversion<T, A = ()> = Conversion<T, A, Eager>;

/// Pymoult's `LazyConversionUpdate` ("progressive" data access).
pub type LazyConversion<T, A = ()> = Conversion<T, A, Lazy>;

impl<T: ?Sized + Send + Sync + 'static, A: 'static, S: Strategy> Conversion<T, A, S> {
    /// Converts every instance of `class` with `transformer`; `new_ctor`
    /// becomes the constructor of record.
    pub fn new(
        class: impl AsClass<T, A>,
        new_ctor: fn(A) -> Box<T>,
        transformer: impl Fn(&T) -> Box<T> + Send + Sync + 'static,
    ) -> Self {
        Conversion {
            name: format!("convert {}{}", class.class_name(), S::SUFFIX),
            class: Box::new(class),
            ctor: CtorFn::new(new_ctor),
            transform: guard_transformer(transformer),
            down: None,
            new_type: None,
            tries: 20,
            sleep: Duration::from_millis(50),
            _strategy: PhantomData,
        }
    }

    /// Alterability attempts and the pause between them (20 × 50 ms unless
    /// set); their product is also how long an eager conversion waits for
    /// one instance's lock before it rolls back and fails.
    pub fn tries(mut self, max_tries: u32, sleep: Duration) -> Self {
        self.tries = max_tries.max(1);
        self.sleep = sleep;
        self
    }

    /// Renames the update (names are what `is_applied` looks for).
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Makes the update revertible: `down` turns a value of the new version
    /// back into one of the version before (Erlang's `code_change({down,
    /// Vsn}, ...)`). A revert converts every instance with it, eagerly (a
    /// lazy conversion's instances still pending are brought up first), and
    /// puts the previous constructor of record back. Without it, a revert
    /// is refused, naming the class.
    pub fn down(mut self, down: impl Fn(&T) -> Box<T> + Send + Sync + 'static) -> Self {
        self.down = Some(guard_transformer(down));
        self
    }

    /// Declares `U` as the new version's concrete type (shown by the console).
    pub fn version_type<U: 'static>(mut self) -> Self {
        self.new_type = Some((std::any::TypeId::of::<U>(), std::any::type_name::<U>()));
        self
    }
}

impl<T: ?Sized + Send + Sync + 'static, A: 'static, S: Strategy> Update for Conversion<T, A, S> {
    fn name(&self) -> &str {
        &self.name
    }
    fn max_tries(&self) -> u32 {
        self.tries
    }
    fn sleep_time(&self) -> Duration {
        self.sleep
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        let class = self.class.resolve()?;
        if let Some((id, name)) = self.new_type {
            class.core.state.name_type(id, name);
        }
        let wait = self.sleep.saturating_mul(self.tries);
        let before = class.core.current_ctor();
        S::run(class, ctx, self.ctor, self.transform.clone(), wait)?;
        ctx.record_change(Change::Class(Arc::new(ClassRevert {
            core: class.core,
            before,
            after: self.ctor,
            up: self.transform.clone(),
            down: self.down.clone(),
            wait,
        })));
        Ok(())
    }
    fn revertible(&self) -> Revertible {
        match self.down {
            Some(_) => Revertible::Recorded,
            None => Revertible::No(format!(
                "class `{}`: its conversion has no down transformer (give one with `.down(...)`)",
                self.class.class_name()
            )),
        }
    }
}

/// A conversion, as a revert undoes it: every instance back through `down`,
/// the constructor of record back to `before`. Built by the copy of moult
/// that ran the conversion, which also runs the revert under its own panic
/// catch.
struct ClassRevert<T: ?Sized + 'static, A: 'static> {
    core: &'static ClassCore<T, A>,
    before: CtorFn<T, A>,
    after: CtorFn<T, A>,
    up: Transform<T>,
    down: Option<Transform<T>>,
    wait: Duration,
}

impl<T: ?Sized + Send + Sync + 'static, A: 'static> RevertStep for ClassRevert<T, A> {
    fn describe(&self) -> String {
        format!("class `{}`", self.core.state.name)
    }
    fn class(&self) -> &str {
        self.core.state.name
    }
    fn refusal(&self) -> Option<String> {
        self.down.is_none().then(|| {
            format!(
                "class `{}`: its conversion has no down transformer (give one with `.down(...)`)",
                self.core.state.name
            )
        })
    }
    fn revert(&self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        let Some(down) = self.down.clone() else {
            return Err(UpdateError::Failed(self.refusal().unwrap_or_default()));
        };
        guard(|| -> Result<(), UpdateError> {
            self.core.convert_eager(ctx, self.before, down, self.wait)?;
            // Reverting the revert converts up again.
            ctx.record_change(Change::Class(Arc::new(ClassRevert {
                core: self.core,
                before: self.after,
                after: self.before,
                up: self.down.clone().expect("checked above"),
                down: Some(self.up.clone()),
                wait: self.wait,
            })));
            Ok(())
        })
        .unwrap_or_else(|m| Err(UpdateError::Panicked(format!("{}: {m}", self.describe()))))
    }
}
