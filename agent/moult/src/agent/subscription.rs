//! The event pump of a subscribed connection: a snapshot first, then event
//! batches and periodic snapshots at a bounded rate.
//!
//! The pump never waits on the client: it queues without blocking, and a
//! client whose queue is full has fallen behind and is dropped, told how
//! many events it did not get.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use moult_protocol::ServerMessage;

use super::outbox::Outbox;
use super::snapshot;

/// At most this many `events` messages per second go to one subscriber,
/// on average (a token bucket).
pub(crate) const MAX_BATCHES_PER_SEC: f64 = 20.0;
/// Messages that may go out back to back before the rate applies: an
/// update's whole lifecycle reaches the console at once, a flood does not.
pub(crate) const BURST: f64 = 8.0;
/// After the first event wakes the pump, it waits this long for the events
/// that usually follow (one update emits a dozen within a millisecond or two).
pub(crate) const COALESCE: Duration = Duration::from_millis(2);
/// Events per `events` message at most: with [`MAX_BATCHES_PER_SEC`], the
/// most events per second a subscriber is sent; more are reported as dropped.
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
    let mut tokens = BURST;
    let mut refilled = Instant::now();
    let mut cursor = first.next_event;
    // The `subscribed` reply is queued by the reader after this returns;
    // the client handles `state` before or after it alike.
    if !outbox.send(&ServerMessage::State { snapshot: first }) {
        return;
    }
    let mut last_state = Instant::now();
    while !shared.closed.load(Ordering::Acquire) {
        // One `events` message per token: a burst beyond the rate stays in
        // the ring, and what the ring overwrites meanwhile is reported as
        // `dropped` instead of flooding the client.
        tokens = (tokens + refilled.elapsed().as_secs_f64() * MAX_BATCHES_PER_SEC).min(BURST);
        refilled = Instant::now();
        if tokens < 1.0 {
            let wait = (1.0 - tokens) / MAX_BATCHES_PER_SEC;
            std::thread::sleep(Duration::from_secs_f64(wait));
            continue;
        }
        let mut batch = rt.events.wait_since(cursor, Duration::from_millis(250));
        if !batch.events.is_empty() && batch.events.len() < MAX_EVENTS_PER_BATCH {
            std::thread::sleep(COALESCE);
            batch = rt.events.since(cursor);
        }
        let mut events = batch.events;
        events.truncate(MAX_EVENTS_PER_BATCH);
        cursor = events.last().map_or(batch.next, |e| e.seq + 1);
        if !events.is_empty() || batch.dropped > 0 {
            let n = events.len() as u64;
            let msg = ServerMessage::Events {
                events,
                dropped: batch.dropped,
            };
            if !outbox.try_send(&msg, n) {
                too_slow(outbox, n);
                return;
            }
            tokens -= 1.0;
        }
        if last_state.elapsed() >= STATE_EVERY {
            last_state = Instant::now();
            let msg = ServerMessage::State {
                snapshot: snapshot::take(rt),
            };
            if !outbox.try_send(&msg, 0) {
                too_slow(outbox, 0);
                return;
            }
        }
    }
}

/// The client's queue is full: the writer closes it and reports the loss.
fn too_slow(outbox: &Outbox, lost: u64) {
    let total = outbox.shared.undelivered.fetch_add(lost, Ordering::AcqRel) + lost;
    outbox.drop_slow_client(format!(
        "too slow: the client fell behind and {total} events were not delivered; reconnect and subscribe again"
    ));
}
