//! Step 3, exercise 1: a hand-written update: wait for hello's quiescence, apply, resume hook.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use moult_protocol::{EventKind, LifecycleStep, Outcome};

use crate::client::{Client, Incoming};
use crate::tutorial::check::{Baseline, Check, Probe, function_version};
use crate::tutorial::exercise::Exercise;

/// The exercise.
pub static EXERCISE: Exercise = Exercise {
    id: "step3-custom-hello",
    step: 3,
    number: 1,
    title: "Hello again",
    summary: "a hand-written update: wait for hello's quiescence, apply, resume hook",
    check_period: Duration::from_millis(20),
    serves_http: false,
    check: &CustomHelloCheck,
};

/// The app's hot function.
const HELLO: &str = "step3_custom_hello::hello";

/// Before: `hello world`. After: lines that still start with `hello` but
/// greet someone else, `hello` at version 1 or more, and — from the agent's
/// event stream, subscribed before the update — an applied update that is
/// not moult's `SafeRedefine`, redefined `hello` during its `apply` and
/// logged a line from its resume hook (`ctx.log` events are not journaled:
/// only the event stream carries them).
pub struct CustomHelloCheck;

impl Check for CustomHelloCheck {
    fn before(&self, probe: &Probe<'_>) -> Result<Baseline, String> {
        let mut client = Client::connect(&probe.socket)
            .and_then(|mut c| c.hello().map(|_| c))
            .map_err(|e| format!("cannot reach the app's agent: {e}"))?;
        client
            .subscribe()
            .map_err(|e| format!("cannot follow the agent's events: {e}"))?;
        probe.expect_line("`hello world`", |l| l == "hello world")?;
        Ok(Box::new(client))
    }

    fn after(&self, probe: &Probe<'_>, baseline: Baseline) -> Result<String, String> {
        let mut client = baseline
            .downcast::<Client>()
            .map_err(|_| "the check lost its event subscription".to_string())?;
        let lines = probe.settled_lines(2, 3)?;
        if let Some(old) = lines.iter().find(|l| *l == "hello world") {
            return Err(format!(
                "the app still prints {old:?}: your update's apply should redefine hello (ctx.redefine)"
            ));
        }
        if let Some(other) = lines.iter().find(|l| !l.starts_with("hello")) {
            return Err(format!(
                "the app prints {other:?}; the new hello should still start with `hello`"
            ));
        }
        let version = function_version(&probe.snapshot()?, HELLO)?;
        if version == 0 {
            return Err(format!("{HELLO} is still at version 0"));
        }
        let story = Story::read(&mut client, Instant::now() + probe.patience())?;
        let update = story.judge()?;
        Ok(format!(
            "the app prints {:?} (hello at version {version}); your update {:?} redefined hello \
             and its resume hook logged {:?}",
            lines[0], update.name, update.resumed[0]
        ))
    }
}

/// What the event stream told about one update.
#[derive(Debug, Default)]
struct Seen {
    name: String,
    /// It redefined `hello` while it was the manager's current update.
    redefined_hello: bool,
    /// Lines logged between its `resume` and `over` steps (the resume hook).
    resumed: Vec<String>,
    outcome: Option<Outcome>,
}

/// Every update seen on the stream, by id.
#[derive(Debug, Default)]
struct Story {
    updates: HashMap<u64, Seen>,
    /// Events the agent dropped for the check's subscription.
    dropped: u64,
}

impl Story {
    /// Reads the stream until every update seen has ended (at least one),
    /// or `deadline`.
    fn read(client: &mut Client, deadline: Instant) -> Result<Story, String> {
        let mut story = Story::default();
        let mut current: Option<u64> = None;
        let mut resuming: Option<u64> = None;
        while !story.complete() {
            let incoming = client
                .recv(Some(deadline))
                .map_err(|e| format!("lost the agent's events: {e}"))?;
            match incoming {
                None | Some(Incoming::Disconnected) => break,
                Some(Incoming::Events { events, dropped }) => {
                    story.dropped += dropped;
                    for event in events {
                        story.event(event.kind, &mut current, &mut resuming);
                    }
                }
                Some(Incoming::State(_) | Incoming::Closing { .. }) => {}
            }
        }
        Ok(story)
    }

