//! Step 1, exercise 2: `tic` and `tac` are both redefined, each safely.

use std::time::Duration;

use crate::tutorial::check::{Baseline, Check, Probe, function_version};
use crate::tutorial::exercise::Exercise;

/// The exercise.
pub static EXERCISE: Exercise = Exercise {
    id: "step1-tictoc",
    step: 1,
    number: 2,
    title: "Tic toc, goes the clock",
    summary: "redefine tic() and tac() with two safe redefines",
    check_period: Duration::from_millis(20),
    serves_http: false,
    check: &TicTocCheck,
};

/// Before: `tic`, `tac`. After: a new `tic…` line then a new `tac…` line,
/// turn after turn, and both functions at version 1 or more.
pub struct TicTocCheck;

impl Check for TicTocCheck {
    fn before(&self, probe: &Probe<'_>) -> Result<Baseline, String> {
        probe.expect_line("`tic`", |l| l == "tic")?;
        probe.expect_line("`tac`", |l| l == "tac")?;
        Ok(Box::new(()))
    }

    fn after(&self, probe: &Probe<'_>, _: Baseline) -> Result<String, String> {
        // Settle on a turn's start: the first new-version `tic` line.
        let first =
            probe.expect_line("a new `tic` line", |l| l.starts_with("tic") && l != "tic")?;
        let lines = probe.from_mark(first.seq).lines(6)?;
        for pair in lines.chunks(2) {
            let (tic, tac) = (&pair[0], &pair[1]);
            if tic == "tic" || tac == "tac" {
                return Err(format!(
                    "the app still prints {tic:?} then {tac:?}: both tic and tac must be redefined"
                ));
            }
            if !tic.starts_with("tic") || !tac.starts_with("tac") {
                return Err(format!(
                    "a turn printed {tic:?} then {tac:?}; the new versions should still print tic… then tac…"
                ));
            }
        }
        let snapshot = probe.snapshot()?;
        for name in ["step1_tictoc::tic", "step1_tictoc::tac"] {
            if function_version(&snapshot, name)? == 0 {
                return Err(format!("{name} is still at version 0"));
            }
        }
        Ok(format!(
            "each turn prints {:?} then {:?}",
            lines[0], lines[1]
        ))
    }
}
