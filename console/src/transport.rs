//! How a [`Client`](crate::client::Client) reaches an agent: the bytes of
//! the JSON-lines protocol go over a [`Transport`], and the client is the
//! same whichever it is.
//!
//! Two exist: [`socket::SocketTransport`], the agent's local socket, and
//! [`child::ChildTransport`], the stdin and stdout of a command that pipes
//! the protocol to an agent elsewhere (`ssh host moult-console bridge app`,
//! `kubectl exec -i pod -- moult-console bridge app`). A fleet opens many of
//! either; each is one connection and owns nothing shared.

pub mod child;
pub mod socket;
pub mod stderr_tail;

use std::io::{self, Read};
use std::time::Duration;

use crate::remote::RemoteError;

/// One connection carrying the protocol's lines both ways.
pub trait Transport: Send {
    /// The reading half, handed once to the client's reader thread.
    /// `None` when it was already taken.
    fn take_reader(&mut self) -> Option<Box<dyn Read + Send>>;

    /// Writes `bytes` (one or more whole lines) to the agent.
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()>;

    /// Why the connection ended, once the reading half met its end: `None`
    /// for a clean end (the agent closed it, as when the app exits), else
    /// what went wrong on the way (ssh lost the host, the bridge could not
    /// reach the agent).
    fn end_error(&mut self) -> Option<RemoteError>;

    /// How long a subscribed connection may stay silent before it counts as
    /// lost. An agent sends its state every second to a subscriber, so a
    /// long silence over a network means the link is gone even when no
    /// error says so. `None`: wait as long as it takes (a local socket
    /// breaks loudly).
    fn idle_limit(&self) -> Option<Duration>;

    /// Who is at the other end, for messages (`db1`, `the local agent`).
    fn peer(&self) -> String;

    /// Ends the connection now, so the reader thread, blocked in `read`,
    /// ends with the client.
    fn close(&mut self);
}
