//! Following queued updates to their outcome: what `apply` and `reboot`
//! (and later the TUI) wait on.
//!
//! The client must be subscribed *before* the request that queued the
//! updates, so no event of theirs is missed; events that arrived before the
//! reply are kept by the [`Client`] and read here first.
//!
//! An update ends with `update_done` and a final outcome. `postponed` is not
//! an end: the update went back to the queue and the manager retries it.
//! Should the agent drop events for this subscriber, the periodic state
//! snapshot still tells how each update ended.

use std::collections::HashSet;
use std::time::Instant;

use moult_protocol::{Event, EventKind, LifecycleStep, Outcome, QueuedUpdate, Snapshot};

use crate::client::{Client, ClientError, Incoming};
use crate::exit::Exit;

/// Something worth showing while following.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FollowNews<'a> {
    /// An event concerning one of the followed updates (its lifecycle,
    /// alterability attempts, outcome) or what happened while it applied
    /// (redefinitions, conversions, rollbacks, thread states).
    Event(&'a Event),
    /// The agent dropped this many events for us.
    Dropped(u64),
}

/// A followed update and how it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Followed {
    /// The update (id and name from the queue reply).
    pub update: QueuedUpdate,
    /// Its final outcome; `None` if it had not ended when following stopped.
    pub outcome: Option<Outcome>,
}

/// How following ended.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowReport {
    /// Every followed update, in queue order.
    pub updates: Vec<Followed>,
    /// The deadline passed before every update ended.
    pub timed_out: bool,
    /// The reason of the last postponement seen: why it is not applied yet.
    pub last_postponed: Option<String>,
}

impl FollowReport {
    /// The exit code: timed out, else the worst final outcome.
    pub fn exit(&self) -> Exit {
        if self.timed_out {
            return Exit::TimedOut;
        }
        self.updates
            .iter()
            .filter_map(|f| f.outcome.as_ref().and_then(Exit::of_outcome))
            .max()
            .unwrap_or(Exit::Success)
    }

    /// The updates that had not ended.
    pub fn unfinished(&self) -> impl Iterator<Item = &QueuedUpdate> {
        self.updates
            .iter()
            .filter(|f| f.outcome.is_none())
            .map(|f| &f.update)
    }
}

