//! The live event log: the newest events of the stream, bounded.

use std::collections::VecDeque;

use moult_protocol::Event;

/// Events kept: a screenful many times over, bounded so a chatty app does
/// not grow the console.
pub const EVENTS_KEPT: usize = 1000;

/// The newest [`EVENTS_KEPT`] events, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventLog {
    /// Oldest first.
    events: VecDeque<Event>,
}

impl EventLog {
    /// Adds an event, dropping the oldest when full.
    pub fn push(&mut self, event: Event) {
        if self.events.len() == EVENTS_KEPT {
            self.events.pop_front();
        }
        self.events.push_back(event);
    }

    /// The newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &Event> {
        self.events.iter().rev()
    }

    /// How many are kept.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether none was seen.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use moult_protocol::EventKind;

    use super::*;

    #[test]
    fn keeps_the_newest() {
        let mut log = EventLog::default();
        for seq in 0..(EVENTS_KEPT as u64 + 1) {
            log.push(Event {
                seq,
                at_ms: seq,
                kind: EventKind::Log {
                    level: "info".into(),
                    message: String::new(),
                },
            });
        }
        assert_eq!(log.len(), EVENTS_KEPT);
        assert_eq!(
            log.newest_first().next().map(|e| e.seq),
            Some(EVENTS_KEPT as u64)
        );
        assert_eq!(log.newest_first().last().map(|e| e.seq), Some(1));
    }
}
