//! Long work the operator waits for — an update crate building, an
//! exercise's app starting (cargo builds it first), an update being checked
//! (build, watch, apply, watch) — as its pane shows it: the lines so far,
//! the step running now, the verdict. The one log of the console.

use std::collections::VecDeque;

/// Lines kept: the end matters most (cargo's errors, the lifecycle).
pub const LINES_KEPT: usize = 2000;

/// How long work ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It did what was asked; what was seen.
    Pass(String),
    /// It did not; what is wrong.
    Fail(String),
}

impl Verdict {
    /// `true` for a pass.
    pub fn passed(&self) -> bool {
        matches!(self, Verdict::Pass(_))
    }
}

/// One line of the work's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// A step of the work (`applying the update`), not a line of its output.
    pub step: bool,
    /// The text.
    pub text: String,
}

/// One piece of long work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkLog {
    /// What the work is, for the pane's title.
    pub title: String,
    /// Its steps and what it printed (cargo's progress, the update's
    /// lifecycle), in order.
    pub lines: VecDeque<LogLine>,
    /// The step under way (the last step line), while the work runs.
    pub step: Option<String>,
    /// How it ended: a pass, or what went wrong.
    pub outcome: Option<Verdict>,
}

impl WorkLog {
    /// Work called `title` that just started with `step`.
    pub fn new(title: impl Into<String>, step: impl Into<String>) -> WorkLog {
        let mut log = WorkLog {
            title: title.into(),
            lines: VecDeque::new(),
            step: None,
            outcome: None,
        };
        log.step(step);
        log
    }

    fn push(&mut self, step: bool, text: String) {
        if self.lines.len() == LINES_KEPT {
            self.lines.pop_front();
        }
        self.lines.push_back(LogLine { step, text });
    }

    /// Adds a line of output.
    pub fn line(&mut self, line: impl Into<String>) {
        self.push(false, line.into());
    }

    /// The next step starts.
    pub fn step(&mut self, step: impl Into<String>) {
        let step = step.into();
        self.push(true, step.clone());
        self.step = Some(step);
    }

    /// The last line's text.
    pub fn last(&self) -> Option<&str> {
        self.lines.back().map(|l| l.text.as_str())
    }

    /// The work ended.
    pub fn finish(&mut self, outcome: Verdict) {
        self.step = None;
        self.outcome = Some(outcome);
    }

    /// `true` until it ended.
    pub fn running(&self) -> bool {
        self.outcome.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_lines_and_the_outcome_ends_the_work() {
        let mut log = WorkLog::new("Check", "building");
        log.line("   Compiling x");
        log.step("applying");
        let texts: Vec<(bool, &str)> = log
            .lines
            .iter()
            .map(|l| (l.step, l.text.as_str()))
            .collect();
        assert_eq!(
            texts,
            [
                (true, "building"),
                (false, "   Compiling x"),
                (true, "applying")
            ]
        );
        assert_eq!(log.step.as_deref(), Some("applying"));
        assert!(log.running());
        log.finish(Verdict::Pass("ok".into()));
        assert!(!log.running() && log.step.is_none());
        for i in 0..LINES_KEPT {
            log.line(i.to_string());
        }
        assert_eq!(log.lines.len(), LINES_KEPT);
        assert_eq!(log.last(), Some((LINES_KEPT - 1).to_string().as_str()));
        assert_eq!(log.lines[0].text, "0");
    }
}
