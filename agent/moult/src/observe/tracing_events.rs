//! Every update event as a `tracing` event on target `moult`.
//!
//! Fields are structured, named as on the wire: `update` and `id` name the
//! update, `step` its lifecycle step, `outcome` how it ended (`reason`
//! why), `thread` and `function` what blocked an alterability attempt.
//! Levels: `warn` for what went wrong (a rollback, an abort, a failed hook,
//! a revert, a refused library, a panicking version), `info` for what
//! changed the app (queued, applied, postponed, a new version, a library
//! loaded), `debug` for the steps in between and alterability attempts.
//! `seq` is the event's number on the stream and in the journal.

use moult_protocol::{Blocker, Event, EventKind, Outcome};
use tracing::{Level, event};

/// Emits `$rest` at a level chosen at run time (a callsite's level is static).
macro_rules! event_at {
    ($level:expr, $($rest:tt)+) => {
        match $level {
            Level::ERROR => event!(target: "moult", Level::ERROR, $($rest)+),
            Level::WARN => event!(target: "moult", Level::WARN, $($rest)+),
            Level::INFO => event!(target: "moult", Level::INFO, $($rest)+),
            Level::DEBUG => event!(target: "moult", Level::DEBUG, $($rest)+),
            _ => event!(target: "moult", Level::TRACE, $($rest)+),
        }
    };
}

/// Emits `e` as a `tracing` event (nothing if no subscriber wants it).
pub(super) fn emit(e: &Event) {
    let seq = e.seq;
    match &e.kind {
        EventKind::UpdateQueued { update, id } => event!(
            target: "moult",
            Level::INFO,
            seq,
            update = update.as_str(),
            id,
            step = "queued",
            "update queued"
        ),
        EventKind::Lifecycle { update, id, step } => event!(
            target: "moult",
            Level::DEBUG,
            seq,
            update = update.as_str(),
            id,
            step = step.name(),
            "update step"
        ),
        EventKind::Alterability {
            update,
            id,
            attempt,
            max_tries,
            blockers,
        } => alterability(seq, update, *id, *attempt, *max_tries, blockers),
        EventKind::UpdateDone {
            update,
            id,
            outcome,
        } => {
            let (name, reason) = (outcome.name(), outcome.reason());
            let level = match outcome {
                Outcome::Applied | Outcome::Postponed(_) => Level::INFO,
                Outcome::Aborted(_) | Outcome::RolledBack(_) | Outcome::Failed(_) => Level::WARN,
            };
            event_at!(
                level,
                seq,
                update = update.as_str(),
                id,
                step = "done",
                outcome = name,
                reason,
                "update {name}"
            );
        }
        EventKind::FunctionRedefined { function, version } => event!(
            target: "moult",
            Level::INFO,
            seq,
            function = function.as_str(),
            version,
            "function redefined"
        ),
        EventKind::ClassRedefined {
            class,
            version,
            change,
        } => event!(
            target: "moult",
            Level::INFO,
            seq,
            class = class.as_str(),
            version,
            change = change.name(),
            "class redefined"
        ),
        EventKind::ConversionProgress {
            class,
            converted,
            total,
        } => event!(
            target: "moult",
            Level::DEBUG,
            seq,
            class = class.as_str(),
            converted,
            total,
            "conversion progress"
        ),
        EventKind::ThreadState { thread, state } => {
            let (state, point) = (state.name(), state.point());
            event!(
                target: "moult",
                Level::DEBUG,
                seq,
                thread = thread.as_str(),
                state,
                point,
                "thread {state}"
            );
        }
        EventKind::RolledBack { update, what } => event!(
            target: "moult",
            Level::WARN,
            seq,
            update = update.as_str(),
            what = what.as_str(),
            "undone by a rollback"
        ),
        EventKind::LibraryLoaded { path, updates } => event!(
            target: "moult",
            Level::INFO,
            seq,
            path = path.as_str(),
            updates = ?updates,
            "update library loaded"
        ),
        EventKind::LibraryRefused { path, reason } => event!(
            target: "moult",
            Level::WARN,
            seq,
            path = path.as_str(),
            reason = reason.as_str(),
            "update library refused"
        ),
        EventKind::Log { level, message } => event_at!(log_level(level), seq, "{message}"),
        EventKind::UpdateReverted {
            update,
            id,
            target,
            reason,
        } => event!(
            target: "moult",
            Level::WARN,
            seq,
            update = update.as_str(),
            id,
            target,
            reason = reason.as_str(),
            "update #{target} reverted"
        ),
        EventKind::WatchStarted {
            update,
            id,
            secs,
            max_panics,
        } => event!(
            target: "moult",
            Level::INFO,
            seq,
            update = update.as_str(),
            id,
            secs,
            max_panics,
            "update watched"
        ),
        EventKind::WatchEnded {
            update,
            id,
            reverted,
            detail,
        } => event_at!(
            if *reverted { Level::WARN } else { Level::INFO },
            seq,
            update = update.as_str(),
            id,
            reverted,
            detail = detail.as_str(),
            "watch ended"
        ),
        EventKind::VersionPanicked {
            function,
            version,
            panics,
            since_last,
        } => event!(
            target: "moult",
            Level::WARN,
            seq,
            function = function.as_str(),
            version,
            panics,
            since_last,
            "version panicked"
        ),
    }
}

/// One alterability attempt: `outcome` is `alterable` or `blocked`; when
/// blocked, `thread` and `function` name the first blocker, `blockers`
/// counts them and the message lists them all.
fn alterability(
    seq: u64,
    update: &str,
    id: u64,
    attempt: u32,
    max_tries: u32,
    blockers: &[Blocker],
) {
    let Some(first) = blockers.first() else {
        event!(
            target: "moult",
            Level::DEBUG,
            seq,
            update,
            id,
            step = "alterability",
            attempt,
            max_tries,
            outcome = "alterable",
            blockers = 0,
            "alterability reached"
        );
        return;
    };
    event!(
        target: "moult",
        Level::DEBUG,
        seq,
        update,
        id,
        step = "alterability",
        attempt,
        max_tries,
        outcome = "blocked",
        blockers = blockers.len(),
        thread = first.thread.as_str(),
        function = first.function.as_deref().unwrap_or(""),
        "alterability blocked by {}",
        Listed(blockers)
    );
}

/// Blockers as one line, written only if a subscriber takes the event.
struct Listed<'a>(&'a [Blocker]);

impl std::fmt::Display for Listed<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match &b.function {
                Some(function) => write!(f, "{} in {function} (depth {})", b.thread, b.depth)?,
                None => write!(f, "{}: {}", b.thread, b.detail)?,
            }
        }
        Ok(())
    }
}

/// The level of a `log` event (`Pymoult`'s `log(level, msg)` names).
fn log_level(level: &str) -> Level {
    match level {
        "error" => Level::ERROR,
        "warn" | "warning" => Level::WARN,
        "info" => Level::INFO,
        "debug" => Level::DEBUG,
        "trace" => Level::TRACE,
        // An update's own word: shown, not hidden below the default filter.
        _ => Level::INFO,
    }
}
