//! What every moult bench shares (the agent's, the console's and the
//! end-to-end ones): reading back the estimates criterion saved in this
//! run, so each bench can print its figures as ratios to a baseline
//! measured in the same run.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where criterion writes its results: `$CARGO_TARGET_DIR/criterion`, else
/// the workspace's `target/criterion`.
pub fn criterion_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"),
            PathBuf::from,
        )
        .join("criterion")
}

/// Median and spread (median absolute deviation), in ns per iteration, that
/// criterion saved for `group/id` in this process, if any. Criterion stores
/// `group/function/parameter` under `group/function_parameter`.
///
/// An estimate saved before this process started is an earlier run's (a
/// case filtered out this time, or one only an environment variable
/// enables): it is not returned, so that a table printed "from one run"
/// never mixes in an older figure.
pub fn estimate(group: &str, id: &str) -> Option<(f64, f64)> {
    let dir = criterion_dir().join(group).join(id.replace('/', "_"));
    let file = dir.join("new/estimates.json");
    if saved_before_this_process(&file) {
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some((
        v["median"]["point_estimate"].as_f64()?,
        v["median_abs_dev"]["point_estimate"].as_f64()?,
    ))
}

/// `true` if `file` was last written before this process started (`false`
/// when either time cannot be told: the estimate is then taken).
fn saved_before_this_process(file: &Path) -> bool {
    let written = std::fs::metadata(file).and_then(|m| m.modified());
    match (written, process_start()) {
        (Ok(written), Some(start)) => written < start,
        _ => false,
    }
}

/// When this process started, from Linux's `/proc`: `btime` (the boot, in
/// whole seconds, so up to a second early) plus the process's `starttime`
/// (clock ticks after boot, in `USER_HZ`, which is 100 on the
/// architectures Linux runs these benches on).
fn process_start() -> Option<SystemTime> {
    const USER_HZ: u64 = 100;
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Field 2 (the command) is in parentheses and may hold spaces: count
    // from after its closing one, where field 3 starts; starttime is 22.
    let rest = &stat[stat.rfind(')')? + 1..];
    let ticks: u64 = rest.split_whitespace().nth(22 - 3)?.parse().ok()?;
    let boot: u64 = std::fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()?;
    Some(UNIX_EPOCH + Duration::from_secs(boot) + Duration::from_millis(ticks * 1000 / USER_HZ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_estimate_is_read_back_and_a_missing_one_is_none() {
        let group = format!("moult-bench-support-test-{}", std::process::id());
        let dir = criterion_dir().join(&group).join("case_1").join("new");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("estimates.json"),
            r#"{"median":{"point_estimate":12.5},"median_abs_dev":{"point_estimate":0.5}}"#,
        )
        .unwrap();
        assert_eq!(estimate(&group, "case/1"), Some((12.5, 0.5)));
        assert_eq!(estimate(&group, "case/2"), None);
        std::fs::remove_dir_all(criterion_dir().join(&group)).unwrap();
    }

    #[test]
    fn an_estimate_saved_before_this_process_started_is_an_earlier_runs() {
        let group = format!("moult-bench-support-stale-{}", std::process::id());
        let dir = criterion_dir().join(&group).join("old").join("new");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("estimates.json");
        std::fs::write(
            &file,
            r#"{"median":{"point_estimate":7.0},"median_abs_dev":{"point_estimate":1.0}}"#,
        )
        .unwrap();
        assert_eq!(estimate(&group, "old"), Some((7.0, 1.0)), "fresh: read");
        let start = process_start().expect("/proc tells when this process started");
        let before = start - Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(before)
            .unwrap();
        assert_eq!(estimate(&group, "old"), None, "saved an hour before: stale");
        std::fs::remove_dir_all(criterion_dir().join(&group)).unwrap();
    }

    #[test]
    fn this_process_started_in_the_last_hour_and_not_in_the_future() {
        let start = process_start().expect("/proc tells when this process started");
        let now = SystemTime::now();
        assert!(start <= now, "{start:?} is after {now:?}");
        assert!(now.duration_since(start).unwrap() < Duration::from_secs(3600));
    }
}
