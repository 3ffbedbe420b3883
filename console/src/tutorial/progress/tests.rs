//! The progress file: records and their rules, loading old and corrupt
//! files, the last check of each exercise and of them all.

use super::*;

#[test]
fn merging_keeps_the_passes_either_side_knows() {
    let mut open = Progress::default();
    open.started("step1-hello", 5);
    let mut file = Progress::default();
    file.passed("step2-series", 7, false);
    open.merge(&file);
    assert_eq!(open.status("step1-hello"), Status::Started);
    assert_eq!(
        open.status("step2-series"),
        Status::Passed {
            at_ms: 7,
            with_solution: false
        }
    );
}

#[test]
fn a_pass_recorded_from_the_command_line_is_kept_with_what_was_there() {
    let dir = tempfile::tempdir().unwrap();
    let mut file = ProgressFile::at(dir.path().join("progress.json"));
    let mut before = Progress::default();
    before.started("step1-hello", 1);
    file.save(&before).unwrap();
    file.record_check("step2-series", true, Outcome::Pass)
        .unwrap();
    let progress = file.load().progress;
    assert_eq!(progress.status("step1-hello"), Status::Started);
    assert!(matches!(
        progress.status("step2-series"),
        Status::Passed { .. }
    ));
}

#[test]
fn hints_used_count_the_highest_level_and_merge_and_save() {
    let mut p = Progress::default();
    assert_eq!(p.hints_used("step1-hello"), 0);
    p.hinted("step1-hello", 2);
    p.hinted("step1-hello", 1);
    assert_eq!(p.hints_used("step1-hello"), 2);
    assert_eq!(p.status("step1-hello"), Status::NotStarted);
    let mut other = Progress::default();
    other.hinted("step1-hello", 3);
    p.merge(&other);
    assert_eq!(p.hints_used("step1-hello"), 3);

    let dir = tempfile::tempdir().unwrap();
    let mut file = ProgressFile::at(dir.path().join("progress.json"));
    file.record_hint("step2-series", 1).unwrap();
    file.record_hint("step2-series", 2).unwrap();
    assert_eq!(file.load().progress.hints_used("step2-series"), 2);
    let text = std::fs::read_to_string(&file.path).unwrap();
    assert!(text.contains("\"hints_used\": 2"), "{text}");
    let none = serde_json::to_string(&Record::default()).unwrap();
    assert_eq!(none, "{}", "no hint, no field");
}

#[test]
fn a_file_from_before_checks_were_kept_loads_and_its_pass_is_the_last_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tutorial.json");
    std::fs::write(
        &path,
        r#"{"exercises": {"step1-hello": {"started_ms": 1, "passed_ms": 2},
             "step2-series": {"started_ms": 3, "hints_used": 1}}}"#,
    )
    .unwrap();
    let mut file = ProgressFile::at(path);
    let loaded = file.load();
    assert_eq!(loaded.warning, None);
    let progress = loaded.progress;
    assert_eq!(progress.exercises["step1-hello"].last_check, None);
    let (id, check) = progress.last_check().unwrap();
    assert_eq!(
        (id, check.at_ms, check.outcome),
        ("step1-hello", 2, Outcome::Pass)
    );
    assert_eq!(file.peek().unwrap(), progress);
}

#[test]
fn a_fail_then_a_pass_is_passed_and_last_passed() {
    let mut p = Progress::default();
    let fail = Outcome::Fail {
        why: "the app still prints 0 1 1 2".into(),
    };
    p.checked("step2-series", 10, false, fail.clone());
    assert_eq!(p.status("step2-series"), Status::Started);
    assert_eq!(p.last_check().unwrap().1.outcome, fail);
    p.checked("step2-series", 20, false, Outcome::Pass);
    assert_eq!(
        p.status("step2-series"),
        Status::Passed {
            at_ms: 20,
            with_solution: false
        }
    );
    let (id, last) = p.last_check().unwrap();
    assert_eq!(
        (id, last.at_ms, last.outcome),
        ("step2-series", 20, Outcome::Pass)
    );
}

#[test]
fn a_pass_then_a_fail_stays_passed_and_last_failed_and_saves() {
    let dir = tempfile::tempdir().unwrap();
    let mut file = ProgressFile::at(dir.path().join("tutorial.json"));
    file.record_check("step1-hello", false, Outcome::Pass)
        .unwrap();
    let fail = Outcome::Fail {
        why: "no line \"hello moult\" within 5s".into(),
    };
    file.record_check("step1-hello", false, fail.clone())
        .unwrap();
    let progress = file.peek().unwrap();
    assert!(matches!(
        progress.status("step1-hello"),
        Status::Passed { .. }
    ));
    assert_eq!(progress.passed_count(), 1);
    let (id, last) = progress.last_check().unwrap();
    assert_eq!((id, last.outcome), ("step1-hello", fail));
    let text = std::fs::read_to_string(&file.path).unwrap();
    assert!(text.contains("\"result\": \"fail\""), "{text}");
}

