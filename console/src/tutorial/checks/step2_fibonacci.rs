//! Step 2, exercise 1: convert Data and redefine sum, as two independent updates.

use std::time::Duration;

use moult_protocol::{ClassInfo, Snapshot};

use crate::tutorial::check::{Baseline, Check, Probe, class, function_version, live_at};
use crate::tutorial::exercise::Exercise;

/// The exercise.
pub static EXERCISE: Exercise = Exercise {
    id: "step2-fibonacci",
    step: 2,
    number: 1,
    title: "Back to updating Data",
    summary: "convert Data and redefine sum, as two independent updates",
    check_period: Duration::from_millis(20),
    serves_http: false,
    check: &FibonacciCheck,
};

/// The app's class and hot function.
const CLASS: &str = "step2_fibonacci::Data";
const SUM: &str = "step2_fibonacci::sum";

/// The app keeps its values modulo this (`step2_fibonacci::MODULUS`).
const MODULUS: u64 = 1_000_000_000;

/// Consecutive lines judged on each side of the update.
const LINES: usize = 5;

/// Before: `fib(n) = <value>` lines following the Fibonacci rule. After:
/// every new element prints `<value> from <origin>` and the rule still
/// holds; the agent reports `Data` and `sum` at version 1 or more, no lazy
/// conversion pending, and the new version's instances. Instances left at
/// version 0 (built by the old `sum` between the two updates) are allowed:
/// that is the exercise's lesson, and the verdict counts them.
pub struct FibonacciCheck;

impl Check for FibonacciCheck {
    fn before(&self, probe: &Probe<'_>) -> Result<Baseline, String> {
        plain_lines(probe)?;
        Ok(Box::new(()))
    }

    fn after(&self, probe: &Probe<'_>, _: Baseline) -> Result<String, String> {
        let lines = lines_with_origin(probe)?;
        let snapshot = probe.snapshot()?;
        let counts = class_counts(&snapshot)?;
        if function_version(&snapshot, SUM)? == 0 {
            return Err(
                "sum is still at version 0: redefine it (a SafeRedefine) so that it builds the new version of Data"
                    .into(),
            );
        }
        Ok(format!(
            "the app prints {:?}; Data at version {} ({} instances there), sum at version {}; {}",
            lines[0],
            counts.version,
            counts.current,
            function_version(&snapshot, SUM)?,
            counts.old_ones()
        ))
    }
}

/// One printed line: `fib(<n>) = <value>[ from <origin>]` (step 3's
/// custom data exercise prints the same).
struct Element<'a> {
    /// The element's index.
    pub n: u64,
    /// Its value, modulo 10⁹.
    pub value: u64,
    /// What follows ` from `, printed by the new version of `Data`.
    pub origin: Option<&'a str>,
}