/// Reads the stream until every update in `updates` has a final outcome or
/// `deadline` passes, calling `show` for what concerns them. A closed
/// connection before the end is an error.
pub fn follow(
    client: &mut Client,
    updates: &[QueuedUpdate],
    deadline: Instant,
    mut show: impl FnMut(FollowNews<'_>),
) -> Result<FollowReport, ClientError> {
    let mut tracker = Tracker::new(updates);
    let mut closing = None;
    while !tracker.all_done() {
        let Some(incoming) = client.recv(Some(deadline))? else {
            return Ok(tracker.report(true));
        };
        match incoming {
            Incoming::Events { events, dropped } => {
                if dropped > 0 {
                    tracker.dropped = true;
                    show(FollowNews::Dropped(dropped));
                }
                for event in &events {
                    if tracker.event(event) {
                        show(FollowNews::Event(event));
                    }
                }
            }
            Incoming::State(snapshot) => tracker.snapshot(&snapshot),
            Incoming::Closing { reason } => closing = Some(reason),
            Incoming::Disconnected => return Err(ClientError::Disconnected { reason: closing }),
        }
    }
    Ok(tracker.report(false))
}

/// What is known of the followed updates so far.
struct Tracker {
    updates: Vec<Followed>,
    ids: HashSet<u64>,
    /// The followed update the manager is working on now: events without an
    /// update id (redefinitions, conversions) are shown while it is set.
    current: Option<u64>,
    last_postponed: Option<String>,
    /// One past the highest event sequence number seen.
    seen_through: u64,
    /// Some events were dropped: trust snapshots for outcomes at once.
    dropped: bool,
}

impl Tracker {
    fn new(updates: &[QueuedUpdate]) -> Tracker {
        Tracker {
            updates: updates
                .iter()
                .map(|u| Followed {
                    update: u.clone(),
                    outcome: None,
                })
                .collect(),
            ids: updates.iter().map(|u| u.id).collect(),
            current: None,
            last_postponed: None,
            seen_through: 0,
            dropped: false,
        }
    }

    fn all_done(&self) -> bool {
        self.updates.iter().all(|f| f.outcome.is_some())
    }

    fn report(self, timed_out: bool) -> FollowReport {
        FollowReport {
            updates: self.updates,
            timed_out,
            last_postponed: self.last_postponed,
        }
    }

    /// Records `event`; whether it concerns the followed updates.
    fn event(&mut self, event: &Event) -> bool {
        self.seen_through = self.seen_through.max(event.seq + 1);
        match &event.kind {
            EventKind::UpdateQueued { id, .. } => self.ids.contains(id),
            EventKind::Lifecycle { id, step, .. } => {
                let ours = self.ids.contains(id);
                self.current = match step {
                    LifecycleStep::Queued | LifecycleStep::Done => None,
                    _ if ours => Some(*id),
                    _ => None,
                };
                ours
            }
            EventKind::Alterability { id, .. } => self.ids.contains(id),
            EventKind::UpdateDone { id, outcome, .. } => {
                if !self.ids.contains(id) {
                    return false;
                }
                if self.current == Some(*id) {
                    self.current = None;
                }
                self.record(*id, outcome);
                true
            }
            EventKind::RolledBack { update, .. } => {
                self.current.is_some()
                    || self
                        .updates
                        .iter()
                        .any(|f| f.outcome.is_none() && &f.update.name == update)
            }
            EventKind::FunctionRedefined { .. }
            | EventKind::ClassRedefined { .. }
            | EventKind::ConversionProgress { .. }
            | EventKind::ThreadState { .. }
            | EventKind::Log { .. } => self.current.is_some(),
            // A new version panicking concerns whoever follows the app; the
            // watch (apply --watch) reads the counts from snapshots.
            EventKind::VersionPanicked { .. } => !self.ids.is_empty(),
            EventKind::UpdateReverted { id, target, .. } => {
                self.ids.contains(id) || self.ids.contains(target)
            }
            EventKind::WatchStarted { id, .. } | EventKind::WatchEnded { id, .. } => {
                self.ids.contains(id)
            }
            EventKind::LibraryLoaded { .. } | EventKind::LibraryRefused { .. } => false,
        }
    }

    /// Takes final outcomes from a state snapshot once every event it
    /// reflects has been seen (else the `update_done` event is still on
    /// its way and will be shown), or at once if events were dropped.
    fn snapshot(&mut self, snapshot: &Snapshot) {
        if !self.dropped && self.seen_through < snapshot.next_event {
            return;
        }
        for info in &snapshot.updates {
            if info.step == LifecycleStep::Done
                && let Some(outcome) = &info.outcome
                && self.ids.contains(&info.id)
            {
                self.record(info.id, outcome);
            }
        }
    }

    fn record(&mut self, id: u64, outcome: &Outcome) {
        if let Outcome::Postponed(reason) = outcome {
            self.last_postponed = Some(reason.clone());
            return;
        }
        if let Some(f) = self.updates.iter_mut().find(|f| f.update.id == id) {
            f.outcome.get_or_insert_with(|| outcome.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(seq: u64, kind: EventKind) -> Event {
        Event {
            seq,
            at_ms: seq * 10,
            kind,
        }
    }

    fn queued(id: u64, name: &str) -> QueuedUpdate {
        QueuedUpdate {
            id,
            name: name.into(),
        }
    }

    fn lifecycle(seq: u64, id: u64, step: LifecycleStep) -> Event {
        ev(
            seq,
            EventKind::Lifecycle {
                update: format!("u{id}"),
                id,
                step,
            },
        )
    }

    fn done(seq: u64, id: u64, outcome: Outcome) -> Event {
        ev(
            seq,
            EventKind::UpdateDone {
                update: format!("u{id}"),
                id,
                outcome,
            },
        )
    }

    #[test]
    fn postponed_is_remembered_but_only_a_final_outcome_ends_an_update() {
        let mut t = Tracker::new(&[queued(1, "u1")]);
        assert!(t.event(&done(0, 1, Outcome::Postponed("thread main busy".into()))));
        assert!(!t.all_done());
        assert!(t.event(&done(1, 1, Outcome::Applied)));
        assert!(t.all_done());
        let report = t.report(false);
        assert_eq!(report.last_postponed.as_deref(), Some("thread main busy"));
        assert_eq!(report.exit(), Exit::Success);
    }

    #[test]
    fn unrelated_events_are_not_shown_and_side_effects_only_while_ours_runs() {
        let mut t = Tracker::new(&[queued(2, "u2")]);
        let redefined = ev(
            0,
            EventKind::FunctionRedefined {
                function: "app::f".into(),
                version: 1,
            },
        );
        assert!(!t.event(&lifecycle(0, 9, LifecycleStep::Apply)));
        assert!(!t.event(&redefined), "another update's redefinition");
        assert!(t.event(&lifecycle(1, 2, LifecycleStep::Apply)));
        assert!(t.event(&redefined));
        assert!(t.event(&done(2, 2, Outcome::RolledBack("boom".into()))));
        assert!(!t.event(&redefined));
        assert!(!t.event(&done(3, 9, Outcome::Applied)));
        assert_eq!(t.report(false).exit(), Exit::Failure);
    }

    #[test]
    fn a_snapshot_gives_the_outcome_only_once_its_events_were_seen_or_dropped() {
        let snapshot = |next_event| Snapshot {
            agent: moult_protocol::AgentInfo {
                app: "a".into(),
                pid: 1,
                moult_version: "0.1.0".into(),
                protocol: 1,
                fingerprint: String::new(),
                cargo_profile: "debug".into(),
                started_unix_ms: 0,
                socket: String::new(),
                journal: String::new(),
                exe: String::new(),
                moult_build: None,
            },
            uptime_ms: 0,
            tasks: vec![],
            threads: vec![],
            functions: vec![],
            classes: vec![],
            updates: vec![moult_protocol::UpdateInfo {
                id: 4,
                name: "u4".into(),
                step: LifecycleStep::Done,
                attempts: 1,
                outcome: Some(Outcome::Aborted("operator".into())),
                revertible: None,
                reverted_by: None,
            }],
            next_event,
            connections: 1,
            dropped_subscribers: 0,
        };
        let mut t = Tracker::new(&[queued(4, "u4")]);
        t.event(&lifecycle(4, 4, LifecycleStep::Apply));
        t.snapshot(&snapshot(9));
        assert!(!t.all_done(), "events 5..9 not seen yet");
        t.snapshot(&snapshot(5));
        assert!(t.all_done());

        let mut t = Tracker::new(&[queued(4, "u4")]);
        t.dropped = true;
        t.snapshot(&snapshot(100));
        assert_eq!(t.report(false).exit(), Exit::Failure);
    }

    #[test]
    fn a_timeout_is_exit_3_and_names_the_unfinished_updates() {
        let mut t = Tracker::new(&[queued(1, "u1"), queued(2, "u2")]);
        t.event(&done(0, 1, Outcome::Applied));
        let report = t.report(true);
        assert_eq!(report.exit(), Exit::TimedOut);
        let unfinished: Vec<u64> = report.unfinished().map(|u| u.id).collect();
        assert_eq!(unfinished, [2]);
    }
}
