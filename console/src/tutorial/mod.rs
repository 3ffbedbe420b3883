//! The tutorial, runnable: the exercise catalog, building and running each
//! exercise's demo app with its output captured, applying a learner's
//! update, and the checks that say whether it did what the exercise asks.
//! `moult-console check`, `demo` and `tutorial` are built on this, and the
//! learner's progress through it is kept ([`progress`]).
//!
//! The tutorial in the console: its [`screens`] (state, keys, the host of
//! its processes) and their [`view`]s, plugged into the console's shell.

pub mod app_build;
pub mod app_process;
pub mod apply;
pub mod catalog;
pub mod check;
pub mod check_result;
pub mod checks;
pub mod exercise;
pub mod hints;
pub mod output_log;
pub mod progress;
pub mod runner;
pub mod screens;
pub mod update_story;
pub mod view;
pub mod workspace;
