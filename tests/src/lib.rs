//! Helpers shared by the end-to-end tests: building fixture crates with cargo
//! (same profile as the tests) and driving a fixture app over its stdin.

mod app;
mod build;
mod client;
mod demo;

pub use app::{App, private_runtime_dir};
pub use build::{build, build_into, library_path, target_dir, workspace_root};
pub use client::Client;
pub use demo::{Demo, all_in};