impl<'a> Element<'a> {
    /// The element `line` prints, if it is one.
    fn parse(line: &'a str) -> Option<Element<'a>> {
        let rest = line.strip_prefix("fib(")?;
        let (n, rest) = rest.split_once(") = ")?;
        let (value, origin) = match rest.split_once(" from ") {
            Some((value, origin)) => (value, Some(origin)),
            None => (rest, None),
        };
        Some(Element {
            n: n.parse().ok()?,
            value: value.parse().ok()?,
            origin,
        })
    }
}

/// Version 0's lines: `fib(<n>) = <value>` following the Fibonacci rule.
pub fn plain_lines(probe: &Probe<'_>) -> Result<(), String> {
    let first = probe.expect_line("a line `fib(<n>) = <value>`", |l| {
        Element::parse(l).is_some_and(|e| e.origin.is_none())
    })?;
    follows_the_rule(&probe.from_mark(first.seq).lines(LINES)?)
}

/// Consecutive lines from the first one with an origin: each must print
/// `fib(<n>) = <value> from <origin>` and follow the Fibonacci rule.
pub fn lines_with_origin(probe: &Probe<'_>) -> Result<Vec<String>, String> {
    let first = probe.expect_line(
        "line `fib(<n>) = <value> from <origin>` (the new sum should build Data with an origin)",
        |l| Element::parse(l).is_some_and(|e| e.origin.is_some()),
    )?;
    let lines = probe.from_mark(first.seq).lines(LINES)?;
    for line in &lines {
        let origin = Element::parse(line).and_then(|e| e.origin);
        if origin.is_none_or(|o| o.trim().is_empty()) {
            return Err(format!(
                "once the new sum ran, the app printed {line:?}: every new element should print \
                 `fib(<n>) = <value> from <origin>`"
            ));
        }
    }
    follows_the_rule(&lines)?;
    Ok(lines)
}

/// `Ok` if `lines` are consecutive elements of the sequence: each index one
/// more than the previous, each value the sum of the two before (modulo 10⁹).
fn follows_the_rule(lines: &[String]) -> Result<(), String> {
    let elements: Vec<Element<'_>> = lines
        .iter()
        .map(|l| {
            Element::parse(l).ok_or_else(|| {
                format!("the app printed {l:?}; every line should be `fib(<n>) = <value>…`")
            })
        })
        .collect::<Result<_, _>>()?;
    for w in elements.windows(3) {
        if w[1].n != w[0].n + 1 || w[2].n != w[1].n + 1 {
            return Err(format!(
                "the app printed fib({}), fib({}), fib({}): one element per turn was expected",
                w[0].n, w[1].n, w[2].n
            ));
        }
        if w[2].value != (w[0].value + w[1].value) % MODULUS {
            return Err(format!(
                "fib({}) = {} is not fib({}) + fib({}) = {} + {}: the new sum must still add the last two values",
                w[2].n, w[2].value, w[1].n, w[0].n, w[1].value, w[0].value
            ));
        }
    }
    Ok(())
}

/// Live instances of `Data` per version, as the agent reports them.
struct Counts {
    /// The constructor of record's version.
    version: u32,
    /// Live instances at that version.
    current: u64,
    /// Live instances still at version 0.
    old: u64,
}

impl Counts {
    /// What the verdict says about the version 0 instances.
    fn old_ones(&self) -> String {
        match self.old {
            0 => {
                "no instance left at version 0 this time: the old sum did not run between the two \
                  updates (it may: nothing ties them together)"
                    .into()
            }
            n => format!(
                "{n} instance(s) still at version 0, built by the old sum between the two updates \
                 (nothing converts them: the two updates are independent)"
            ),
        }
    }
}

/// Checks `Data`'s versions in `snapshot` and counts its instances.
fn class_counts(snapshot: &Snapshot) -> Result<Counts, String> {
    let class: &ClassInfo = class(snapshot, CLASS)?;
    if class.version == 0 {
        return Err(
            "class Data is still at version 0: convert it (an EagerConversion), or the Data already \
             in the list never get an origin"
                .into(),
        );
    }
    if class.pending_lazy > 0 {
        return Err(format!(
            "{} Data instances wait for a lazy conversion: convert them eagerly (EagerConversion)",
            class.pending_lazy
        ));
    }
    let live = |version: u32| live_at(class, version);
    let counts = Counts {
        version: class.version,
        current: live(class.version),
        old: live(0),
    };
    let elsewhere: u64 = class
        .versions
        .iter()
        .filter(|v| v.version != 0 && v.version != class.version)
        .map(|v| v.live)
        .sum();
    if counts.current == 0 || elsewhere > 0 {
        return Err(format!(
            "Data's instances are not where they should be (live per version: {}): the conversion \
             and the new sum should both produce the class's new version, the same DataV2 type",
            class
                .versions
                .iter()
                .map(|v| format!("v{}: {}", v.version, v.live))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_with_and_without_origin() {
        let e = Element::parse("fib(12) = 144 from 55 + 89").unwrap();
        assert_eq!((e.n, e.value, e.origin), (12, 144, Some("55 + 89")));
        let e = Element::parse("fib(3) = 2").unwrap();
        assert_eq!((e.n, e.value, e.origin), (3, 2, None));
        assert!(Element::parse("hello").is_none());
    }

    #[test]
    fn the_rule_is_checked_modulo_and_in_order() {
        let ok =
            |v: &[&str]| follows_the_rule(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert!(
            ok(&[
                "fib(10) = 55",
                "fib(11) = 89 from x",
                "fib(12) = 144 from y"
            ])
            .is_ok()
        );
        assert!(ok(&["fib(1) = 999999999", "fib(2) = 2", "fib(3) = 1"]).is_ok());
        assert!(ok(&["fib(10) = 55", "fib(11) = 89", "fib(12) = 145"]).is_err());
        assert!(ok(&["fib(10) = 55", "fib(12) = 89", "fib(13) = 144"]).is_err());
    }
}
