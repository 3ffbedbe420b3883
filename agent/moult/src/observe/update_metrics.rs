//! Update outcomes and reverts as `metrics` counters, and the two timings
//! of an update as histograms. Every metric is labelled `update` (the
//! update's name).
//!
//! | metric | kind | counts |
//! | --- | --- | --- |
//! | `moult_updates_applied_total` | counter | updates applied (a revert is one too, named `revert #N (name)`) |
//! | `moult_updates_rolled_back_total` | counter | updates whose `apply` failed or panicked, undone |
//! | `moult_updates_reverted_total` | counter | applied updates undone later, by an operator or a watch (`update`: the one undone) |
//! | `moult_updates_postponed_total` | counter | rounds that did not reach alterability (or requirements said no) |
//! | `moult_updates_aborted_total` | counter | updates given up (never, an operator, postponed too often) |
//! | `moult_updates_failed_total` | counter | updates applied whose later hook failed (they stay applied) |
//! | `moult_update_alterability_seconds` | histogram | from the alterability step to alterability reached |
//! | `moult_update_held_seconds` | histogram | the held window: from alterability reached to the app released |

use std::time::Duration;

use metrics::{counter, histogram};
use moult_protocol::{Event, EventKind, LifecycleStep, Outcome};

use super::figures;

/// Counts what `event` reports; asks for fresh figures when an update
/// starts or ends.
pub(super) fn count(event: &Event) {
    match &event.kind {
        EventKind::UpdateDone {
            update, outcome, ..
        } => {
            let name = match outcome {
                Outcome::Applied => "moult_updates_applied_total",
                Outcome::RolledBack(_) => "moult_updates_rolled_back_total",
                Outcome::Postponed(_) => "moult_updates_postponed_total",
                Outcome::Aborted(_) => "moult_updates_aborted_total",
                Outcome::Failed(_) => "moult_updates_failed_total",
            };
            counter!(name, "update" => update.clone()).increment(1);
            figures::refresh_soon();
        }
        EventKind::UpdateReverted { update, target, .. } => {
            // Labelled by the update undone, the name its other metrics carry.
            let undone = crate::runtime()
                .history
                .name_of(*target)
                .unwrap_or_else(|| update.clone());
            counter!("moult_updates_reverted_total", "update" => undone).increment(1);
        }
        EventKind::Lifecycle {
            step: LifecycleStep::Requirements,
            ..
        } => figures::refresh_soon(),
        _ => {}
    }
}

/// Records an update's time to alterability and its held window (called
/// once the app is released, so recording never lengthens the window).
pub(super) fn timings(update: &str, to_alterability: Duration, held: Duration) {
    histogram!("moult_update_alterability_seconds", "update" => update.to_string())
        .record(to_alterability.as_secs_f64());
    histogram!("moult_update_held_seconds", "update" => update.to_string())
        .record(held.as_secs_f64());
}
