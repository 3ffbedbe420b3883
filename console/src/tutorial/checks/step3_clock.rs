//! Step 3, exercise 3: update tic and tac only at the loop's update point.

use std::time::Duration;

use crate::tutorial::exercise::Exercise;

use super::pending::NotWritten;

/// The exercise.
pub static EXERCISE: Exercise = Exercise {
    id: "step3-clock",
    step: 3,
    number: 3,
    title: "The clock never stops ticking",
    summary: "update tic and tac only at the loop's update point",
    check_period: Duration::from_millis(20),
    serves_http: false,
    check: &NotWritten,
};
