//! The tutorial's screens, plugged into the console's one
//! [`crate::tui::shell`] like `attach`:
//!
//! - [`workshop`]: the screens (exercise list with progress, statement,
//!   app starting, running exercise) and how keys and news move between
//!   them; [`running`]: the running exercise — the console attached to the
//!   app, its output, check my update, reset, hints one at a time
//!   ([`hint_pane`]), reveal and apply the solution;
//! - [`report`] and [`work`]: what the host tells the screens and what they
//!   ask of it beyond the console's effects;
//! - [`jobs`]: the long work itself (build and start an app, build and
//!   judge an update), on threads; [`host`]: the processes and threads the
//!   screens own; [`run`]: `tutorial` and `demo`, into the shell.
//!
//! Their views are in [`super::view`].

pub mod hint_pane;
pub mod host;
pub mod jobs;
pub mod report;
pub mod run;
pub mod running;
pub mod work;
pub mod workshop;

#[cfg(test)]
mod tests;
