//! The full live state, as one [`Snapshot`].

use moult_protocol::Snapshot;

use crate::Runtime;

/// Reads every registry. The event cursor is taken first, so every event
/// after `next_event` happened after (or during) the snapshot: a subscriber
/// that applies them on top misses nothing.
pub(crate) fn take(rt: &Runtime) -> Snapshot {
    let next_event = rt.events.cursor();
    Snapshot {
        agent: super::info().clone(),
        uptime_ms: rt.uptime_ms(),
        threads: rt.threads(),
        functions: rt.functions(),
        tasks: rt.tasks.infos(),
        classes: rt.classes(),
        updates: rt.updates(),
        next_event,
        connections: super::counters::open_connections() as u32,
        dropped_subscribers: super::counters::dropped_subscribers(),
    }
}
