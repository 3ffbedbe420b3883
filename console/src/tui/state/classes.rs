//! Tracked classes as the console shows them: live instances per version,
//! their count over time, and the progress of a conversion.

use std::collections::HashMap;

use moult_protocol::{ClassChange, ClassInfo};

use super::History;

/// How far a conversion of a class's instances has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conversion {
    /// Instances converted so far.
    pub converted: u64,
    /// Instances to convert in all.
    pub total: u64,
    /// Lazy (each instance on its next access, or all at once on `convert`)
    /// rather than eager (during the update).
    pub lazy: bool,
}

impl Conversion {
    /// Converted / total in `0.0..=1.0` (an empty conversion is complete).
    pub fn ratio(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.converted.min(self.total) as f64 / self.total as f64
        }
    }
}

/// One tracked class.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassRow {
    /// The agent's latest word on it.
    pub info: ClassInfo,
    /// Live instances of every version now.
    pub live: u64,
    /// Past live counts, for the sparkline.
    pub history: History,
    /// The last conversion seen, if any: a lazy one is pending while
    /// `converted < total`.
    pub conversion: Option<Conversion>,
}

impl ClassRow {
    /// Whether a lazy conversion still has instances to convert (what `convert` finishes).
    pub fn lazy_pending(&self) -> bool {
        self.info.pending_lazy > 0
    }
}

/// Every tracked class, in the agent's order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Classes {
    /// Rows in the order of the last snapshot.
    pub rows: Vec<ClassRow>,
}

impl Classes {
    /// Takes a new snapshot's classes, keeping histories and conversions.
    pub fn snapshot(&mut self, classes: &[ClassInfo]) {
        let mut old: HashMap<String, ClassRow> = self
            .rows
            .drain(..)
            .map(|row| (row.info.name.clone(), row))
            .collect();
        self.rows = classes
            .iter()
            .map(|info| {
                let live: u64 = info.versions.iter().map(|v| v.live).sum();
                let mut row = old.remove(&info.name).unwrap_or_else(|| ClassRow {
                    info: info.clone(),
                    live,
                    history: History::default(),
                    conversion: None,
                });
                row.info = info.clone();
                row.live = live;
                row.history.push(live);
                row.conversion = lazy_progress(row.conversion, info.pending_lazy);
                row
            })
            .collect();
    }

    /// A `class_redefined` event: the new version at once; a lazy
    /// conversion starts a new gauge, counted from the next snapshot (a
    /// rollback or any other change ends the one shown).
    pub fn redefined(&mut self, class: &str, version: u32, change: ClassChange) {
        if let Some(row) = self.rows.iter_mut().find(|r| r.info.name == class) {
            row.info.version = version;
            row.conversion = (change == ClassChange::LazyConversion).then_some(Conversion {
                converted: 0,
                total: 0,
                lazy: true,
            });
        }
    }

    /// A `conversion_progress` event.
    pub fn progress(&mut self, class: &str, converted: u64, total: u64) {
        if let Some(row) = self.rows.iter_mut().find(|r| r.info.name == class) {
            let lazy = row.conversion.is_some_and(|c| c.lazy);
            row.conversion = Some(Conversion {
                converted,
                total,
                lazy,
            });
        }
    }
}

/// The conversion after a snapshot saying `pending` instances still wait
/// for a lazy conversion: its total is the most ever seen pending since it started, so the
/// gauge fills as instances are accessed.
fn lazy_progress(conversion: Option<Conversion>, pending: u64) -> Option<Conversion> {
    match conversion {
        Some(c) if c.lazy => {
            let total = c.total.max(pending);
            Some(Conversion {
                converted: total - pending,
                total,
                lazy: true,
            })
        }
        // Pending instances without a redefinition seen: the console
        // attached mid-conversion; count from here.
        None if pending > 0 => Some(Conversion {
            converted: 0,
            total: pending,
            lazy: true,
        }),
        // An eager conversion's progress is shown while its update runs;
        // the snapshot after it tells the versions (rolled back or not).
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use moult_protocol::VersionCount;

    use super::*;

    fn class(pending: u64, live: &[(u32, u64)]) -> ClassInfo {
        ClassInfo {
            name: "app::Data".into(),
            version: 1,
            versions: live
                .iter()
                .map(|&(version, live)| VersionCount {
                    version,
                    type_name: format!("V{version}"),
                    live,
                })
                .collect(),
            pending_lazy: pending,
        }
    }

    #[test]
    fn a_lazy_conversion_fills_as_pending_instances_drop() {
        let mut cs = Classes::default();
        cs.snapshot(&[class(0, &[(0, 10)])]);
        assert_eq!(cs.rows[0].conversion, None);
        cs.redefined("app::Data", 1, ClassChange::LazyConversion);
        cs.snapshot(&[class(10, &[(0, 10)])]);
        cs.snapshot(&[class(4, &[(0, 4), (1, 6)])]);
        let c = cs.rows[0].conversion.unwrap();
        assert_eq!((c.converted, c.total, c.lazy), (6, 10, true));
        assert!((c.ratio() - 0.6).abs() < 1e-9);
        assert!(cs.rows[0].lazy_pending());
        let live: Vec<u64> = cs.rows[0].history.tail(5).collect();
        assert_eq!(live, [10, 10, 10]);
    }

    #[test]
    fn attaching_mid_conversion_counts_from_there_and_events_give_eager_progress() {
        let mut cs = Classes::default();
        cs.snapshot(&[class(3, &[(0, 3), (1, 2)])]);
        assert_eq!(
            cs.rows[0].conversion,
            Some(Conversion {
                converted: 0,
                total: 3,
                lazy: true
            })
        );
        cs.redefined("app::Data", 2, ClassChange::EagerConversion);
        assert_eq!(cs.rows[0].info.version, 2);
        cs.progress("app::Data", 2, 5);
        assert_eq!(
            cs.rows[0].conversion,
            Some(Conversion {
                converted: 2,
                total: 5,
                lazy: false
            })
        );
    }

    #[test]
    fn a_rolled_back_lazy_conversion_ends_its_gauge() {
        let mut cs = Classes::default();
        cs.snapshot(&[class(0, &[(0, 10)])]);
        cs.redefined("app::Data", 1, ClassChange::LazyConversion);
        assert!(cs.rows[0].conversion.is_some_and(|c| c.lazy));
        cs.redefined("app::Data", 0, ClassChange::RolledBack);
        assert_eq!(cs.rows[0].info.version, 0);
        assert_eq!(cs.rows[0].conversion, None);
        // A constructor swap starts no gauge either.
        cs.redefined("app::Data", 1, ClassChange::Constructor);
        assert_eq!(cs.rows[0].conversion, None);
    }
}