    fn complete(&self) -> bool {
        !self.updates.is_empty() && self.updates.values().all(|u| u.outcome.is_some())
    }

    fn event(&mut self, kind: EventKind, current: &mut Option<u64>, resuming: &mut Option<u64>) {
        match kind {
            EventKind::Lifecycle { update, id, step } => {
                self.updates.entry(id).or_default().name = update;
                *current = Some(id);
                *resuming = (step == LifecycleStep::Resume).then_some(id);
            }
            EventKind::FunctionRedefined { function, .. } if function == HELLO => {
                if let Some(seen) = current.and_then(|id| self.updates.get_mut(&id)) {
                    seen.redefined_hello = true;
                }
            }
            EventKind::Log { message, .. } => {
                if let Some(seen) = resuming.and_then(|id| self.updates.get_mut(&id)) {
                    seen.resumed.push(message);
                }
            }
            EventKind::UpdateDone {
                update,
                id,
                outcome,
            } => {
                let seen = self.updates.entry(id).or_default();
                seen.name = update;
                seen.outcome = Some(outcome);
                *current = None;
                *resuming = None;
            }
            _ => {}
        }
    }

    /// The learner's update, or what is wrong with it.
    fn judge(&self) -> Result<&Seen, String> {
        let redefines: Vec<&Seen> = self
            .updates
            .values()
            .filter(|u| u.outcome == Some(Outcome::Applied) && u.redefined_hello)
            .collect();
        let dropped = if self.dropped > 0 {
            format!(" ({} events were dropped: run the check again)", self.dropped)
        } else {
            String::new()
        };
        let Some(own) = redefines
            .iter()
            .find(|u| u.name != format!("redefine {HELLO}"))
        else {
            return Err(match redefines.first() {
                Some(u) => format!(
                    "hello was redefined by {:?}, moult's ready-made SafeRedefine: this exercise \
                     asks for your own type implementing moult::Update{dropped}",
                    u.name
                ),
                None => format!(
                    "no applied update redefined hello during its apply: call ctx.redefine(…) in \
                     your update's apply{dropped}"
                ),
            });
        };
        if own.resumed.is_empty() {
            return Err(format!(
                "your update {:?} logged nothing from its resume hook: call ctx.log(…) in \
                 resume_hook, to report that the app resumed{dropped}",
                own.name
            ));
        }
        Ok(own)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn story(name: &str, log_in_resume: bool) -> Story {
        let mut s = Story::default();
        let (mut cur, mut res) = (None, None);
        let step = |step| EventKind::Lifecycle {
            update: name.into(),
            id: 1,
            step,
        };
        s.event(step(LifecycleStep::Apply), &mut cur, &mut res);
        s.event(
            EventKind::FunctionRedefined {
                function: HELLO.into(),
                version: 1,
            },
            &mut cur,
            &mut res,
        );
        s.event(step(LifecycleStep::Resume), &mut cur, &mut res);
        if log_in_resume {
            s.event(
                EventKind::Log {
                    level: "info".into(),
                    message: "resumed".into(),
                },
                &mut cur,
                &mut res,
            );
        }
        s.event(step(LifecycleStep::Over), &mut cur, &mut res);
        s.event(
            EventKind::Log {
                level: "info".into(),
                message: "later".into(),
            },
            &mut cur,
            &mut res,
        );
        s.event(
            EventKind::UpdateDone {
                update: name.into(),
                id: 1,
                outcome: Outcome::Applied,
            },
            &mut cur,
            &mut res,
        );
        s
    }

    #[test]
    fn a_custom_update_with_a_resume_log_passes() {
        let s = story("custom hello", true);
        assert!(s.complete());
        assert_eq!(s.judge().unwrap().resumed, vec!["resumed".to_string()]);
    }

    #[test]
    fn safe_redefine_or_a_silent_resume_hook_fails() {
        let err = story(&format!("redefine {HELLO}"), true).judge().unwrap_err();
        assert!(err.contains("SafeRedefine"), "{err}");
        let err = story("custom hello", false).judge().unwrap_err();
        assert!(err.contains("resume hook"), "{err}");
    }
}
