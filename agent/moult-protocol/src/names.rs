//! The names the wire gives the protocol's enums (their serde spelling),
//! as `&'static str`s for text: log lines, tables and the console all say
//! what `--json` and the journal say.

use crate::{ClassChange, LifecycleStep, Outcome, ThreadState};

impl LifecycleStep {
    /// `queued`, `alterability`, `apply`, …
    pub fn name(self) -> &'static str {
        match self {
            LifecycleStep::Queued => "queued",
            LifecycleStep::Requirements => "requirements",
            LifecycleStep::Setup => "setup",
            LifecycleStep::Alterability => "alterability",
            LifecycleStep::Apply => "apply",
            LifecycleStep::Resume => "resume",
            LifecycleStep::Over => "over",
            LifecycleStep::Cleanup => "cleanup",
            LifecycleStep::Done => "done",
        }
    }
}

impl Outcome {
    /// `applied`, `postponed`, `aborted`, `rolled_back`, `failed`.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Postponed(_) => "postponed",
            Outcome::Aborted(_) => "aborted",
            Outcome::RolledBack(_) => "rolled_back",
            Outcome::Failed(_) => "failed",
        }
    }

    /// Why it ended so (empty for `applied`).
    pub fn reason(&self) -> &str {
        match self {
            Outcome::Applied => "",
            Outcome::Postponed(why)
            | Outcome::Aborted(why)
            | Outcome::RolledBack(why)
            | Outcome::Failed(why) => why,
        }
    }
}

impl ClassChange {
    /// `constructor`, `eager_conversion`, `lazy_conversion`, `rolled_back`.
    pub fn name(self) -> &'static str {
        match self {
            ClassChange::Constructor => "constructor",
            ClassChange::EagerConversion => "eager_conversion",
            ClassChange::LazyConversion => "lazy_conversion",
            ClassChange::RolledBack => "rolled_back",
        }
    }
}

impl ThreadState {
    /// `running`, `parked`, `rebooting`, `finished`.
    pub fn name(&self) -> &'static str {
        match self {
            ThreadState::Running => "running",
            ThreadState::Parked(_) => "parked",
            ThreadState::Rebooting => "rebooting",
            ThreadState::Finished => "finished",
        }
    }

    /// The update point a parked thread waits at (empty otherwise).
    pub fn point(&self) -> &str {
        match self {
            ThreadState::Parked(point) => point,
            _ => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON name of a unit variant, or the tag of an adjacently tagged one.
    fn wire_name(value: serde_json::Value, tag: &str) -> String {
        match value {
            serde_json::Value::String(s) => s,
            serde_json::Value::Object(o) => o[tag].as_str().unwrap().to_string(),
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn the_names_are_the_wire_names() {
        use LifecycleStep::*;
        for step in [
            Queued,
            Requirements,
            Setup,
            Alterability,
            Apply,
            Resume,
            Over,
            Cleanup,
            Done,
        ] {
            assert_eq!(
                step.name(),
                wire_name(serde_json::to_value(step).unwrap(), "")
            );
        }
        let why = || "why".to_string();
        for outcome in [
            Outcome::Applied,
            Outcome::Postponed(why()),
            Outcome::Aborted(why()),
            Outcome::RolledBack(why()),
            Outcome::Failed(why()),
        ] {
            let json = serde_json::to_value(&outcome).unwrap();
            assert_eq!(outcome.name(), wire_name(json, "outcome"));
            let expected = if outcome == Outcome::Applied {
                ""
            } else {
                "why"
            };
            assert_eq!(outcome.reason(), expected);
        }
        for change in [
            ClassChange::Constructor,
            ClassChange::EagerConversion,
            ClassChange::LazyConversion,
            ClassChange::RolledBack,
        ] {
            assert_eq!(
                change.name(),
                wire_name(serde_json::to_value(change).unwrap(), "")
            );
        }
        for state in [
            ThreadState::Running,
            ThreadState::Parked("p".into()),
            ThreadState::Rebooting,
            ThreadState::Finished,
        ] {
            let json = serde_json::to_value(&state).unwrap();
            assert_eq!(state.name(), wire_name(json, "state"));
        }
        assert_eq!(ThreadState::Parked("p".into()).point(), "p");
    }
}
