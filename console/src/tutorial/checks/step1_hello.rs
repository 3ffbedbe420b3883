//! Step 1, exercise 1: `hello` is redefined; the app greets someone else.

use std::time::Duration;

use crate::tutorial::check::{Baseline, Check, Probe, function_version};
use crate::tutorial::exercise::Exercise;

/// The exercise.
pub static EXERCISE: Exercise = Exercise {
    id: "step1-hello",
    step: 1,
    number: 1,
    title: "Hello world",
    summary: "redefine hello() with a safe redefine",
    check_period: Duration::from_millis(20),
    serves_http: false,
    check: &HelloCheck,
};

/// Before: `hello world`. After: lines that still start with `hello` but
/// greet someone else, and `step1_hello::hello` at version 1 or more.
pub struct HelloCheck;

impl Check for HelloCheck {
    fn before(&self, probe: &Probe<'_>) -> Result<Baseline, String> {
        probe.expect_line("`hello world`", |l| l == "hello world")?;
        Ok(Box::new(()))
    }

    fn after(&self, probe: &Probe<'_>, _: Baseline) -> Result<String, String> {
        let lines = probe.settled_lines(2, 3)?;
        if let Some(old) = lines.iter().find(|l| *l == "hello world") {
            return Err(format!(
                "the app still prints {old:?}: hello was not redefined"
            ));
        }
        if let Some(other) = lines.iter().find(|l| !l.starts_with("hello")) {
            return Err(format!(
                "the app prints {other:?}; the new hello should still start with `hello` (hello <your name>)"
            ));
        }
        let version = function_version(&probe.snapshot()?, "step1_hello::hello")?;
        if version == 0 {
            return Err("step1_hello::hello is still at version 0".into());
        }
        Ok(format!(
            "the app prints {:?} (hello at version {version})",
            lines[0]
        ))
    }
}
