//! What the parts of one connection share, and the queue its replies and
//! events go out by: below the transport (`connection.rs`) and the
//! request handlers (`dispatch.rs`, `subscription.rs`), which all use it.

use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use interprocess::local_socket::Stream;
use moult_protocol::ServerMessage;

/// What the reader, the writer and the pump of one connection share.
pub(crate) struct Shared {
    /// The socket; reads on the reader thread, writes on the writer thread.
    pub(crate) stream: Stream,
    /// Set once the connection is going away: the pump stops.
    pub(crate) closed: AtomicBool,
    /// Set when the client fell behind: the writer sends `closing` and quits.
    pub(crate) too_slow: Mutex<Option<String>>,
    /// Events the pump could not queue for this client (reported on close).
    pub(crate) undelivered: AtomicU64,
    /// Subscribed connections are exempt from the idle timeout.
    pub(crate) subscribed: AtomicBool,
}

impl Shared {
    /// A fresh connection: open, in time, not subscribed.
    pub(crate) fn new(stream: Stream) -> Shared {
        Shared {
            stream,
            closed: AtomicBool::new(false),
            too_slow: Mutex::new(None),
            undelivered: AtomicU64::new(0),
            subscribed: AtomicBool::new(false),
        }
    }
}

/// One queued line and how many events it carries (counted as undelivered
/// if the client is dropped before it is written).
pub(crate) type Line = (String, u64);

/// The sending side a dispatcher and a pump use.
#[derive(Clone)]
pub(crate) struct Outbox {
    /// The bounded queue to the writer.
    pub(crate) tx: SyncSender<Line>,
    /// The connection (to mark it too slow).
    pub(crate) shared: Arc<Shared>,
}

impl Outbox {
    /// Queues a message, waiting for room (replies: the client asked for them).
    pub(crate) fn send(&self, msg: &ServerMessage) -> bool {
        self.tx.send((encode(msg), 0)).is_ok()
    }

    /// Queues a message carrying `events` events without waiting; `false`
    /// if the queue is full or closed.
    pub(crate) fn try_send(&self, msg: &ServerMessage, events: u64) -> bool {
        match self.tx.try_send((encode(msg), events)) {
            Ok(()) => true,
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => false,
        }
    }

    /// Marks the client too slow: the writer closes it with `reason`.
    pub(crate) fn drop_slow_client(&self, reason: String) {
        let mut slot = self
            .shared
            .too_slow
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert(reason);
    }
}

/// A message as one line of the protocol.
pub(crate) fn encode(msg: &ServerMessage) -> String {
    let mut line = serde_json::to_string(msg).unwrap_or_else(|e| {
        format!(r#"{{"type":"closing","reason":"agent could not encode a reply: {e}"}}"#)
    });
    line.push('\n');
    line
}
