//! The event pump of a subscribed connection: a snapshot first, then event
//! batches and periodic snapshots at a bounded rate.
//!
//! The pump never waits on the client: it queues without blocking, and a
//! client whose queue is full has fallen behind and is dropped, told how
//! many events it did not get.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use moult_protocol::ServerMessage;

use super::connection::Outbox;
use super::snapshot;

/// At most this many messages per second go to one subscriber.
pub(crate) const MAX_BATCHES_PER_SEC: u32 = 20;
/// Events per `events` message at most (bigger bursts span several).
pub(crate) const MAX_EVENTS_PER_BATCH: usize = 512;
/// A fresh `state` message this often (calls and live counts move without events).
pub(crate) const STATE_EVERY: Duration = Duration::from_secs(1);

/// Starts the pump thread; returns the sequence number of the first event
/// it will send (the snapshot it sends first reflects everything before).
pub(crate) fn start(outbox: Outbox, name: &str) -> std::io::Result<u64> {
    let rt = crate::runtime();
    let first = snapshot::take(rt);
    let from = first.next_event;
    std::thread::Builder::new()
        .name(format!("{name}-sub"))
        .spawn(move || pump(&outbox, first))?;
    Ok(from)
}

fn pump(outbox: &Outbox, first: moult_protocol::Snapshot) {
    let rt = crate::runtime();
    let shared = &outbox.shared;
    let gap = Duration::from_secs(1) / MAX_BATCHES_PER_SEC;
    let mut cursor = first.next_event;
    // The `subscribed` reply is queued by the reader after this returns;
    // the client handles `state` before or after it alike.
    if !outbox.send(&ServerMessage::State { snapshot: first }) {
        return;
    }
    let mut last_state = Instant::now();
    while !shared.closed.load(Ordering::Acquire) {
        let batch = rt.events.wait_since(cursor, Duration::from_millis(250));
        cursor = batch.next;
        let mut dropped = batch.dropped;
        let mut events = batch.events;
        while !events.is_empty() || dropped > 0 {
            let rest = events.split_off(events.len().min(MAX_EVENTS_PER_BATCH));
            let n = events.len() as u64;
            let msg = ServerMessage::Events { events, dropped };
            if !outbox.try_send(&msg) {
                too_slow(outbox, n + rest.len() as u64);
                return;
            }
            events = rest;
            dropped = 0;
        }
        if last_state.elapsed() >= STATE_EVERY {
            last_state = Instant::now();
            let msg = ServerMessage::State {
                snapshot: snapshot::take(rt),
            };
            if !outbox.try_send(&msg) {
                too_slow(outbox, 0);
                return;
            }
        }
        std::thread::sleep(gap);
    }
}

fn too_slow(outbox: &Outbox, lost: u64) {
    let shared = &outbox.shared;
    let total = shared.undelivered.fetch_add(lost, Ordering::AcqRel) + lost;
    outbox.drop_slow_client(format!(
        "too slow: the client stopped reading and {total} events were not delivered; reconnect and subscribe again"
    ));
    crate::runtime()
        .events
        .emit(moult_protocol::EventKind::Log {
            level: "warn".into(),
            message: format!(
                "moult agent: dropped a subscriber that fell behind ({total} events undelivered)"
            ),
        });
}
