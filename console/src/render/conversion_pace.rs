//! Which conversion progress events are worth a line of their own when
//! events are printed one a line (`apply`, `watch`, a check's log): the
//! first, one per further tenth of the instances, and the last. The agent
//! reports about every hundredth instance, which for a class of 50
//! instances is every one of them.

use std::collections::HashMap;

use moult_protocol::EventKind;

/// Remembers, per class, the last tenth shown.
#[derive(Debug, Clone, Default)]
pub struct ConversionPace {
    /// Class name → the tenth of its instances converted when last shown.
    shown: HashMap<String, u64>,
}

impl ConversionPace {
    /// Whether an event of `kind` gets its line: every event that is not a
    /// conversion's progress does.
    pub fn show(&mut self, kind: &EventKind) -> bool {
        let EventKind::ConversionProgress {
            class,
            converted,
            total,
        } = kind
        else {
            return true;
        };
        if converted >= total {
            self.shown.remove(class);
            return true;
        }
        let tenth = converted * 10 / (*total).max(1);
        match self.shown.get(class) {
            Some(&last) if tenth <= last => false,
            _ => {
                self.shown.insert(class.clone(), tenth);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress(converted: u64) -> EventKind {
        EventKind::ConversionProgress {
            class: "app::Integer".into(),
            converted,
            total: 50,
        }
    }

    #[test]
    fn fifty_instances_converted_one_by_one_print_a_line_a_tenth() {
        // Defect 13: an eager re-conversion printed 1/50 ... 50/50.
        let mut pace = ConversionPace::default();
        let shown: Vec<u64> = (1..=50).filter(|&n| pace.show(&progress(n))).collect();
        assert_eq!(shown, [1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50]);
        let log = EventKind::Log {
            level: "info".into(),
            message: "x".into(),
        };
        assert!(pace.show(&log));
        assert!(pace.show(&progress(1)), "a new conversion starts afresh");
    }
}
