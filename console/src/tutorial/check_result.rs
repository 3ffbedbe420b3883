//! One check's result as the learner's progress keeps it: when, whether
//! it was the solution's, and pass or fail with the first line of what was
//! wrong. Both places checks run record one (the tutorial mode and
//! `moult-console check`), and the leader's view shows the newest.

use serde::{Deserialize, Serialize};

use crate::tui::work_log::Verdict;

/// One check's result, as the progress file keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// When it ended (unix ms): the newest check is the one shown.
    pub at_ms: u64,
    /// It checked the revealed solution, not the learner's update (a
    /// leader tells a learner who peeked from one who solved it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub with_solution: bool,
    /// Pass, or fail and why: written flat (`"result": "fail", "why": …`)
    /// so the JSON reads as it is said.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// How a check ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "lowercase")]
pub enum Outcome {
    /// The update did what the exercise asks.
    Pass,
    /// It did not.
    Fail {
        /// The first line of what the check said was wrong, in the
        /// learner's terms (the rest, the app's last lines, stays in the
        /// check's own report): enough for a leader to know where to help.
        why: String,
    },
}

/// The longest reason kept, in characters: the file and the leader's
/// footer hold a line, not a log.
pub const WHY_MAX_CHARS: usize = 200;

impl Outcome {
    /// The outcome of a check that said `verdict`: a failure keeps the
    /// first line of its reason (without the colon that introduced the
    /// lines after it), cut to [`WHY_MAX_CHARS`].
    pub fn of(verdict: &Verdict) -> Outcome {
        match verdict {
            Verdict::Pass(_) => Outcome::Pass,
            Verdict::Fail(why) => {
                let first = why.lines().map(str::trim).find(|l| !l.is_empty());
                let first = first.unwrap_or("the check failed without saying why");
                let first = first.trim_end_matches(':').trim_end();
                let why = if first.chars().count() > WHY_MAX_CHARS {
                    let cut: String = first.chars().take(WHY_MAX_CHARS - 1).collect();
                    format!("{cut}…")
                } else {
                    first.to_string()
                };
                Outcome::Fail { why }
            }
        }
    }

    /// `true` for a pass.
    pub fn passed(&self) -> bool {
        matches!(self, Outcome::Pass)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_keeps_its_first_line_without_the_colon_and_cut_short() {
        let why =
            "no line \"hello moult\" within 5s (the app is running); its last lines:\n  | hello";
        assert_eq!(
            Outcome::of(&Verdict::Fail(why.into())),
            Outcome::Fail {
                why: "no line \"hello moult\" within 5s (the app is running); its last lines"
                    .into()
            }
        );
        assert_eq!(Outcome::of(&Verdict::Pass("seen".into())), Outcome::Pass);
        let Outcome::Fail { why } = Outcome::of(&Verdict::Fail("x".repeat(500))) else {
            panic!("a fail is a fail");
        };
        assert_eq!(why.chars().count(), WHY_MAX_CHARS);
        assert!(why.ends_with('…'));
        assert!(matches!(
            Outcome::of(&Verdict::Fail("\n".into())),
            Outcome::Fail { why } if why.contains("without saying why")
        ));
    }

    #[test]
    fn the_json_reads_as_it_is_said() {
        let fail = CheckResult {
            at_ms: 7,
            with_solution: false,
            outcome: Outcome::Fail { why: "no".into() },
        };
        let text = serde_json::to_string(&fail).unwrap();
        assert_eq!(text, r#"{"at_ms":7,"result":"fail","why":"no"}"#);
        assert_eq!(serde_json::from_str::<CheckResult>(&text).unwrap(), fail);
        let pass: CheckResult =
            serde_json::from_str(r#"{"at_ms":8,"with_solution":true,"result":"pass"}"#).unwrap();
        assert_eq!(pass.outcome, Outcome::Pass);
        assert!(pass.with_solution);
    }
}
