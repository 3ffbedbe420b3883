//! The exit codes of `moult-console`, which scripts and CI branch on, and
//! how update outcomes map to them.

use moult_protocol::Outcome;

/// How a command ended, as its process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Done: every update applied, the state printed, the watch ended with the app.
    Success = 0,
    /// Failed: no agent, a refused library, a failed build, an update rolled
    /// back, aborted or failed, a lost connection.
    Failure = 1,
    /// The command line was wrong (clap's own code).
    Usage = 2,
    /// The update did not finish in `--timeout` seconds and was aborted.
    TimedOut = 3,
    /// The update applied, then its watch reverted it (`apply --watch`).
    Reverted = 4,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The exit code an update's outcome calls for, or `None` while it is
    /// not final: a postponed update goes back to the queue and is retried.
    pub fn of_outcome(outcome: &Outcome) -> Option<Exit> {
        match outcome {
            Outcome::Applied => Some(Exit::Success),
            Outcome::Postponed(_) => None,
            Outcome::Aborted(_) | Outcome::RolledBack(_) | Outcome::Failed(_) => {
                Some(Exit::Failure)
            }
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> std::process::ExitCode {
        std::process::ExitCode::from(exit.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_applied_succeeds_and_postponed_is_not_an_end() {
        assert_eq!(Exit::of_outcome(&Outcome::Applied), Some(Exit::Success));
        assert_eq!(Exit::of_outcome(&Outcome::Postponed("busy".into())), None);
        for failed in [
            Outcome::Aborted("operator".into()),
            Outcome::RolledBack("panic".into()),
            Outcome::Failed("cleanup".into()),
        ] {
            assert_eq!(Exit::of_outcome(&failed), Some(Exit::Failure), "{failed:?}");
        }
    }

    #[test]
    fn codes_are_the_documented_ones() {
        let codes: Vec<u8> = [Exit::Success, Exit::Failure, Exit::Usage, Exit::TimedOut]
            .into_iter()
            .map(Exit::code)
            .collect();
        assert_eq!(codes, [0, 1, 2, 3]);
    }
}
