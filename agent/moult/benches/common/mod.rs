//! Shared by moult's benches: bench-or-test mode, criterion's saved
//! estimates, and the summary table each bench prints at the end
//! ("case | median | spread | ratio to baseline | target | met?").

#![allow(dead_code)] // each bench uses a different subset

use std::time::Duration;

use criterion::SamplingMode;

/// `true` under `cargo bench` (criterion is passed `--bench` and no
/// `--test`); `false` under `cargo test --benches` / `cargo test --workspace`,
/// where each case runs once and huge setups must shrink.
pub fn is_bench() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test")
}

/// `full` when benchmarking, `smoke` under `cargo test`.
pub fn scaled(full: usize, smoke: usize) -> usize {
    if is_bench() { full } else { smoke }
}

/// Configures `group` for one-shot cases (each run is a whole operation on
/// a big state, e.g. converting 1 000 000 instances): one warm-up run, then
/// `samples` samples of exactly one run each. Criterion then warns it
/// "cannot complete the samples in 1 ns": expected, the time is the runs' own.
pub fn one_shot<M: criterion::measurement::Measurement>(
    group: &mut criterion::BenchmarkGroup<'_, M>,
    samples: usize,
) {
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(samples.max(10))
        .warm_up_time(Duration::from_nanos(1))
        .measurement_time(Duration::from_nanos(1));
}

/// Median and spread (median absolute deviation) in ns per iteration that
/// criterion saved in this run for `group/id`, if any.
pub fn estimate(group: &str, id: &str) -> Option<(f64, f64)> {
    moult_bench_support::estimate(group, id)
}

/// A duration in ns, written with a readable unit.
pub fn human(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.2} ns")
    }
}

/// One line of the summary table.
pub struct Row {
    /// What was measured.
    pub case: String,
    /// Median and spread, already formatted (a time, or a size).
    pub median: String,
    pub spread: String,
    /// `ratio` to `baseline`, formatted, or empty.
    pub ratio: String,
    /// The target, in words, or empty.
    pub target: String,
    /// Whether the target is met, if there is one.
    pub met: Option<bool>,
}

impl Row {
    /// A timed case from criterion's estimates for `group/id` (None if the
    /// case did not run in this process, e.g. filtered out).
    pub fn timed(group: &str, id: &str) -> Option<Row> {
        let (m, s) = estimate(group, id)?;
        Some(Row {
            case: id.into(),
            median: human(m),
            spread: format!("±{}", human(s)),
            ratio: String::new(),
            target: String::new(),
            met: None,
        })
    }

    /// Adds `value` as a ratio to `baseline`.
    pub fn ratio(mut self, value: f64, baseline: &str) -> Row {
        self.ratio = format!("{value:.2}× {baseline}");
        self
    }

    /// Adds a target and whether it is met.
    pub fn target(mut self, target: impl Into<String>, met: bool) -> Row {
        self.target = target.into();
        self.met = Some(met);
        self
    }
}

/// Prints `rows` as a table under `title` (only under `cargo bench`: in test
/// mode criterion saves no estimates worth reading).
pub fn print_table(title: &str, rows: &[Row]) {
    if !is_bench() || rows.is_empty() {
        return;
    }
    let header = [
        "case",
        "median",
        "spread (MAD)",
        "ratio to baseline",
        "target",
        "met?",
    ];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.case.clone(),
                r.median.clone(),
                r.spread.clone(),
                r.ratio.clone(),
                r.target.clone(),
                match r.met {
                    Some(true) => "yes".into(),
                    Some(false) => "NO".into(),
                    None => String::new(),
                },
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: &[String]| {
        let parts: Vec<String> = cols
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("| {} |", parts.join(" | "));
    };
    println!("\n{title} (same run):");
    line(&header.map(String::from));
    line(&widths.map(|w| "-".repeat(w)));
    for row in &cells {
        line(row);
    }
}
