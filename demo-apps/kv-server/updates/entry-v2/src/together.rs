//! [`Together`]: several predefined updates applied as one, so that one
//! revert undoes them all.

use std::time::Duration;

use moult::update::Revertible;
use moult::{Alterability, Update, UpdateContext, UpdateError};

/// Runs its parts' hooks in order within one update: alterable when every
/// part is, applied part after part, revertible when every part is (a
/// revert replays all their recorded changes backwards).
pub struct Together {
    name: String,
    parts: Vec<Box<dyn Update>>,
}

impl Together {
    /// The update `name` made of `parts`.
    pub fn new(name: impl Into<String>, parts: Vec<Box<dyn Update>>) -> Together {
        Together {
            name: name.into(),
            parts,
        }
    }
}

impl Update for Together {
    fn name(&self) -> &str {
        &self.name
    }

    fn max_tries(&self) -> u32 {
        self.parts.iter().map(|p| p.max_tries()).max().unwrap_or(20)
    }

    fn sleep_time(&self) -> Duration {
        self.parts
            .iter()
            .map(|p| p.sleep_time())
            .min()
            .unwrap_or(Duration::from_millis(50))
    }

    fn check_alterability(&mut self, ctx: &mut UpdateContext) -> Alterability {
        let mut blockers = Vec::new();
        for part in &mut self.parts {
            if let Alterability::Blocked(mut b) = part.check_alterability(ctx) {
                blockers.append(&mut b);
            }
        }
        Alterability::from_blockers(blockers)
    }

    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        self.parts.iter_mut().try_for_each(|part| part.apply(ctx))
    }

    fn revertible(&self) -> Revertible {
        self.parts
            .iter()
            .map(|p| p.revertible())
            .find(|r| *r != Revertible::Recorded)
            .unwrap_or(Revertible::Recorded)
    }
}
