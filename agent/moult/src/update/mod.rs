//! Updates: Pymoult's lifecycle as a trait, the context updates act through,
//! the managers that run them, and the predefined function updates.
//!
//! The manager runs, for each update:
//! requirements → preupdate setup → wait alterability (retrying
//! `check_alterability` up to `max_tries`, `sleep_time` apart at most, woken
//! early by what the check waits for: see `retry.rs`) → pause hook →
//! apply → preresume setup → *resume* (every hold released) → resume hook →
//! wait over → cleanup. Everything `apply` does through the [`UpdateContext`]
//! is recorded and undone if it fails or panics.

mod context;
mod control;
#[cfg(test)]
mod foreign_gate_tests;
mod functions;
pub(crate) mod history;
mod lifecycle;
pub(crate) mod manager;
mod redefine;
mod retry;
mod revert;
mod turn;
pub(crate) mod watch;

pub use context::{Hold, Undo, UpdateContext};
pub use manager::PolledManager;
pub use redefine::{ImmediateRedefine, SafeRedefine};
pub use revert::Revert;
pub use watch::Watch;

use std::time::Duration;

use moult_protocol::Blocker;

/// Identifies an update in the manager (and in events and the journal).
pub type UpdateId = u64;

/// Answer of `check_requirements` (Pymoult: "yes" / "no" / "never").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirements {
    /// Go ahead.
    Yes,
    /// Not now: postpone and try again later.
    No(String),
    /// Never: abort.
    Never(String),
}

/// Result of one (or the last) alterability attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Alterability {
    /// The app is in a state where the update may apply.
    Ready,
    /// Not yet; what stands in the way.
    Blocked(Vec<Blocker>),
}

impl Alterability {
    /// `Ready` when nothing blocks, `Blocked(blockers)` otherwise: what every
    /// check built from blockers (quiescence, parked threads) answers.
    pub fn from_blockers(blockers: Vec<Blocker>) -> Alterability {
        if blockers.is_empty() {
            Alterability::Ready
        } else {
            Alterability::Blocked(blockers)
        }
    }
}

/// Why a lifecycle hook failed.
/// Whether an applied update can be reverted (see [`Update::revertible`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revertible {
    /// Yes: by replaying backwards what it changed through its context
    /// (function versions, DSU threads' mains, conversions that have a down
    /// transformer).
    Recorded,
    /// No, and why (shown when a revert is refused).
    No(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError {
    /// The hook panicked; the payload's message.
    #[error("panicked: {0}")]
    Panicked(String),
    /// The hook returned an error.
    #[error("{0}")]
    Failed(String),
    /// An agent operation was refused (unknown name, signature mismatch...).
    #[error(transparent)]
    Agent(#[from] crate::Error),
}

/// Which threads an alterability criterion looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ThreadFilter {
    /// Every thread of the process (the default).
    #[default]
    All,
    /// Only these thread names (DSU thread names, or OS thread names).
    Named(Vec<String>),
}

impl ThreadFilter {
    /// `true` if a thread of that name is selected.
    pub fn matches(&self, name: &str) -> bool {
        match self {
            ThreadFilter::All => true,
            ThreadFilter::Named(names) => names.iter().any(|n| n == name),
        }
    }
}

/// A dynamic update: Pymoult's `Update` class, with its hooks as default methods.
///
/// Only [`Update::name`] and [`Update::apply`] are required. Hooks receive the
/// [`UpdateContext`], through which every change is made (and recorded for
/// rollback) and every hold (closed gate, parked thread) is taken (and
/// released at resume, or on failure).
pub trait Update: Send + 'static {
    /// Unique name, used by `is_applied` requirements and shown everywhere.
    fn name(&self) -> &str;

    /// Alterability attempts before the update is postponed.
    fn max_tries(&self) -> u32 {
        20
    }

    /// Pause between alterability attempts.
    fn sleep_time(&self) -> Duration {
        Duration::from_millis(50)
    }

    /// Can the update run at all now? (Pymoult `check_requirements`.)
    fn check_requirements(&mut self, _ctx: &mut UpdateContext) -> Requirements {
        Requirements::Yes
    }

    /// Preparation before alterability is sought (e.g. ask threads to park).
    fn preupdate_setup(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        Ok(())
    }

    /// One alterability attempt.
    fn check_alterability(&mut self, _ctx: &mut UpdateContext) -> Alterability {
        Alterability::Ready
    }

    /// Waits for alterability: by default retries [`Update::check_alterability`]
    /// `max_tries` times, `sleep_time` apart, reporting each attempt.
    fn wait_alterability(&mut self, ctx: &mut UpdateContext) -> Result<Alterability, UpdateError> {
        let (tries, sleep) = (self.max_tries(), self.sleep_time());
        Ok(ctx.retry(tries, sleep, |ctx| self.check_alterability(ctx)))
    }

    /// Undo what setup did when alterability was not reached (holds are
    /// released by the manager afterwards).
    fn clean_failed_alterability(&mut self, _ctx: &mut UpdateContext) {}

    /// Called once alterability is reached, before `apply`.
    fn pause_hook(&mut self, _ctx: &mut UpdateContext) {}

    /// The update itself. An error or a panic rolls back what it did.
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError>;

    /// After `apply`, before the app resumes. An error rolls back.
    fn preresume_setup(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        Ok(())
    }

    /// Called after the app resumed.
    fn resume_hook(&mut self, _ctx: &mut UpdateContext) {}

    /// Is the update over (e.g. old activations finished)?
    fn check_over(&mut self, _ctx: &mut UpdateContext) -> bool {
        true
    }

    /// Waits until [`Update::check_over`]: by default checks it `max_tries`
    /// times, `sleep_time` apart at most, checking again at once when
    /// something it may wait for happens (as [`UpdateContext::retry`]).
    fn wait_over(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        let (tries, sleep) = (self.max_tries().max(1), self.sleep_time());
        if ctx.wait_until(tries, sleep, |ctx| self.check_over(ctx)) {
            return Ok(());
        }
        Err(UpdateError::Failed(format!(
            "not over after {tries} checks"
        )))
    }

    /// Last step, after the update is over.
    fn cleanup(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        Ok(())
    }

    /// Whether it can be reverted once applied (`moult-console revert`, or
    /// a watch). The predefined updates say [`Revertible::Recorded`]; a
    /// custom update says so too when everything it changes goes through
    /// its context (redefinitions, mains, conversions with a down
    /// transformer). By default: not revertible, as moult cannot know what
    /// else it did.
    fn revertible(&self) -> Revertible {
        Revertible::No(format!(
            "`{}` does not say it can be reverted (implement `Update::revertible`)",
            self.name()
        ))
    }

    /// A watch to keep after it applied unless the apply request names one:
    /// if its new versions panic more than allowed within the window, it is
    /// reverted at once.
    fn watch(&self) -> Option<Watch> {
        None
    }
}
