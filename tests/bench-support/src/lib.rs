//! What every moult bench shares (the agent's, the console's and the
//! end-to-end ones): reading back the estimates criterion saved in this
//! run, so each bench can print its figures as ratios to a baseline
//! measured in the same run.

use std::path::PathBuf;

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
/// criterion saved for `group/id`, if any. Criterion stores
/// `group/function/parameter` under `group/function_parameter`.
pub fn estimate(group: &str, id: &str) -> Option<(f64, f64)> {
    let dir = criterion_dir().join(group).join(id.replace('/', "_"));
    let text = std::fs::read_to_string(dir.join("new/estimates.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some((
        v["median"]["point_estimate"].as_f64()?,
        v["median_abs_dev"]["point_estimate"].as_f64()?,
    ))
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
}
