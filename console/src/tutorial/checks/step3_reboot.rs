//! Step 3, exercise 4: reboot the hello thread onto a new main.

use std::time::Duration;

use crate::tutorial::exercise::Exercise;

use super::pending::NotWritten;

/// The exercise.
pub static EXERCISE: Exercise = Exercise {
    id: "step3-reboot",
    step: 3,
    number: 4,
    title: "Rebooting threads",
    summary: "reboot the hello thread onto a new main",
    check_period: Duration::from_millis(20),
    serves_http: false,
    check: &NotWritten,
};
