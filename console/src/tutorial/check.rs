//! Checks: whether an update did what an exercise asks, decided from the
//! outside as a learner would see it: the lines the app prints, the state
//! its agent reports, and (for the web server) real HTTP answers.
//!
//! A check has two halves around the update. [`Check::before`] watches the
//! app as version 0 and keeps what [`Check::after`] compares with (for the
//! web server, sessions opened before the update); `after` then says pass, or
//! what is wrong in words a learner can act on. The non-interactive runner
//! ([`super::runner`]) and the console's tutorial mode both drive these.

use std::any::Any;
use std::path::PathBuf;
use std::time::Duration;

use moult_protocol::{ClassInfo, JournalEntry, Snapshot};

use crate::client::Client;

use super::output_log::{Line, OutputLog};

/// What `before` hands to `after`.
pub type Baseline = Box<dyn Any + Send>;

/// An exercise's check.
pub trait Check: Sync {
    /// Watches version 0 before the update; `Err` says the app does not
    /// behave as the statement describes (the check cannot judge then).
    fn before(&self, probe: &Probe<'_>) -> Result<Baseline, String>;

    /// After the update applied: `Ok` with what was seen, or `Err` with what
    /// is wrong.
    fn after(&self, probe: &Probe<'_>, baseline: Baseline) -> Result<String, String>;

    /// How many times the runner starts a fresh app and applies the update:
    /// more than one for a property that must hold over many updates (the
    /// clock's forbidden interleaving).
    fn rounds(&self) -> u32 {
        1
    }
}

/// A check's verdict: a pass and what was seen, or what is wrong.
pub use crate::tui::work_log::Verdict;

/// What a check sees of the running app.
#[derive(Debug, Clone)]
pub struct Probe<'a> {
    /// The app's stdout.
    pub output: &'a OutputLog,
    /// Its stderr: where a panicking thread's message goes, so a check can
    /// tell a thread that died from one that is merely quiet.
    pub errors: &'a OutputLog,
    /// Its agent's socket.
    pub socket: PathBuf,
    /// The app's period (its loop's pace): waits are scaled by it.
    pub period: Duration,
    /// The web server's port.
    pub port: Option<u16>,
    /// The output mark taken once the update was applied (in `before`, the
    /// mark when the check started): lines from here on are version 1's.
    pub mark: u64,
}

impl Probe<'_> {
    /// How long to wait for something the app does every period or so.
    pub fn patience(&self) -> Duration {
        (self.period * 6).max(Duration::from_secs(5))
    }

    /// The first line from the mark that `found` accepts; `Err` names `what`
    /// was expected and shows the last lines printed.
    pub fn expect_line(&self, what: &str, found: impl FnMut(&str) -> bool) -> Result<Line, String> {
        self.output
            .wait_for(self.mark, self.patience(), found)
            .ok_or_else(|| self.missing(what))
    }

    /// How long to wait for `count` lines: one period each, and the
    /// patience on top. At the tutorial's pace (a line every 2 s) 14 lines
    /// take 28 s, longer than any fixed patience.
    pub fn patience_for_lines(&self, count: usize) -> Duration {
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        self.period.saturating_mul(count) + self.patience() * 2
    }

    /// `count` lines printed from the mark on (waiting for them).
    pub fn lines(&self, count: usize) -> Result<Vec<String>, String> {
        let patience = self.patience_for_lines(count);
        let lines = self.output.wait_count(self.mark, count, patience);
        if lines.len() < count {
            return Err(self.missing_within(&format!("{count} lines of output"), patience));
        }
        Ok(lines.into_iter().take(count).map(|l| l.text).collect())
    }

    /// `count` lines printed after `skip` lines from the mark: the first
    /// lines after an update may still have been printed by the old version
    /// (they were in the pipe when it applied).
    pub fn settled_lines(&self, skip: usize, count: usize) -> Result<Vec<String>, String> {
        Ok(self.lines(skip + count)?.split_off(skip))
    }

    /// "no `<what>` within Ns; the app printed: …" with the last lines.
    pub fn missing(&self, what: &str) -> String {
        self.missing_within(what, self.patience())
    }

