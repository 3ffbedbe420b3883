//! Step 2, exercise 2: convert 10 000 Integers lazily (doubled) and redefine Serie's display (shuffled).

use std::time::Duration;

use moult_protocol::Snapshot;

use crate::tutorial::check::{Baseline, Check, Probe, class, function_version, live_at};
use crate::tutorial::exercise::Exercise;

/// The exercise.
pub static EXERCISE: Exercise = Exercise {
    id: "step2-series",
    step: 2,
    number: 2,
    title: "Series of integers",
    summary: "convert 10 000 Integers lazily (doubled) and redefine Serie's display (shuffled)",
    check_period: Duration::from_millis(20),
    serves_http: false,
    check: &SeriesCheck,
};

/// The app's class and hot method.
const CLASS: &str = "step2_series::Integer";
const DISPLAY: &str = "step2_series::Serie::display";

/// Integers the app holds (`step2_series::COUNT`), valued `0..COUNT`.
const COUNT: u64 = 10_000;

/// Integers per serie (`step2_series::SERIE_LEN`).
const SERIE_LEN: usize = 5;

/// Series judged on each side of the update.
///
/// After the update, with a correct answer, a serie's 5 distinct values are
/// in a uniformly random order: ascending with probability 1/120; and each
/// value is twice a uniform pick of `0..10 000`, so above 9 999 with
/// probability 1/2. The check fails a correct answer only if all 12 series
/// come out ascending, or all descending (2 × 120⁻¹² ≈ 10⁻²⁵), or none of
/// the 60 values is above 9 999 (2⁻⁶⁰ ≈ 10⁻¹⁸): far below one in a million.
const SERIES: usize = 12;

/// Before: `serie: a b c d e` lines, ascending, below 10 000. After: the
/// values all even, some above 9 999 (doubled), some series not ascending
/// (shuffled); the agent reports `Serie::display` at version 1 or more and
/// `Integer` at version 1 or more with instances still at version 0 waiting
/// for the lazy conversion (right after the update, only the few integers
/// the series picked are converted).
pub struct SeriesCheck;

impl Check for SeriesCheck {
    fn before(&self, probe: &Probe<'_>) -> Result<Baseline, String> {
        let first = probe.expect_line("a line `serie: <5 integers>`", |l| parse(l).is_some())?;
        for line in probe.from_mark(first.seq).lines(3)? {
            let serie = parse(&line)
                .ok_or_else(|| format!("the app printed {line:?}, not `serie: <5 integers>`"))?;
            if !ascending(&serie) || serie.iter().any(|v| *v >= COUNT) {
                return Err(format!(
                    "the app printed {line:?}: version 0 should print integers below {COUNT}, ascending"
                ));
            }
        }
        Ok(Box::new(()))
    }

    fn after(&self, probe: &Probe<'_>, _: Baseline) -> Result<String, String> {
        let lines = probe.settled_lines(2, SERIES)?;
        let mut series = Vec::with_capacity(SERIES);
        for line in &lines {
            let serie = parse(line)
                .ok_or_else(|| format!("the app printed {line:?}, not `serie: <5 integers>`"))?;
            if let Some(odd) = serie.iter().find(|v| *v % 2 == 1) {
                return Err(format!(
                    "the app printed {line:?}: {odd} is odd, yet every integer should be doubled \
                     (the transformer should multiply by 2)"
                ));
            }
            if let Some(big) = serie.iter().find(|v| **v >= 2 * COUNT) {
                return Err(format!(
                    "the app printed {line:?}: {big} is more than twice any integer the app holds: \
                     each should be doubled once"
                ));
            }
            series.push(serie);
        }
        if !series.iter().flatten().any(|v| *v >= COUNT) {
            return Err(format!(
                "no value above {} in {SERIES} series (e.g. {:?}): the integers do not look doubled",
                COUNT - 1,
                lines[0]
            ));
        }
        for (order, sorted) in [
            ("ascending", ascending as fn(&[u64]) -> bool),
            ("descending", descending),
        ] {
            if series.iter().all(|s| sorted(s)) {
                return Err(format!(
                    "all {SERIES} series came out in {order} order (e.g. {:?}): the new display \
                     should shuffle them",
                    lines[0]
                ));
            }
        }
        let snapshot = probe.snapshot()?;
        let display = function_version(&snapshot, DISPLAY)?;
        if display == 0 {
            return Err(format!("{DISPLAY} is still at version 0"));
        }
        let (version, waiting) = lazy_state(&snapshot)?;
        Ok(format!(
            "the app prints {:?} (doubled, shuffled); Serie::display at version {display}, \
             Integer at version {version} with {waiting} of {COUNT} integers still at version 0, \
             converting on their next access",
            lines[0]
        ))
    }
}

/// The integers of a `serie: a b c d e` line.
fn parse(line: &str) -> Option<Vec<u64>> {
    let values: Vec<u64> = line
        .strip_prefix("serie: ")?
        .split(' ')
        .map(|v| v.parse().ok())
        .collect::<Option<_>>()?;
    (values.len() == SERIE_LEN).then_some(values)
}

fn ascending(values: &[u64]) -> bool {
    values.windows(2).all(|w| w[0] <= w[1])
}

fn descending(values: &[u64]) -> bool {
    values.windows(2).all(|w| w[0] >= w[1])
}

/// `Integer`'s version and how many instances still wait at version 0, if
/// the conversion is lazy; what is wrong otherwise.
fn lazy_state(snapshot: &Snapshot) -> Result<(u32, u64), String> {
    let class = class(snapshot, CLASS)?;
    if class.version == 0 {
        return Err("class Integer is still at version 0: no conversion applied".into());
    }
    let old: u64 = live_at(class, 0);
    if old == 0 || class.pending_lazy == 0 {
        return Err(format!(
            "every Integer was converted at once ({} at version 0, {} pending): with 10 000 of \
             them, use a LazyConversion, so that each converts on its next access",
            old, class.pending_lazy
        ));
    }
    Ok((class.version, old))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_parse_only_with_five_integers() {
        assert_eq!(parse("serie: 1 2 3 4 5"), Some(vec![1, 2, 3, 4, 5]));
        assert_eq!(parse("serie: 1 2 3 4"), None);
        assert_eq!(parse("serie: 1 2 x 4 5"), None);
        assert_eq!(parse("hello"), None);
    }

    #[test]
    fn sorted_either_way() {
        assert!(ascending(&[1, 2, 2, 9]));
        assert!(!ascending(&[2, 1]));
        assert!(descending(&[9, 2, 2, 1]));
        assert!(!descending(&[1, 2]));
    }
}
