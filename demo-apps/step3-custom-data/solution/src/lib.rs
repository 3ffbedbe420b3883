//! Solution of tutorial step 3, exercise 2: one hand-written update,
//! [`SumAndData`], changes `step3_custom_data::sum` and every
//! `step3_custom_data::Data` together, with the low-level pieces Pymoult's
//! `DataAccessor`, `redefineClass` and `updateToClass` became:
//! [`ClassRef::instances`](moult::class::ClassRef::instances),
//! `ctx.redefine_class` and `ctx.update_to_class`.
//!
//! `sum`'s entry gate is closed and the update waits until no call of it
//! runs; then, in one `apply`, `sum` is redefined and every live `Data`
//! converted. No old `sum` can run in between, so no version 0 `Data` is
//! built after the conversion, and [`DataV2`] needs no default origin for
//! values the old code would have built.
//!
//! Before: `fib(12) = 144`. After: `fib(12) = 144 from 89 + 55`; the console
//! shows every `Data` at version 1, none at version 0.

use std::fmt;

use moult::{Alterability, Func, ThreadFilter, Update, UpdateContext, UpdateError};
use step3_custom_data::{DATA, DataApi, Item, SumFn, next_value};

/// The origin of a `Data` converted by the update.
pub const CONVERTED_ORIGIN: &str = "the conversion";

/// The origin of a `Data` built by the class's constructor of record
/// (`DATA.create(value)`, whose argument the app fixed: a value).
pub const CREATED_ORIGIN: &str = "DATA.create";

/// Version 1 of `Data`: a value and where it comes from.
pub struct DataV2 {
    /// One element of the sequence, as before.
    pub value: u64,
    /// Where the value comes from: the two values added, or
    /// [`CONVERTED_ORIGIN`], or [`CREATED_ORIGIN`].
    pub origin: String,
}

impl DataApi for DataV2 {
    fn value(&self) -> u64 {
        self.value
    }
}

impl fmt::Display for DataV2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} from {}", self.value, self.origin)
    }
}

/// The new constructor of record (`DATA.create(value)`).
pub fn new_data(value: u64) -> Box<dyn DataApi> {
    Box::new(DataV2 {
        value,
        origin: CREATED_ORIGIN.into(),
    })
}

/// Turns a version 0 `Data` into a `DataV2` with the same value.
pub fn transformer(old: &dyn DataApi) -> Box<dyn DataApi> {
    Box::new(DataV2 {
        value: old.value(),
        origin: CONVERTED_ORIGIN.into(),
    })
}

/// The new `sum`: builds a `DataV2` whose origin is the two values added.
pub fn sum_v2(last: &Item, before_last: &Item) -> Item {
    let last = last.read().value();
    let before_last = before_last.read().value();
    DATA.track(Box::new(DataV2 {
        value: next_value(last, before_last),
        origin: format!("{before_last} + {last}"),
    }))
}

/// Redefines `sum` and converts every `Data`, in one step.
pub struct SumAndData {
    /// The app's hot function, resolved when the library is loaded.
    sum: Func<SumFn>,
}

impl Update for SumAndData {
    fn name(&self) -> &str {
        "sum and Data together"
    }

    /// Holds new callers of `sum` at its entry until the app resumes.
    fn preupdate_setup(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.close_gate(self.sum)
    }

    /// Alterable when no call of `sum` runs: none can build a `Data` now.
    fn check_alterability(&mut self, ctx: &mut UpdateContext) -> Alterability {
        Alterability::from_blockers(ctx.quiescence(self.sum, &ThreadFilter::All))
    }

    /// The new `sum`, the new version of `Data`, every instance converted.
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.redefine(self.sum, sum_v2 as SumFn);
        // `DATA` here is this library's duplicate static: it resolves to the app's class.
        let data = DATA.handle()?;
        let version = ctx.redefine_class(data, new_data)?;
        data.declare_type::<DataV2>();
        let instances = data.instances();
        for instance in &instances {
            ctx.update_to_class(instance, transformer)?;
        }
        ctx.log(format!(
            "sum redefined; {} Data converted to version {version}",
            instances.len()
        ));
        Ok(())
    }
}

/// The library's entry: one `SumAndData`.
#[moult::update_library]
fn updates() -> Result<Vec<Box<dyn Update>>, UpdateError> {
    let sum = moult::hot_fn!(step3_custom_data::sum)?;
    Ok(vec![Box::new(SumAndData { sum })])
}
