//! `moult-console bridge`, the far side of a remote connection: run by ssh
//! (or a `--via` command) as the remote user, it reaches only that user's
//! agents, through the same runtime directory, modes and peer checks as a
//! local console. It opens no port: its stdin and stdout are the
//! connection.
//!
//! [`pipe`] carries the agent's protocol, byte for byte, between stdio and
//! the agent's socket; [`receive`] takes an update library over stdin into
//! the runtime directory (`bridge --receive`), for a remote `apply`.

pub mod pipe;
pub mod receive;
