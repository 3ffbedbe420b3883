//! The parts of `moult-console` that are not the command line: finding an
//! agent ([`target`]), talking to it ([`client`]), building an update crate
//! ([`update_build`]), following queued updates to their outcome
//! ([`follow`]), the exit codes scripts rely on ([`exit`]), reading a journal
//! file once its app has exited ([`journal_file`]), signing update libraries
//! ([`signing`]), writing an update crate from a running app's snapshot
//! ([`scaffold`]) and the human text for everything the agent reports
//! ([`render`]); agents on other hosts ([`remote`]: ssh or `--via`, over the
//! [`transport`] the client speaks through) and the far side's [`bridge`];
//! the live views of many targets ([`live_targets`], shared by the
//! [`fleet_view`] and the leader's [`workshop`]).
//!
//! The CLI (`src/main.rs`) is a thin layer over these; a TUI and the tests
//! reuse them as they are.

#![warn(missing_docs)]

pub mod bridge;
pub mod client;
pub mod exit;
pub mod fleet_view;
pub mod follow;
pub mod journal_file;
pub mod library_fingerprint;
pub mod live_targets;
pub mod remote;
pub mod render;
pub mod scaffold;
pub mod signing;
pub mod target;
pub mod transport;
pub mod tui;
pub mod tutorial;
pub mod update_build;
pub mod workshop;

/// The name this console gives itself in the hello exchange (the agent logs it).
pub const CLIENT_NAME: &str = concat!("moult-console ", env!("CARGO_PKG_VERSION"));
