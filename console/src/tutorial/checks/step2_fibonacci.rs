//! Step 2, exercise 1: convert Data and redefine sum, as two independent updates.

use std::time::Duration;

use crate::tutorial::exercise::Exercise;

use super::pending::NotWritten;

/// The exercise.
pub static EXERCISE: Exercise = Exercise {
    id: "step2-fibonacci",
    step: 2,
    number: 1,
    title: "Back to updating Data",
    summary: "convert Data and redefine sum, as two independent updates",
    check_period: Duration::from_millis(20),
    serves_http: false,
    check: &NotWritten,
};
