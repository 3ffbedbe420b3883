//! Step 4, exercise 1: DynamOS-style: intermediate versions, a flag flip with the data, final versions.

use std::time::Duration;

use crate::tutorial::exercise::Exercise;

use super::pending::NotWritten;

/// The exercise.
pub static EXERCISE: Exercise = Exercise {
    id: "step4-simultaneous",
    step: 4,
    number: 1,
    title: "Simultaneous update",
    summary: "DynamOS-style: intermediate versions, a flag flip with the data, final versions",
    check_period: Duration::from_millis(20),
    serves_http: false,
    check: &NotWritten,
};
