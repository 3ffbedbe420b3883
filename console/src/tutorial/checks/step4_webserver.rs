//! Step 4, exercise 2: add users and a login to a live HTTP server.

use std::time::Duration;

use crate::tutorial::exercise::Exercise;

use super::pending::NotWritten;

/// The exercise.
pub static EXERCISE: Exercise = Exercise {
    id: "step4-webserver",
    step: 4,
    number: 2,
    title: "Web server",
    summary: "add users and a login to a live HTTP server",
    check_period: Duration::from_millis(20),
    serves_http: true,
    check: &NotWritten,
};
