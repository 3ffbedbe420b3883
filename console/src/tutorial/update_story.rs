//! What the agent's event stream tells about each update a check applied:
//! which functions and classes it changed during its `apply`, what it logged
//! from its resume hook, how it ended. Some exercises are judged on the
//! update itself, not only on the app's output: "your own update type",
//! "one update that changes both".
//!
//! The check subscribes in `before` ([`Subscription::open`]), so no event of
//! the update is missed, and reads the story in `after`
//! ([`Subscription::story`]). `ctx.log` lines are only on the event stream:
//! the update journal records outcomes, not logs.

use std::time::Instant;

use moult_protocol::{EventKind, LifecycleStep, Outcome};

use crate::client::{Client, Incoming};

use super::check::Probe;

/// A subscription to the agent's events, opened before the update.
pub struct Subscription(Client);

impl Subscription {
    /// Connects to the app's agent and subscribes.
    pub fn open(probe: &Probe<'_>) -> Result<Subscription, String> {
        let mut client = Client::open(&probe.socket)
            .map(|(client, _)| client)
            .map_err(|e| format!("cannot reach the app's agent: {e}"))?;
        client
            .subscribe()
            .map_err(|e| format!("cannot follow the agent's events: {e}"))?;
        Ok(Subscription(client))
    }

    /// Reads the stream until every update seen has ended (at least one
    /// must be seen), or `deadline`.
    pub fn story(mut self, deadline: Instant) -> Result<Story, String> {
        let mut story = Story::default();
        while !story.complete() {
            let incoming = self
                .0
                .recv(Some(deadline))
                .map_err(|e| format!("lost the agent's events: {e}"))?;
            match incoming {
                None | Some(Incoming::Disconnected) => break,
                Some(Incoming::Events { events, dropped }) => {
                    story.dropped += dropped;
                    for event in events {
                        story.event(event.kind);
                    }
                }
                Some(Incoming::State(_) | Incoming::Closing { .. }) => {}
            }
        }
        Ok(story)
    }
}

/// What the stream told about one update.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Seen {
    /// Manager id.
    pub id: u64,
    /// Its name (`redefine <function>`, `convert <class>` for moult's
    /// ready-made updates, unless renamed).
    pub name: String,
    /// Hot functions redefined while it was the manager's current update.
    pub functions: Vec<String>,
    /// Classes given a new version while it was the current update.
    pub classes: Vec<String>,
    /// Lines logged between its `resume` and `over` steps (its resume hook).
    pub resumed: Vec<String>,
    /// How it ended; `None` if the stream did not say.
    pub outcome: Option<Outcome>,
}

impl Seen {
    /// `true` if it was applied.
    pub fn applied(&self) -> bool {
        self.outcome == Some(Outcome::Applied)
    }
}

/// Every update seen on the stream, in the order they were first seen.
#[derive(Debug, Default)]
pub struct Story {
    /// The updates.
    pub updates: Vec<Seen>,
    /// Events the agent dropped for this subscription (the story may lack some).
    pub dropped: u64,
    /// The manager's current update (events without an id belong to it).
    current: Option<u64>,
    /// The update between its `resume` and `over` steps.
    resuming: Option<u64>,
}

impl Story {
    /// The applied update that redefined hot function `function`.
    pub fn redefined(&self, function: &str) -> Option<&Seen> {
        self.updates
            .iter()
            .find(|u| u.applied() && u.functions.iter().any(|f| f == function))
    }

    /// The applied update that gave class `class` a new version.
    pub fn converted(&self, class: &str) -> Option<&Seen> {
        self.updates
            .iter()
            .find(|u| u.applied() && u.classes.iter().any(|c| c == class))
    }

    /// ` (N events were dropped: run the check again)`, or nothing: what a
    /// verdict adds when the story may be incomplete.
    pub fn dropped_note(&self) -> String {
        if self.dropped > 0 {
            format!(
                " ({} events were dropped: run the check again)",
                self.dropped
            )
        } else {
            String::new()
        }
    }

    fn complete(&self) -> bool {
        !self.updates.is_empty() && self.updates.iter().all(|u| u.outcome.is_some())
    }

    fn seen(&mut self, id: u64) -> &mut Seen {
        let at = match self.updates.iter().position(|u| u.id == id) {
            Some(at) => at,
            None => {
                self.updates.push(Seen {
                    id,
                    ..Seen::default()
                });
                self.updates.len() - 1
            }
        };
        &mut self.updates[at]
    }

    /// Takes one event into the story.
    pub fn event(&mut self, kind: EventKind) {
        let current = self.current;
        match kind {
            EventKind::Lifecycle { update, id, step } => {
                self.seen(id).name = update;
                self.current = Some(id);
                self.resuming = (step == LifecycleStep::Resume).then_some(id);
            }
            EventKind::FunctionRedefined { function, .. } => {
                if let Some(id) = current {
                    self.seen(id).functions.push(function);
                }
            }
            EventKind::ClassRedefined { class, .. } => {
                if let Some(id) = current {
                    self.seen(id).classes.push(class);
                }
            }
            EventKind::Log { message, .. } => {
                if let Some(id) = self.resuming {
                    self.seen(id).resumed.push(message);
                }
            }
            EventKind::UpdateDone {
                update,
                id,
                outcome,
            } => {
                let seen = self.seen(id);
                seen.name = update;
                seen.outcome = Some(outcome);
                self.current = None;
                self.resuming = None;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(id: u64, step: LifecycleStep) -> EventKind {
        EventKind::Lifecycle {
            update: format!("u{id}"),
            id,
            step,
        }
    }

    fn log(message: &str) -> EventKind {
        EventKind::Log {
            level: "info".into(),
            message: message.into(),
        }
    }

    fn done(id: u64) -> EventKind {
        EventKind::UpdateDone {
            update: format!("u{id}"),
            id,
            outcome: Outcome::Applied,
        }
    }

    #[test]
    fn changes_and_resume_logs_go_to_the_current_update() {
        let mut story = Story::default();
        for kind in [
            step(1, LifecycleStep::Apply),
            EventKind::FunctionRedefined {
                function: "app::f".into(),
                version: 1,
            },
            log("during apply"),
            step(1, LifecycleStep::Resume),
            log("resumed"),
            step(1, LifecycleStep::Over),
            log("after"),
            done(1),
            step(2, LifecycleStep::Apply),
            EventKind::ClassRedefined {
                class: "app::Data".into(),
                version: 1,
                change: moult_protocol::ClassChange::EagerConversion,
            },
        ] {
            story.event(kind);
        }
        assert!(!story.complete(), "update 2 has not ended");
        story.event(done(2));
        assert!(story.complete());
        assert_eq!(story.redefined("app::f").map(|u| u.id), Some(1));
        assert_eq!(story.converted("app::Data").map(|u| u.id), Some(2));
        assert_eq!(story.updates[0].resumed, vec!["resumed".to_string()]);
        assert!(story.updates[1].resumed.is_empty());
        assert!(story.redefined("app::g").is_none());
    }

    #[test]
    fn a_rolled_back_update_changed_nothing() {
        let mut story = Story::default();
        story.event(step(1, LifecycleStep::Apply));
        story.event(EventKind::FunctionRedefined {
            function: "app::f".into(),
            version: 1,
        });
        story.event(EventKind::UpdateDone {
            update: "u1".into(),
            id: 1,
            outcome: Outcome::RolledBack("boom".into()),
        });
        assert!(story.redefined("app::f").is_none());
        assert_eq!(story.dropped_note(), "");
    }
}
