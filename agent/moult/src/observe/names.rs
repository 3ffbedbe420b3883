//! The words `tracing` events use for steps, outcomes, class changes and
//! thread states: the protocol's own snake_case names (what `--json` and
//! the journal say), so a log line and the console agree.

use moult_protocol::{ClassChange, LifecycleStep, Outcome, ThreadState};

/// A lifecycle step's name (`alterability`, `apply`, …).
pub(super) fn step(step: LifecycleStep) -> &'static str {
    match step {
        LifecycleStep::Queued => "queued",
        LifecycleStep::Requirements => "requirements",
        LifecycleStep::Setup => "setup",
        LifecycleStep::Alterability => "alterability",
        LifecycleStep::Apply => "apply",
        LifecycleStep::Resume => "resume",
        LifecycleStep::Over => "over",
        LifecycleStep::Cleanup => "cleanup",
        LifecycleStep::Done => "done",
    }
}

/// An outcome's name (`applied`, `rolled_back`, …) and its reason, if any.
pub(super) fn outcome(outcome: &Outcome) -> (&'static str, &str) {
    match outcome {
        Outcome::Applied => ("applied", ""),
        Outcome::Postponed(why) => ("postponed", why),
        Outcome::Aborted(why) => ("aborted", why),
        Outcome::RolledBack(why) => ("rolled_back", why),
        Outcome::Failed(why) => ("failed", why),
    }
}

/// How a class came to its version (`eager_conversion`, …).
pub(super) fn class_change(change: ClassChange) -> &'static str {
    match change {
        ClassChange::Constructor => "constructor",
        ClassChange::EagerConversion => "eager_conversion",
        ClassChange::LazyConversion => "lazy_conversion",
        ClassChange::RolledBack => "rolled_back",
    }
}

/// A DSU thread's state (`running`, `parked`, …) and the point it is parked at.
pub(super) fn thread_state(state: &ThreadState) -> (&'static str, &str) {
    match state {
        ThreadState::Running => ("running", ""),
        ThreadState::Parked(point) => ("parked", point),
        ThreadState::Rebooting => ("rebooting", ""),
        ThreadState::Finished => ("finished", ""),
    }
}
