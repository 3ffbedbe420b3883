//! Step 3, exercise 1: a hand-written update: wait for hello's quiescence, apply, resume hook.

use std::time::{Duration, Instant};

use crate::tutorial::check::{Baseline, Check, Probe, function_version};
use crate::tutorial::exercise::Exercise;
use crate::tutorial::update_story::{Seen, Story, Subscription};

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
/// event stream, subscribed before the update — the update that redefined
/// `hello` is not moult's `SafeRedefine` and logged a line from its resume
/// hook.
pub struct CustomHelloCheck;

impl Check for CustomHelloCheck {
    fn before(&self, probe: &Probe<'_>) -> Result<Baseline, String> {
        let events = Subscription::open(probe)?;
        probe.expect_line("`hello world`", |l| l == "hello world")?;
        Ok(Box::new(events))
    }

    fn after(&self, probe: &Probe<'_>, baseline: Baseline) -> Result<String, String> {
        let events = baseline
            .downcast::<Subscription>()
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
        let story = events.story(Instant::now() + probe.patience())?;
        let update = judge(&story)?;
        Ok(format!(
            "the app prints {:?} (hello at version {version}); your update {:?} redefined hello \
             and its resume hook logged {:?}",
            lines[0], update.name, update.resumed[0]
        ))
    }
}

/// The learner's update, or what is wrong with it.
fn judge(story: &Story) -> Result<&Seen, String> {
    let dropped = story.dropped_note();
    let Some(update) = story.redefined(HELLO) else {
        return Err(format!(
            "no applied update redefined hello during its apply: call ctx.redefine(…) in your \
             update's apply{dropped}"
        ));
    };
    if update.name == format!("redefine {HELLO}") {
        return Err(format!(
            "hello was redefined by {:?}, moult's ready-made SafeRedefine: this exercise asks for \
             your own type implementing moult::Update{dropped}",
            update.name
        ));
    }
    if update.resumed.is_empty() {
        return Err(format!(
            "your update {:?} logged nothing from its resume hook: call ctx.log(…) in \
             resume_hook, to report that the app resumed{dropped}",
            update.name
        ));
    }
    Ok(update)
}

#[cfg(test)]
mod tests {
    use moult_protocol::{EventKind, LifecycleStep, Outcome};

    use super::*;

    fn story(name: &str, log_in_resume: bool) -> Story {
        let mut story = Story::default();
        let step = |step| EventKind::Lifecycle {
            update: name.into(),
            id: 1,
            step,
        };
        story.event(step(LifecycleStep::Apply));
        story.event(EventKind::FunctionRedefined {
            function: HELLO.into(),
            version: 1,
        });
        story.event(step(LifecycleStep::Resume));
        if log_in_resume {
            story.event(EventKind::Log {
                level: "info".into(),
                message: "resumed".into(),
            });
        }
        story.event(step(LifecycleStep::Over));
        story.event(EventKind::UpdateDone {
            update: name.into(),
            id: 1,
            outcome: Outcome::Applied,
        });
        story
    }

    #[test]
    fn a_custom_update_with_a_resume_log_passes() {
        let story = story("custom hello", true);
        assert_eq!(judge(&story).unwrap().resumed, vec!["resumed".to_string()]);
    }

    #[test]
    fn safe_redefine_or_a_silent_resume_hook_fails() {
        let err = judge(&story(&format!("redefine {HELLO}"), true)).unwrap_err();
        assert!(err.contains("SafeRedefine"), "{err}");
        let err = judge(&story("custom hello", false)).unwrap_err();
        assert!(err.contains("resume hook"), "{err}");
    }
}
