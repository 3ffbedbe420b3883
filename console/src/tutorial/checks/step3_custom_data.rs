//! Step 3, exercise 2: one hand-written update: redefine sum and convert every Data together.

use std::time::Duration;

use crate::tutorial::exercise::Exercise;

use super::pending::NotWritten;

/// The exercise.
pub static EXERCISE: Exercise = Exercise {
    id: "step3-custom-data",
    step: 3,
    number: 2,
    title: "The return of the Data update",
    summary: "one hand-written update: redefine sum and convert every Data together",
    check_period: Duration::from_millis(20),
    serves_http: false,
    check: &NotWritten,
};
