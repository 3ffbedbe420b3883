//! Hot functions as the console shows them: the snapshot's view of each
//! function plus its calls per second, computed from successive snapshots.

use std::collections::HashMap;

use moult_protocol::FunctionInfo;

use super::History;

/// One hot function.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionRow {
    /// The agent's latest word on it (version, activations per thread, gate).
    pub info: FunctionInfo,
    /// Calls on every thread since they started: the base of the next rate.
    pub calls: u64,
    /// Calls per second between the last two snapshots (`None` before the
    /// second snapshot: one sample gives no rate).
    pub rate: Option<u64>,
    /// Past rates, for the sparkline.
    pub history: History,
}

impl FunctionRow {
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
    /// function's history and computing its rate since the previous one.
    pub fn snapshot(&mut self, functions: &[FunctionInfo], uptime_ms: u64) {
        let elapsed_ms = self
            .last_uptime_ms
            .map(|last| uptime_ms.saturating_sub(last))
            .filter(|&ms| ms > 0);
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
                    rate: None,
                    history: History::default(),
                });
                if let Some(ms) = elapsed_ms {
                    // Threads that ended take their counts with them: never negative.
                    let rate = calls.saturating_sub(row.calls) * 1000 / ms;
                    row.rate = Some(rate);
                    row.history.push(rate);
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
        }
    }

    #[test]
    fn the_rate_is_the_calls_between_two_snapshots_over_their_time() {
        let mut fs = Functions::default();
        fs.snapshot(&[f("a", &[10, 5])], 1_000);
        assert_eq!(fs.rows[0].rate, None);
        assert_eq!(fs.rows[0].active(), 2);
        fs.snapshot(&[f("a", &[40, 15])], 2_000);
        assert_eq!(fs.rows[0].rate, Some(40));
        fs.snapshot(&[f("a", &[50, 15]), f("b", &[1])], 2_500);
        assert_eq!(fs.rows[0].rate, Some(20));
        assert_eq!(
            fs.rows[1].rate,
            Some(0),
            "a new function starts from its own count"
        );
        // A thread ended: its calls left the sum, the rate is not negative.
        fs.snapshot(&[f("a", &[50])], 3_500);
        assert_eq!(fs.rows[0].rate, Some(0));
        let history: Vec<u64> = fs.rows[0].history.tail(10).collect();
        assert_eq!(history, [40, 20, 0]);
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
