//! Applying an update library to a tutorial app and waiting for its end:
//! what the check runner and the tutorial mode's "apply my update" share.

use std::path::Path;
use std::time::{Duration, Instant};

use moult_protocol::{Outcome, QueuedUpdate};

use crate::client::Client;
use crate::follow::{self, FollowNews};
use crate::render;

/// How the applied updates ended, one line each.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The queued updates and their outcomes.
    pub updates: Vec<(QueuedUpdate, Outcome)>,
}

/// Sends `library` to the agent at `socket` and follows every update it
/// queued until each ends (or `timeout`, after which they are aborted).
/// `Err` says, for a learner, why the update did not apply: nothing queued,
/// refused, rolled back, postponed until the timeout.
pub fn apply_library(
    socket: &Path,
    library: &Path,
    timeout: Duration,
    mut progress: impl FnMut(&str),
) -> Result<Applied, String> {
    let library = library
        .canonicalize()
        .map_err(|e| format!("cannot resolve {}: {e}", library.display()))?;
    let mut client = Client::open(socket)
        .map(|(client, _)| client)
        .map_err(|e| format!("cannot reach the app's agent: {e}"))?;
    client
        .subscribe()
        .map_err(|e| format!("cannot follow the update: {e}"))?;
    let sent = Instant::now();
    let queued = client
        .apply(&library.display().to_string())
        .map_err(|e| format!("the agent refused {}: {e}", library.display()))?;
    if queued.is_empty() {
        return Err(
            "the library queued no update: its entry returned an empty list (the TODOs are not done yet?)"
                .into(),
        );
    }
    let mut pace = render::ConversionPace::default();
    let report = follow::follow(&mut client, &queued, sent + timeout, |p| match p {
        FollowNews::Event(event) if !pace.show(&event.kind) => {}
        FollowNews::Event(event) => progress(&render::describe(&event.kind)),
        FollowNews::Dropped(n) => progress(&format!("({n} events dropped)")),
    })
    .map_err(|e| format!("lost the agent while following the update: {e}"))?;
    if report.timed_out {
        for update in report.unfinished() {
            let _ = client.abort(update.id);
        }
        let why = report
            .last_postponed
            .map(|r| format!(" (last postponed: {r})"))
            .unwrap_or_default();
        return Err(format!(
            "the update was not applied within {}s and was aborted{why}",
            timeout.as_secs()
        ));
    }
    let mut updates = Vec::new();
    for followed in report.updates {
        let outcome = followed.outcome.expect("not timed out: every update ended");
        if outcome != Outcome::Applied {
            return Err(format!(
                "update {} was not applied: {}",
                followed.update.name,
                render::outcome(&outcome)
            ));
        }
        updates.push((followed.update, outcome));
    }
    Ok(Applied { updates })
}
