//! Step 2, exercise 2: convert 10 000 Integers lazily (doubled) and redefine Serie's display (shuffled).

use std::time::Duration;

use crate::tutorial::exercise::Exercise;

use super::pending::NotWritten;

/// The exercise.
pub static EXERCISE: Exercise = Exercise {
    id: "step2-series",
    step: 2,
    number: 2,
    title: "Series of integers",
    summary: "convert 10 000 Integers lazily (doubled) and redefine Serie's display (shuffled)",
    check_period: Duration::from_millis(20),
    serves_http: false,
    check: &NotWritten,
};
