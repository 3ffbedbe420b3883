//! Heap traversal (Pymoult's `HeapTraversalUpdate` / `HeapWalker`): visit
//! every tracked instance of every class.

use std::any::Any;
use std::sync::atomic::Ordering;
use std::time::Instant;

use moult_protocol::EventKind;

use super::record::ClassState;
use crate::update::{Update, UpdateContext, UpdateError};

impl<T: ?Sized + Send + Sync + 'static> ClassState<T> {
    /// Calls `visit(class, version, value)` for each live instance, under its
    /// read lock (no conversion is made); returns how many were visited. An
    /// instance write-locked for [`CONVERSION_WAIT`](super::CONVERSION_WAIT)
    /// (say by a thread parked while it holds a write guard) is skipped,
    /// with a warning event: the walk never waits forever.
    pub(crate) fn visit(&'static self, visit: &mut dyn FnMut(&str, u32, &dyn Any)) -> u64 {
        let instances = self.instances();
        let mut visited = 0;
        for (k, inst) in instances.iter().enumerate() {
            let wait = super::CONVERSION_WAIT;
            let Some(value) = inst.0.value.read_until(Instant::now() + wait) else {
                let blocked =
                    super::blocked::lock_blocked(self.name, &inst.0, k, instances.len(), wait);
                crate::runtime().events.emit(EventKind::Log {
                    level: "warn".into(),
                    message: format!("heap traversal skipped {}", blocked.message),
                });
                continue;
            };
            let version = inst.0.version.load(Ordering::Acquire);
            visit(self.name, version, (self.as_any)(&**value));
            visited += 1;
        }
        visited
    }
}

impl UpdateContext {
    /// Calls `visit(class, version, value)` for every live instance of every
    /// class (see [`Runtime::visit_instances`](crate::Runtime::visit_instances));
    /// returns how many were visited. Downcast `value` to a concrete type to
    /// read it; to change instances, convert their class.
    pub fn visit_instances(&mut self, mut visit: impl FnMut(&str, u32, &dyn Any)) -> u64 {
        self.runtime().visit_instances(&mut visit)
    }
}

/// The visitor a [`HeapTraversal`] runs: `(class, version, value)`.
type Visitor = Box<dyn FnMut(&str, u32, &dyn Any) + Send>;

/// The predefined heap traversal update (Pymoult's `HeapTraversalUpdate`):
/// its `apply` runs a visitor over every tracked instance of every class.
pub struct HeapTraversal {
    name: String,
    visit: Visitor,
}

impl HeapTraversal {
    /// An update named `name` that calls `visit(class, version, value)` on
    /// every live tracked instance.
    pub fn new(
        name: impl Into<String>,
        visit: impl FnMut(&str, u32, &dyn Any) + Send + 'static,
    ) -> Self {
        HeapTraversal {
            name: name.into(),
            visit: Box::new(visit),
        }
    }
}

impl Update for HeapTraversal {
    fn name(&self) -> &str {
        &self.name
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        let n = ctx.visit_instances(&mut self.visit);
        ctx.log(format!("heap traversal: visited {n} tracked instances"));
        Ok(())
    }
}
