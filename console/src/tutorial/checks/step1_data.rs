//! Step 1, exercise 3: every `Data` is converted, eagerly, to a version
//! with an origin.

use std::time::Duration;

use crate::tutorial::check::{Baseline, Check, Probe, class, live_at};
use crate::tutorial::exercise::Exercise;

/// The exercise.
pub static EXERCISE: Exercise = Exercise {
    id: "step1-data",
    step: 1,
    number: 3,
    title: "Updating data",
    summary: "convert every Data, eagerly, to a version with an origin",
    check_period: Duration::from_millis(20),
    serves_http: false,
    check: &DataCheck,
};

/// Before: `data 1` … `data 5`. After: each printed `data N from <origin>`,
/// and the agent counts the five instances at the new version, none left at
/// version 0 (the conversion was eager).
pub struct DataCheck;

impl Check for DataCheck {
    fn before(&self, probe: &Probe<'_>) -> Result<Baseline, String> {
        probe.expect_line("`data 5`", |l| l == "data 5")?;
        Ok(Box::new(()))
    }

    fn after(&self, probe: &Probe<'_>, _: Baseline) -> Result<String, String> {
        // Start at a turn's first line, once the old version is flushed.
        let first = probe.expect_line("`data 1 from …`", |l| l.starts_with("data 1 from "))?;
        let lines = probe.from_mark(first.seq).lines(5)?;
        for (i, line) in lines.iter().enumerate() {
            let prefix = format!("data {} from ", i + 1);
            match line.strip_prefix(&prefix) {
                Some(origin) if !origin.trim().is_empty() => {}
                _ => {
                    return Err(format!(
                        "the app printed {line:?}; every Data should print `data {} from <origin>`",
                        i + 1
                    ));
                }
            }
        }
        let snapshot = probe.snapshot()?;
        let class = class(&snapshot, "step1_data::Data")?;
        let old: u64 = live_at(class, 0);
        if class.version == 0 {
            return Err("class Data is still at version 0: no conversion applied".into());
        }
        if old > 0 {
            return Err(format!(
                "{old} Data instances are still at version 0: the conversion should be eager"
            ));
        }
        Ok(format!(
            "the app prints {:?}; Data at version {}",
            lines[0], class.version
        ))
    }
}