    /// [`Probe::missing`] after waiting `waited`.
    pub fn missing_within(&self, what: &str, waited: Duration) -> String {
        let tail: Vec<String> = self
            .output
            .tail(6)
            .into_iter()
            .map(|l| format!("  | {}", l.text))
            .collect();
        let state = if self.output.is_closed() {
            "the app exited"
        } else {
            "the app is running"
        };
        format!(
            "no {what} within {}s ({state}); its last lines:\n{}",
            waited.as_secs(),
            if tail.is_empty() {
                "  | (nothing)".to_string()
            } else {
                tail.join("\n")
            }
        )
    }

    /// Every panic the app reported on stderr, as the standard hook prints
    /// it (`thread '…' panicked at <place>:` and, on the next line, the
    /// message), joined on one line: empty while no thread died.
    pub fn panics(&self) -> Vec<String> {
        let lines: Vec<String> = self.errors.since(0).into_iter().map(|l| l.text).collect();
        lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.contains(" panicked at "))
            .map(|(i, l)| match lines.get(i + 1) {
                Some(message) if l.ends_with(':') => format!("{l} {message}"),
                _ => l.clone(),
            })
            .collect()
    }

    /// The agent's state now.
    pub fn snapshot(&self) -> Result<Snapshot, String> {
        let mut client = Client::open(&self.socket)
            .map(|(client, _)| client)
            .map_err(|e| format!("cannot reach the app's agent: {e}"))?;
        client
            .snapshot()
            .map_err(|e| format!("the agent gave no state: {e}"))
    }

    /// The agent's update journal, oldest first: what was applied, in the
    /// order it was.
    pub fn journal(&self) -> Result<Vec<JournalEntry>, String> {
        let mut client = Client::open(&self.socket)
            .map(|(client, _)| client)
            .map_err(|e| format!("cannot reach the app's agent: {e}"))?;
        client
            .journal()
            .map(|read| read.entries)
            .map_err(|e| format!("the agent gave no journal: {e}"))
    }

    /// `http://127.0.0.1:<port>` of the web server.
    pub fn http_base(&self) -> Result<String, String> {
        self.port
            .map(|p| format!("http://127.0.0.1:{p}"))
            .ok_or_else(|| "this exercise's app was started without a port".to_string())
    }

    /// This probe with its mark moved to `mark`.
    pub fn from_mark(&self, mark: u64) -> Self {
        Probe {
            mark,
            ..self.clone()
        }
    }
}

/// The version of hot function `name` in `snapshot`, or why there is none.
pub fn function_version(snapshot: &Snapshot, name: &str) -> Result<u32, String> {
    snapshot
        .functions
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.version)
        .ok_or_else(|| format!("the app has no hot function {name}"))
}

/// The class `name` in `snapshot`, or why there is none.
pub fn class<'s>(snapshot: &'s Snapshot, name: &str) -> Result<&'s ClassInfo, String> {
    snapshot
        .classes
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| format!("the app has no class {name}"))
}

/// Live instances of `class` holding a value of `version`.
pub fn live_at(class: &ClassInfo, version: u32) -> u64 {
    class
        .versions
        .iter()
        .filter(|v| v.version == version)
        .map(|v| v.live)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_for_lines_allows_one_period_per_line_at_the_tutorials_pace() {
        // Defect 1: at the tutorial's pace (a line every 2 s) the step2-series
        // check waits for 14 lines; it gave up after 24 s, before the 14th.
        let (output, errors) = (OutputLog::new(), OutputLog::new());
        let probe = Probe {
            output: &output,
            errors: &errors,
            socket: PathBuf::new(),
            period: Duration::from_secs(2),
            port: None,
            mark: 0,
        };
        assert!(probe.patience_for_lines(14) > Duration::from_secs(2 * 14));
        let fast = Probe {
            period: Duration::from_millis(20),
            ..probe.clone()
        };
        assert!(fast.patience_for_lines(14) >= fast.patience());
    }

    #[test]
    fn panics_are_the_stderr_lines_reporting_one() {
        let (output, errors) = (OutputLog::new(), OutputLog::new());
        let probe = Probe {
            output: &output,
            errors: &errors,
            socket: PathBuf::new(),
            period: Duration::from_millis(20),
            port: None,
            mark: 0,
        };
        assert!(probe.panics().is_empty());
        errors.push("step4-simultaneous: a warning".into());
        errors.push("thread 'reader' panicked at app/src/lib.rs:9:5:".into());
        errors.push("the shared value is a plain u64".into());
        assert_eq!(
            probe.panics(),
            ["thread 'reader' panicked at app/src/lib.rs:9:5: the shared value is a plain u64"]
        );
    }
}
