//! Helpers shared by the end-to-end tests: building fixture crates with cargo
//! (same profile as the tests), driving a fixture app over its stdin,
//! driving the console in tmux, a private OpenSSH server for the remote
//! tests, and kv-server through redis-cli and
//! redis-benchmark.

mod app;
mod build;
mod client;
mod demo;
mod guarded;
mod redis;
mod remote_console;
mod sshd;
mod tmux;

pub use app::{App, effective_uid, private_runtime_dir};
pub use build::{build, build_into, library_path, target_dir, workspace_root};
pub use client::Client;
pub use demo::{Demo, all_in};
pub use guarded::wait_guarded;
pub use redis::{Benchmark, KvServer, require_redis_tools};
pub use remote_console::{console_bin_dir, exit_and_output, spawn_remote_console};
pub use sshd::Sshd;
pub use tmux::{Tmux, line_of};
