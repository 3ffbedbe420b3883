//! kv-server: a key-value server speaking the Redis protocol (RESP2) on
//! tokio, written to be updated live by moult while clients such as
//! redis-cli and redis-benchmark keep talking to it.
//!
//! - [`resp`] reads commands from a client's bytes (arrays of bulk strings
//!   and inline commands, partial and pipelined); [`reply`] writes answers.
//! - [`commands`] dispatches and runs them: [`commands::execute`] and the
//!   handlers are `#[moult::hot]`, so an update can add or change commands.
//! - [`keyspace`] holds the keys; their values are instances of the
//!   tracked class [`entry::ENTRY`], so an update can convert every stored
//!   value to a new format, lazily, while it is being read and written.
//! - [`server`] runs a tokio task per connection and one that purges
//!   expired keys.
//!
//! The app is a library (this crate) and a binary (`main.rs`) so that the
//! update crates in `demo-apps/kv-server/updates/` can name its functions,
//! class and types.

pub mod commands;
pub mod entry;
pub mod keyspace;
pub mod reply;
pub mod resp;
pub mod server;

pub use keyspace::Keyspace;
pub use reply::Reply;

/// The port kv-server listens on without `--port` (Redis's 6379, plus one).
pub const DEFAULT_PORT: u16 = 6380;
