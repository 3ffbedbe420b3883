//! Helpers shared by the end-to-end tests: building fixture crates with cargo
//! (same profile as the tests) and driving a fixture app over its stdin.

mod app;
mod build;

pub use app::App;
pub use build::{build, library_path, target_dir, workspace_root};
