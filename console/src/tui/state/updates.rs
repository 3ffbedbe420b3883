//! Updates as the console follows them: the queue, the current update's
//! lifecycle step, every alterability attempt with what blocked it, and
//! what a rollback undid.

use std::collections::VecDeque;

use moult_protocol::{Blocker, EventKind, LifecycleStep, Outcome, UpdateInfo};

/// Attempts kept per update: enough to scroll back through several rounds
/// of a stuck update without growing without bound.
pub const ATTEMPTS_KEPT: usize = 200;

/// Updates kept (the agent keeps a bounded history too).
pub const UPDATES_KEPT: usize = 1000;

/// One alterability attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// Which round (1 + postponements before it): attempt numbers restart each round.
    pub round: u32,
    /// Attempt number within the round.
    pub attempt: u32,
    /// Attempts allowed per round.
    pub max_tries: u32,
    /// What stood in the way; empty when the update was alterable.
    pub blockers: Vec<Blocker>,
}

/// One update known to the agent.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateRow {
    /// Manager id: what postpone and abort name.
    pub id: u64,
    /// The update's name.
    pub name: String,
    /// Where it is in its lifecycle.
    pub step: LifecycleStep,
    /// The furthest step it reached before it ended: where a failed update stopped.
    pub reached: LifecycleStep,
    /// Attempts made in the current round.
    pub attempts: u32,
    /// Attempts allowed per round, once an attempt was seen.
    pub max_tries: Option<u32>,
    /// How it ended, or the last postponement while it waits in the queue.
    pub outcome: Option<Outcome>,
    /// Times it went back to the queue.
    pub postponed: u32,
    /// Attempts seen by this console, oldest first (at most [`ATTEMPTS_KEPT`]).
    pub tries: VecDeque<Attempt>,
    /// What its rollback undid, in order.
    pub rolled_back: Vec<String>,
    /// For an applied update: whether it can be reverted now (the agent's
    /// word, from its last snapshot).
    pub revertible: Option<bool>,
    /// The revert that undid it, if one did.
    pub reverted_by: Option<u64>,
    /// The watch on it while one runs: (seconds, panics tolerated).
    pub watch: Option<(f64, u64)>,
}

impl UpdateRow {
    fn new(id: u64, name: &str) -> UpdateRow {
        UpdateRow {
            id,
            name: name.to_string(),
            step: LifecycleStep::Queued,
            reached: LifecycleStep::Queued,
            attempts: 0,
            max_tries: None,
            outcome: None,
            postponed: 0,
            tries: VecDeque::new(),
            rolled_back: Vec::new(),
            revertible: None,
            reverted_by: None,
            watch: None,
        }
    }

    /// What the history says of an applied update: reverted by whom, or
    /// whether it can be reverted; `None` for the others.
    pub fn revert_note(&self) -> Option<String> {
        if let Some(by) = self.reverted_by {
            return Some(format!("reverted by #{by}"));
        }
        match (self.outcome.as_ref(), self.revertible) {
            (Some(Outcome::Applied), Some(true)) => Some("revertible".into()),
            (Some(Outcome::Applied), Some(false)) => Some("not revertible".into()),
            _ => None,
        }
    }

    /// Whether the update has ended (its outcome is final).
    pub fn is_done(&self) -> bool {
        self.step == LifecycleStep::Done
    }

    /// Whether the manager is running it now.
    pub fn is_current(&self) -> bool {
        !matches!(self.step, LifecycleStep::Queued | LifecycleStep::Done)
    }

    /// The blockers of its last attempt, if that attempt was blocked.
    pub fn last_blockers(&self) -> &[Blocker] {
        self.tries.back().map_or(&[], |a| a.blockers.as_slice())
    }
}

/// Every update, by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Updates {
    /// Oldest first (ids grow).
    pub rows: Vec<UpdateRow>,
}

impl Updates {
    /// The update the manager runs now.
    pub fn current(&self) -> Option<&UpdateRow> {
        self.rows.iter().find(|u| u.is_current())
    }

    /// Updates waiting in the queue, in order.
    pub fn queued(&self) -> impl Iterator<Item = &UpdateRow> {
        self.rows.iter().filter(|u| u.step == LifecycleStep::Queued)
    }

    /// The update worth showing first: the current one, else the next
    /// queued, else the last one that ended.
    pub fn focus(&self) -> Option<&UpdateRow> {
        self.current()
            .or_else(|| self.queued().next())
            .or_else(|| self.rows.last())
    }

