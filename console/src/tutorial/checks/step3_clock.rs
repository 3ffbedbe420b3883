//! Step 3, exercise 3: update tic and tac only at the loop's update point.
//!
//! The property is about every update, not one. An update that ignores the
//! update point applies at whatever instant both functions are quiescent,
//! and the clock spends three quarters of each period between `tic` and
//! `tac` (`step3_clock::window`). `before` ends after a delay drawn
//! uniformly over one period, so the instant the update arrives is uniform
//! over the clock's phase whatever the apply's latency (which, left alone,
//! is steady enough to land in the same place every round). Such an update
//! then lands inside a turn with probability 3/4 per round; the check runs
//! [`ROUNDS`] rounds, each on a fresh app, so it passes them all with
//! probability (1/4)^10, under one in a million.

use std::time::Duration;

use moult_protocol::ThreadState;

use crate::tutorial::check::{Baseline, Check, Probe, function_version};
use crate::tutorial::exercise::Exercise;

/// The exercise.
pub static EXERCISE: Exercise = Exercise {
    id: "step3-clock",
    step: 3,
    number: 3,
    title: "The clock never stops ticking",
    summary: "update tic and tac only at the loop's update point",
    check_period: Duration::from_millis(20),
    serves_http: false,
    check: &ClockCheck,
};

/// Rounds (fresh app, update, check).
pub const ROUNDS: u32 = 10;

/// New-version turns watched after the first one.
const NEW_TURNS: usize = 3;

/// The DSU thread that ticks.
const THREAD: &str = "clock";

/// Before: `tic` then `tac` from the thread `clock`. After: in the whole
/// trace from before the update, every turn is a `tic…` then a `tac…` of
/// the same version, new turns follow, and both functions are redefined.
pub struct ClockCheck;

/// What `before` hands to `after`: where the trace starts.
struct TraceStart(u64);

impl Check for ClockCheck {
    fn before(&self, probe: &Probe<'_>) -> Result<Baseline, String> {
        let tic = probe.expect_line("`tic`", |l| l == "tic")?;
        probe
            .from_mark(tic.seq + 1)
            .expect_line("`tac` after `tic`", |l| l == "tac")?;
        if !probe.snapshot()?.threads.iter().any(|t| t.name == THREAD) {
            return Err(format!("the app has no DSU thread named {THREAD}"));
        }
        // Not a synchronisation: it makes the instant the update arrives
        // uniform over the clock's period, whatever the apply's latency.
        std::thread::sleep(random_phase(probe.period));
        Ok(Box::new(TraceStart(probe.mark)))
    }

    fn after(&self, probe: &Probe<'_>, baseline: Baseline) -> Result<String, String> {
        let start = baseline
            .downcast::<TraceStart>()
            .map_err(|_| "internal: the clock check lost its trace start".to_string())?
            .0;
        let first = probe
            .from_mark(start)
            .expect_line("new `tic` line", |l| l.starts_with("tic") && l != "tic")?;
        probe.from_mark(first.seq).lines(2 * (NEW_TURNS + 1))?;
        let end = first.seq + 2 * (NEW_TURNS as u64 + 1);
        let trace: Vec<String> = probe
            .output
            .since(start)
            .into_iter()
            .take_while(|l| l.seq < end)
            .map(|l| l.text)
            .collect();
        judge_trace(&trace)?;
        let snapshot = probe.snapshot()?;
        for name in ["step3_clock::tic", "step3_clock::tac"] {
            if function_version(&snapshot, name)? == 0 {
                return Err(format!("{name} is still at version 0"));
            }
        }
        if let Some(t) = snapshot.threads.iter().find(|t| t.name == THREAD)
            && t.state != ThreadState::Running
        {
            return Err(format!(
                "the thread {THREAD} is {:?} after the update; it should be ticking again",
                t.state
            ));
        }
        Ok(format!(
            "no turn mixes versions; each turn now prints {:?} then {:?}",
            trace[trace.len() - 2],
            trace[trace.len() - 1]
        ))
    }

    fn rounds(&self) -> u32 {
        ROUNDS
    }
}

/// A delay uniform in `[0, period)`, from the standard library's per-process
/// random hash keys (no random crate needed for one number per round).
fn random_phase(period: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let bits = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    // The top 53 bits as a fraction in [0, 1).
    period.mul_f64((bits >> 11) as f64 / (1u64 << 53) as f64)
}

/// Whether the line is from version 0 (`tic` / `tac` exactly).
fn is_old(line: &str) -> bool {
    line == "tic" || line == "tac"
}

/// Checks a trace (which may start in the middle of a turn and ends with a
/// whole one): every turn is `tic…` then `tac…` of one version, and no old
/// turn follows a new one.
fn judge_trace(trace: &[String]) -> Result<(), String> {
    let turns = trace.iter().skip_while(|l| !l.starts_with("tic"));
    let lines: Vec<&String> = turns.collect();
    let mut seen_new = false;
    for turn in lines.chunks(2) {
        let [tic, tac] = turn else {
            return Err(format!(
                "the clock's last turn is incomplete: {:?} with no `tac` after it",
                turn[0]
            ));
        };
        if !tic.starts_with("tic") || !tac.starts_with("tac") {
            return Err(format!(
                "a turn printed {tic:?} then {tac:?}: every turn must still be a tic line then a tac line"
            ));
        }
        match (is_old(tic), is_old(tac)) {
            (true, false) => {
                return Err(format!(
                    "a turn printed the old {tic:?} then the new {tac:?}: the update applied between tic and tac. \
                     Apply it only while the clock thread is parked at its update point \"loop\" \
                     (request_park in preupdate_setup, parked in check_alterability)"
                ));
            }
            (false, true) => {
                return Err(format!(
                    "a turn printed the new {tic:?} then the old {tac:?}: tic and tac must change in the same update, at the update point"
                ));
            }
            (true, true) if seen_new => {
                return Err(format!(
                    "the clock printed {tic:?} then {tac:?} again after new turns: the update did not stick"
                ));
            }
            (old, _) => seen_new |= !old,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn a_clean_switch_between_turns_passes() {
        let t = trace(&["tac", "tic", "tac", "tic v2", "tac v2", "tic v2", "tac v2"]);
        assert_eq!(judge_trace(&t), Ok(()));
    }

    #[test]
    fn an_old_tic_then_a_new_tac_fails() {
        let t = trace(&["tic", "tac", "tic", "tac v2", "tic v2", "tac v2"]);
        let err = judge_trace(&t).unwrap_err();
        assert!(err.contains("old \"tic\" then the new \"tac v2\""), "{err}");
    }

    #[test]
    fn a_new_tic_then_an_old_tac_or_a_broken_turn_fails() {
        let t = trace(&["tic", "tac", "tic v2", "tac", "tic v2", "tac v2"]);
        assert!(
            judge_trace(&t)
                .unwrap_err()
                .contains("new \"tic v2\" then the old \"tac\"")
        );
        let t = trace(&["tic", "tac", "tic", "tic v2", "tac v2", "tac v2"]);
        assert!(
            judge_trace(&t)
                .unwrap_err()
                .contains("tic line then a tac line")
        );
        let t = trace(&["tic", "tac", "tic v2"]);
        assert!(judge_trace(&t).unwrap_err().contains("incomplete"));
    }
}
