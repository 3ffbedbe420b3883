//! Hot functions as the console shows them: the snapshot's view of each
//! function plus its calls per second, computed from the snapshots of the
//! last few seconds (a function called every 2 s, seen every second, runs
//! at 0.5 calls/s — not 0 every other second, nor 0 for good).

use std::collections::{HashMap, VecDeque};
use std::fmt;

use moult_protocol::FunctionInfo;

use super::History;

/// The span of snapshots a rate is computed over: longer than the slowest
/// loop of the demo apps (2 s), short enough to follow a change.
pub const RATE_WINDOW_MS: u64 = 5_000;

/// Calls per second, to a thousandth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Rate {
    /// Calls per thousand seconds.
    pub milli: u64,
}

impl fmt::Display for Rate {
    /// `0`, `0.5`, `3.2`, `12`, `5000`: a tenth while under ten a second.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.milli == 0 {
            write!(f, "0")
        } else if self.milli < 10_000 {
            let tenths = (self.milli + 50) / 100;
            write!(f, "{}.{}", tenths / 10, tenths % 10)
        } else {
            write!(f, "{}", (self.milli + 500) / 1000)
        }
    }
}

/// One hot function.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionRow {
    /// The agent's latest word on it (version, activations per thread, gate).
    pub info: FunctionInfo,
    /// Calls on every thread since they started.
    pub calls: u64,
    /// (uptime, calls) of the snapshots of the last [`RATE_WINDOW_MS`], and
    /// the one before them: the base of the rate.
    samples: VecDeque<(u64, u64)>,
    /// Calls per second over the window (`None` before the second
    /// snapshot: one sample gives no rate).
    pub rate: Option<Rate>,
    /// Past rates (calls per thousand seconds), for the sparkline.
    pub history: History,
}

impl FunctionRow {
    /// Adds the snapshot at `uptime_ms`, forgets those older than the
    /// window (keeping one at or before its start), and computes the rate.
    fn sample(&mut self, uptime_ms: u64, calls: u64) {
        self.samples.push_back((uptime_ms, calls));
        while self
            .samples
            .get(1)
            .is_some_and(|&(at, _)| at + RATE_WINDOW_MS <= uptime_ms)
        {
            self.samples.pop_front();
        }
        let (Some(&(from_ms, from_calls)), true) = (self.samples.front(), self.samples.len() > 1)
        else {
            return;
        };
        // Threads that ended take their counts with them: never negative.
        let calls_since = calls.saturating_sub(from_calls);
        let rate = Rate {
            milli: calls_since * 1_000_000 / (uptime_ms - from_ms),
        };
        self.rate = Some(rate);
        self.history.push(rate.milli);
    }

    /// Activations running now, on every thread.
    pub fn active(&self) -> u32 {
        self.info.threads.iter().map(|t| t.active).sum()
    }
}

/// Every hot function, in the agent's order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Functions {
    /// Rows in the order of the last snapshot.
    pub rows: Vec<FunctionRow>,
    /// Uptime of the snapshot the rates were last computed from.
    last_uptime_ms: Option<u64>,
}

impl Functions {
    /// Takes a new snapshot's functions taken at `uptime_ms`, keeping each
    /// function's history and computing its rate over the window.
    pub fn snapshot(&mut self, functions: &[FunctionInfo], uptime_ms: u64) {
        let newer = self.last_uptime_ms.is_none_or(|last| uptime_ms > last);
        let mut old: HashMap<String, FunctionRow> = self
            .rows
            .drain(..)
            .map(|row| (row.info.name.clone(), row))
            .collect();
        self.rows = functions
            .iter()
            .map(|info| {
                let calls: u64 = info.threads.iter().map(|t| t.calls).sum();
                let mut row = old.remove(&info.name).unwrap_or_else(|| FunctionRow {
                    info: info.clone(),
                    calls,
                    samples: VecDeque::new(),
                    rate: None,
                    history: History::default(),
                });
                if newer {
                    row.sample(uptime_ms, calls);
                }
                row.info = info.clone();
                row.calls = calls;
                row
            })
            .collect();
        self.last_uptime_ms = Some(uptime_ms);
    }

    /// A `function_redefined` event: the new version shows before the next snapshot.
    pub fn redefined(&mut self, function: &str, version: u32) {
        if let Some(row) = self.rows.iter_mut().find(|r| r.info.name == function) {
            row.info.version = version;
        }
    }
}

#[cfg(test)]
mod tests {
    use moult_protocol::ThreadActivity;

    use super::*;

    fn f(name: &str, calls: &[u64]) -> FunctionInfo {
        FunctionInfo {
            name: name.into(),
            signature: "fn()".into(),
            version: 0,
            threads: calls
                .iter()
                .enumerate()
                .map(|(i, &calls)| ThreadActivity {
                    thread: format!("t{i}"),
                    active: 1,
                    calls,
                })
                .collect(),
            gated: false,
            health: Vec::new(),
            source: None,
        }
    }

    fn per_s(rate: Option<Rate>) -> Option<String> {
        rate.map(|r| r.to_string())
    }

    #[test]
    fn the_rate_is_the_calls_over_the_window_of_snapshots() {
        let mut fs = Functions::default();
        fs.snapshot(&[f("a", &[10, 5])], 1_000);
        assert_eq!(fs.rows[0].rate, None);
        assert_eq!(fs.rows[0].active(), 2);
        fs.snapshot(&[f("a", &[40, 15])], 2_000);
        assert_eq!(per_s(fs.rows[0].rate).as_deref(), Some("40"));
        fs.snapshot(&[f("a", &[50, 15]), f("b", &[1])], 2_500);
        // 50 calls since the first snapshot, 1.5 s ago.
        assert_eq!(per_s(fs.rows[0].rate).as_deref(), Some("33"));
        assert_eq!(fs.rows[1].rate, None, "a new function has no rate yet");
        // A thread ended: its calls left the sum, the rate is not negative.
        fs.snapshot(&[f("a", &[10])], 3_500);
        assert_eq!(per_s(fs.rows[0].rate).as_deref(), Some("0"));
        let history: Vec<u64> = fs.rows[0].history.tail(10).collect();
        assert_eq!(history, [40_000, 33_333, 0]);
    }

    #[test]
    fn a_function_called_every_two_seconds_runs_at_half_a_call_a_second() {
        // Defect 5: snapshots about a second apart and one call every 2 s
        // showed 0 calls/s (1 call in 1.1 s rounded down; none in the next).
        let mut fs = Functions::default();
        let mut calls = 0;
        for i in 0..20u64 {
            if i % 2 == 0 {
                calls += 1;
            }
            fs.snapshot(&[f("tick", &[calls])], 1_000 + i * 1_100);
            if i >= 5 {
                let rate = fs.rows[0].rate.unwrap();
                assert!(
                    (300..=700).contains(&rate.milli),
                    "snapshot {i}: {rate} calls/s"
                );
            }
        }
        assert!(fs.rows[0].history.tail(10).all(|r| r > 0), "no flat line");
    }

    #[test]
    fn a_redefinition_shows_at_once() {
        let mut fs = Functions::default();
        fs.snapshot(&[f("a", &[])], 0);
        fs.redefined("a", 3);
        fs.redefined("unknown", 1);
        assert_eq!(fs.rows[0].info.version, 3);
    }
}
