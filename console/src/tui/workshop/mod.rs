//! `moult-console tutorial` and `moult-console demo`: the tutorial's
//! exercises, run in the console.
//!
//! - [`controller`]: the screens (exercise list with progress, statement,
//!   app starting, running exercise) and how keys and news move between
//!   them; [`running`]: the running exercise — the console attached to the
//!   app, its output, check my update, reset, reveal and apply the solution;
//! - [`work_log`]: long work as a pane shows it; [`report`] and [`effect`]:
//!   what the loop tells the screens and what they ask of it;
//! - [`jobs`]: the long work itself (build and start an app, build and
//!   judge an update), on threads; [`runtime`]: the processes and threads
//!   the loop owns; [`app`]: the loop.
//!
//! The views are in [`super::view`] like the console's.

pub mod app;
pub mod controller;
pub mod effect;
pub mod jobs;
pub mod report;
pub mod running;
pub mod runtime;
pub mod work_log;

#[cfg(test)]
mod tests;
