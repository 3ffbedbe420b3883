//! Agents on other hosts. A `<target>` of `ssh://[user@]host[:port]/<app|pid>`
//! ([`address`]) or a `--via` command becomes a [`Link`] ([`link`]) that
//! runs `moult-console bridge` on the far side; a [`Route`] ([`route`])
//! opens a client over it, or over the local socket, the same way. An
//! update travels with [`upload`]; what goes wrong is said by [`failure`].
//!
//! Nothing here listens on a port: ssh (or the `--via` command) carries
//! the bytes, and decides who may reach what.

pub mod address;
pub mod failure;
pub mod link;
pub mod route;
pub mod stage;
pub mod upload;

pub use address::{Endpoint, SshAddress};
pub use failure::RemoteError;
pub use link::Link;
pub use route::{RemoteOptions, Route, RouteError};