    /// One update by id.
    pub fn get(&self, id: u64) -> Option<&UpdateRow> {
        self.rows.iter().find(|u| u.id == id)
    }

    /// Takes the snapshot's word on every update it lists.
    pub fn snapshot(&mut self, infos: &[UpdateInfo]) {
        for info in infos {
            let row = self.row(info.id, &info.name);
            row.step = info.step;
            if info.step != LifecycleStep::Done {
                row.reached = info.step;
            }
            // Within a round the count only grows, and the events this
            // console saw count every attempt: a snapshot taken once the
            // update ended may report fewer (the agent's count after the
            // end is not the round's), so it can raise the count but not
            // lower it. A new round resets it (the requirements step).
            row.attempts = row.attempts.max(info.attempts);
            row.outcome.clone_from(&info.outcome);
            row.revertible = info.revertible;
            row.reverted_by = row.reverted_by.or(info.reverted_by);
        }
    }

    /// Applies an update event; other events are ignored.
    pub fn event(&mut self, kind: &EventKind) {
        match kind {
            EventKind::UpdateQueued { update, id } => {
                self.row(*id, update);
            }
            EventKind::Lifecycle { update, id, step } => {
                let row = self.row(*id, update);
                if *step == LifecycleStep::Requirements {
                    row.attempts = 0;
                }
                if *step != LifecycleStep::Done {
                    row.reached = *step;
                }
                row.step = *step;
            }
            EventKind::Alterability {
                update,
                id,
                attempt,
                max_tries,
                blockers,
            } => {
                let row = self.row(*id, update);
                row.attempts = *attempt;
                row.max_tries = Some(*max_tries);
                if row.tries.len() == ATTEMPTS_KEPT {
                    row.tries.pop_front();
                }
                let round = row.postponed + 1;
                row.tries.push_back(Attempt {
                    round,
                    attempt: *attempt,
                    max_tries: *max_tries,
                    blockers: blockers.clone(),
                });
            }
            EventKind::UpdateDone {
                update,
                id,
                outcome,
            } => {
                let row = self.row(*id, update);
                if matches!(outcome, Outcome::Postponed(_)) {
                    row.postponed += 1;
                    row.step = LifecycleStep::Queued;
                } else {
                    row.step = LifecycleStep::Done;
                }
                row.outcome = Some(outcome.clone());
            }
            EventKind::UpdateReverted { id, target, .. } => {
                if let Some(row) = self.rows.iter_mut().find(|u| u.id == *target) {
                    row.reverted_by = Some(*id);
                    row.revertible = Some(false);
                }
            }
            EventKind::WatchStarted {
                update,
                id,
                secs,
                max_panics,
            } => {
                self.row(*id, update).watch = Some((*secs, *max_panics));
            }
            EventKind::WatchEnded { update, id, .. } => {
                self.row(*id, update).watch = None;
            }
            EventKind::RolledBack { update, what } => {
                // Rollback events name the update, not its id: the running
                // one of that name, else the latest.
                let row = self
                    .rows
                    .iter_mut()
                    .rev()
                    .filter(|u| &u.name == update)
                    .min_by_key(|u| !u.is_current());
                if let Some(row) = row {
                    row.rolled_back.push(what.clone());
                }
            }
            _ => {}
        }
    }

