//! Step 3, exercise 1: a hand-written update: wait for hello's quiescence, apply, resume hook.

use std::time::Duration;

use crate::tutorial::exercise::Exercise;

use super::pending::NotWritten;

/// The exercise.
pub static EXERCISE: Exercise = Exercise {
    id: "step3-custom-hello",
    step: 3,
    number: 1,
    title: "Hello again",
    summary: "a hand-written update: wait for hello's quiescence, apply, resume hook",
    check_period: Duration::from_millis(20),
    serves_http: false,
    check: &NotWritten,
};