#[test]
fn the_newest_check_wins_over_exercises_and_merges() {
    let mut open = Progress::default();
    open.checked("step1-hello", 30, false, Outcome::Pass);
    let mut file = Progress::default();
    let old = Outcome::Fail { why: "old".into() };
    file.checked("step1-hello", 20, false, old);
    let new = Outcome::Fail { why: "new".into() };
    file.checked("step1-data", 40, true, new.clone());
    open.merge(&file);
    assert_eq!(
        open.exercises["step1-hello"]
            .last_check
            .as_ref()
            .unwrap()
            .outcome,
        Outcome::Pass,
        "an older check does not replace a newer one"
    );
    let (id, last) = open.last_check().unwrap();
    assert_eq!(
        (id, last.outcome, last.with_solution),
        ("step1-data", new, true)
    );
}

#[test]
fn the_path_follows_xdg_then_home() {
    let p = |xdg: Option<&str>, home: Option<&str>| {
        path_from(xdg.map(Into::into), home.map(Into::into))
    };
    assert_eq!(
        p(Some("/s"), Some("/h")),
        Some(PathBuf::from("/s/moult/tutorial.json"))
    );
    assert_eq!(
        p(Some("relative"), Some("/h")),
        Some(PathBuf::from("/h/.local/state/moult/tutorial.json"))
    );
    assert_eq!(
        p(None, Some("/h")),
        Some(PathBuf::from("/h/.local/state/moult/tutorial.json"))
    );
    assert_eq!(p(None, None), None);
}

#[test]
fn started_then_passed_with_the_solution_then_with_ones_own() {
    let mut p = Progress::default();
    assert_eq!(p.status("step1-hello"), Status::NotStarted);
    p.started("step1-hello", 1_000);
    p.started("step1-hello", 2_000);
    assert_eq!(p.status("step1-hello"), Status::Started);
    assert_eq!(p.exercises["step1-hello"].started_ms, Some(1_000));
    p.passed("step1-hello", 3_000, true);
    p.passed("step1-hello", 4_000, true);
    assert_eq!(
        p.status("step1-hello"),
        Status::Passed {
            at_ms: 3_000,
            with_solution: true
        }
    );
    p.passed("step1-hello", 5_000, false);
    p.passed("step1-hello", 6_000, true);
    assert_eq!(
        p.status("step1-hello"),
        Status::Passed {
            at_ms: 5_000,
            with_solution: false
        }
    );
    assert_eq!(p.passed_count(), 1);
    assert_eq!(
        p.status("step1-hello").words(),
        "passed 1970-01-01 00:00 UTC"
    );
    assert_eq!(
        Status::Passed {
            at_ms: 1_714_565_000_999,
            with_solution: true
        }
        .words(),
        "passed 2024-05-01 12:03 UTC (solution)"
    );
}

#[test]
fn saved_progress_loads_back_and_a_missing_file_is_no_progress() {
    let dir = tempfile::tempdir().unwrap();
    let mut file = ProgressFile::at(dir.path().join("state/moult/tutorial.json"));
    assert_eq!(file.load().progress, Progress::default());
    let mut p = Progress::default();
    p.passed("step1-hello", 42, false);
    file.save(&p).unwrap();
    let loaded = file.load();
    assert_eq!((loaded.progress, loaded.warning), (p, None));
    let text = std::fs::read_to_string(&file.path).unwrap();
    assert!(text.contains("\"passed_ms\": 42"), "{text}");
}

#[test]
fn a_corrupt_file_is_moved_aside_and_reported_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tutorial.json");
    std::fs::write(&path, "{ not json").unwrap();
    let mut file = ProgressFile::at(path.clone());
    let loaded = file.load();
    assert_eq!(loaded.progress, Progress::default());
    let warning = loaded.warning.unwrap();
    assert!(warning.contains("was unreadable"), "{warning}");
    let aside: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert!(warning.contains(&aside[0].display().to_string()));
    assert_eq!(std::fs::read_to_string(&aside[0]).unwrap(), "{ not json");
    assert!(!file.read_only, "the path is free again: saving is fine");
}

#[test]
fn an_unreadable_file_turns_saving_off() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the file should be: reading fails, not NotFound.
    let path = dir.path().join("tutorial.json");
    std::fs::create_dir(&path).unwrap();
    let mut file = ProgressFile::at(path.clone());
    let loaded = file.load();
    assert!(loaded.warning.is_some());
    assert!(file.read_only);
    assert!(file.save(&Progress::default()).is_err());
    assert!(path.is_dir(), "left as it was");
}
