//! The bounded in-process event stream.
//!
//! Emitting takes a short uncontended lock and never waits for a reader: when
//! the ring is full the oldest event is overwritten, and a reader that fell
//! behind learns how many it missed from the sequence gap.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use moult_protocol::{Event, EventKind};

/// Ring buffer of [`Event`]s with monotonic sequence numbers.
pub struct EventBus {
    /// The ring and the next sequence number, under one short lock.
    inner: Mutex<Ring>,
    /// Wakes readers blocked in [`EventBus::wait_since`].
    more: Condvar,
    /// Called with every event after it is in the ring (the agent's journal):
    /// a consumer that must see every event, which a lagging reader cannot.
    sink: OnceLock<fn(&Event)>,
    /// Called with every event after the sink: the app's `tracing` and
    /// `metrics` (`observe/`), set by the app's copy when it was built with
    /// those features. A pointer kept in the runtime, so an event emitted
    /// by an update library's copy of moult reaches the app's subscriber
    /// and recorder, not its own unset ones (docs/ARCHITECTURE.md, fact 1).
    /// Present in every build: the runtime's layout, which the fingerprint
    /// compares, must not depend on features.
    observer: OnceLock<fn(&Event)>,
}

struct Ring {
    events: VecDeque<Event>,
    capacity: usize,
    next_seq: u64,
}

/// What a reader gets: the events after its cursor, and how many it missed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    /// Events in order.
    pub events: Vec<Event>,
    /// Events overwritten before this reader saw them.
    pub dropped: u64,
    /// Cursor to pass next time.
    pub next: u64,
}

impl EventBus {
    /// Ring size used by the runtime: enough for several updates' worth of steps.
    pub const DEFAULT_CAPACITY: usize = 4096;

    /// An empty bus keeping at most `capacity` events.
    pub fn new(capacity: usize) -> EventBus {
        EventBus {
            inner: Mutex::new(Ring {
                events: VecDeque::with_capacity(capacity.min(1024)),
                capacity: capacity.max(1),
                next_seq: 0,
            }),
            more: Condvar::new(),
            sink: OnceLock::new(),
            observer: OnceLock::new(),
        }
    }

    /// Appends an event, stamped with `at_ms`; returns its sequence number.
    pub fn emit_at(&self, at_ms: u64, kind: EventKind) -> u64 {
        let mut ring = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let seq = ring.next_seq;
        ring.next_seq += 1;
        if ring.events.len() == ring.capacity {
            ring.events.pop_front();
        }
        let event = Event { seq, at_ms, kind };
        let sink = self.sink.get().copied();
        let observer = self.observer.get().copied();
        if sink.is_none() && observer.is_none() {
            ring.events.push_back(event);
            drop(ring);
        } else {
            ring.events.push_back(event.clone());
            drop(ring);
            if let Some(sink) = sink {
                sink(&event);
            }
            if let Some(observer) = observer {
                observer(&event);
            }
        }
        self.more.notify_all();
        seq
    }

    /// Appends an event stamped with the runtime's uptime.
    pub fn emit(&self, kind: EventKind) -> u64 {
        self.emit_at(crate::runtime().uptime_ms(), kind)
    }

    /// Installs the one sink (the agent's journal); `false` if one is set.
    pub(crate) fn set_sink(&self, sink: fn(&Event)) -> bool {
        self.sink.set(sink).is_ok()
    }

    /// Installs the one observer (`observe/`); `false` if one is set.
    #[cfg(any(feature = "tracing", feature = "metrics"))]
    pub(crate) fn set_observer(&self, observer: fn(&Event)) -> bool {
        self.observer.set(observer).is_ok()
    }

    /// Sequence number the next event will get (a cursor for "from now on").
    pub fn cursor(&self) -> u64 {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .next_seq
    }

    /// Events with `seq >= cursor`.
    pub fn since(&self, cursor: u64) -> Batch {
        let ring = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        Self::collect(&ring, cursor)
    }

    /// Like [`EventBus::since`], but waits up to `timeout` for at least one event.
    pub fn wait_since(&self, cursor: u64, timeout: Duration) -> Batch {
        let deadline = Instant::now() + timeout;
        let mut ring = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        while ring.next_seq <= cursor {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            ring = self
                .more
                .wait_timeout(ring, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        Self::collect(&ring, cursor)
    }

    fn collect(ring: &Ring, cursor: u64) -> Batch {
        let oldest = ring.events.front().map_or(ring.next_seq, |e| e.seq);
        let dropped = oldest.saturating_sub(cursor);
        let events = ring
            .events
            .iter()
            .filter(|e| e.seq >= cursor)
            .cloned()
            .collect();
        Batch {
            events,
            dropped,
            next: ring.next_seq,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(i: u64) -> EventKind {
        EventKind::Log {
            level: "info".into(),
            message: i.to_string(),
        }
    }

    #[test]
    fn a_reader_that_falls_behind_learns_how_many_it_missed() {
        let bus = EventBus::new(4);
        for i in 0..10 {
            bus.emit_at(i, log(i));
        }
        let batch = bus.since(0);
        assert_eq!(batch.dropped, 6);
        assert_eq!(
            batch.events.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![6, 7, 8, 9]
        );
        assert_eq!(batch.next, 10);
        let next = bus.since(batch.next);
        assert!(next.events.is_empty());
        assert_eq!(next.dropped, 0);
    }

    #[test]
    fn wait_since_wakes_on_emit() {
        let bus = std::sync::Arc::new(EventBus::new(16));
        let b = bus.clone();
        let t = std::thread::spawn(move || b.wait_since(0, Duration::from_secs(10)));
        std::thread::sleep(Duration::from_millis(20));
        bus.emit_at(1, log(1));
        let batch = t.join().unwrap();
        assert_eq!(batch.events.len(), 1);
    }
}