    /// The row of update `id`, created if new (the oldest ended rows go
    /// past [`UPDATES_KEPT`]).
    fn row(&mut self, id: u64, name: &str) -> &mut UpdateRow {
        let pos = match self.rows.binary_search_by_key(&id, |u| u.id) {
            Ok(pos) => pos,
            Err(pos) => {
                self.rows.insert(pos, UpdateRow::new(id, name));
                if self.rows.len() > UPDATES_KEPT
                    && let Some(old) = self.rows.iter().position(|u| u.is_done() && u.id != id)
                {
                    self.rows.remove(old);
                    return self.row(id, name);
                }
                pos
            }
        };
        &mut self.rows[pos]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocker(thread: &str) -> Blocker {
        Blocker {
            thread: thread.into(),
            function: Some("app::busy".into()),
            depth: 1,
            detail: String::new(),
        }
    }

    fn attempt(id: u64, attempt: u32, blockers: Vec<Blocker>) -> EventKind {
        EventKind::Alterability {
            update: "u".into(),
            id,
            attempt,
            max_tries: 5,
            blockers,
        }
    }

    #[test]
    fn a_snapshot_after_the_end_does_not_lower_the_attempts_the_events_counted() {
        // Defect 2: Alterability listed 1/20..5/20, the Updates table then
        // said 1/20 once a snapshot came after the end.
        let mut us = Updates::default();
        us.event(&EventKind::Lifecycle {
            update: "u".into(),
            id: 1,
            step: LifecycleStep::Requirements,
        });
        for n in 1..=5 {
            us.event(&attempt(1, n, vec![blocker("busy-caller")]));
        }
        us.event(&EventKind::UpdateDone {
            update: "u".into(),
            id: 1,
            outcome: Outcome::Aborted("by the operator".into()),
        });
        us.snapshot(&[UpdateInfo {
            id: 1,
            name: "u".into(),
            step: LifecycleStep::Done,
            attempts: 1,
            outcome: Some(Outcome::Aborted("by the operator".into())),
            revertible: None,
            reverted_by: None,
        }]);
        assert_eq!(us.get(1).unwrap().attempts, 5);
    }

    #[test]
    fn attempts_are_kept_per_round_and_a_postponed_update_is_queued_again() {
        let mut us = Updates::default();
        us.event(&EventKind::UpdateQueued {
            update: "u".into(),
            id: 1,
        });
        assert_eq!(us.focus().map(|u| u.id), Some(1));
        assert!(us.current().is_none());
        us.event(&EventKind::Lifecycle {
            update: "u".into(),
            id: 1,
            step: LifecycleStep::Alterability,
        });
        us.event(&attempt(1, 1, vec![blocker("busy-caller")]));
        assert_eq!(
            us.current().unwrap().last_blockers()[0].thread,
            "busy-caller"
        );
        us.event(&EventKind::UpdateDone {
            update: "u".into(),
            id: 1,
            outcome: Outcome::Postponed("not alterable".into()),
        });
        assert_eq!(us.queued().count(), 1);
        us.event(&attempt(1, 1, vec![]));
        let u = us.get(1).unwrap();
        let rounds: Vec<(u32, u32)> = u.tries.iter().map(|a| (a.round, a.attempt)).collect();
        assert_eq!(rounds, [(1, 1), (2, 1)]);
        assert_eq!((u.postponed, u.max_tries), (1, Some(5)));
        assert!(u.last_blockers().is_empty());
    }

    #[test]
    fn a_rollback_is_recorded_on_the_running_update_of_that_name() {
        let mut us = Updates::default();
        us.snapshot(&[
            UpdateInfo {
                id: 1,
                name: "u".into(),
                step: LifecycleStep::Done,
                attempts: 1,
                outcome: Some(Outcome::Applied),
                revertible: None,
                reverted_by: None,
            },
            UpdateInfo {
                id: 2,
                name: "u".into(),
                step: LifecycleStep::Apply,
                attempts: 1,
                outcome: None,
                revertible: None,
                reverted_by: None,
            },
            UpdateInfo {
                id: 3,
                name: "u".into(),
                step: LifecycleStep::Queued,
                attempts: 0,
                outcome: None,
                revertible: None,
                reverted_by: None,
            },
        ]);
        us.event(&EventKind::RolledBack {
            update: "u".into(),
            what: "function app::f back to v0".into(),
        });
        us.event(&EventKind::UpdateDone {
            update: "u".into(),
            id: 2,
            outcome: Outcome::RolledBack("apply panicked".into()),
        });
        assert_eq!(
            us.get(2).unwrap().rolled_back,
            ["function app::f back to v0"]
        );
        assert!(us.get(1).unwrap().rolled_back.is_empty());
        assert!(us.get(2).unwrap().is_done());
        assert_eq!(us.get(2).unwrap().reached, LifecycleStep::Apply);
        assert_eq!(us.focus().map(|u| u.id), Some(3));
    }

    #[test]
    fn history_is_bounded_dropping_ended_updates_first() {
        let mut us = Updates::default();
        for id in 1..=(UPDATES_KEPT as u64 + 10) {
            us.event(&EventKind::UpdateDone {
                update: "u".into(),
                id,
                outcome: Outcome::Applied,
            });
        }
        assert_eq!(us.rows.len(), UPDATES_KEPT);
        assert_eq!(us.rows.last().unwrap().id, UPDATES_KEPT as u64 + 10);
        assert_eq!(us.rows[0].id, 11);
    }
}
