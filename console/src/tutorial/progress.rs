//! The learner's progress through the tutorial: which exercises were
//! started, which passed and when, each one's last check (pass or fail, and
//! for a fail what was wrong), the hints revealed, kept as JSON in
//! `$XDG_STATE_HOME/moult/tutorial.json` (else
//! `~/.local/state/moult/tutorial.json`) so it survives the console.
//!
//! A file that cannot be read as progress is never overwritten silently: it
//! is renamed aside (`tutorial.json.corrupt-<unix ms>`) and the learner is
//! told where it went; if even that fails, progress is not saved this run.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::render::rfc3339_utc;

pub use super::check_result::{CheckResult, Outcome};

/// The file's name in its `moult` state directory.
pub const FILE_NAME: &str = "tutorial.json";

/// One exercise's record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// When its app was first started (unix ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_ms: Option<u64>,
    /// When a check first passed (unix ms); a pass with the learner's own
    /// update replaces one with the solution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passed_ms: Option<u64>,
    /// The pass was the revealed solution's, not the learner's update.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub with_solution: bool,
    /// How many of its hints were revealed (the tutorial's `h`,
    /// `moult-console hint`): the highest level seen.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub hints_used: usize,
    /// The newest check of it, pass or fail: a pass stays recorded in
    /// `passed_ms` when a later check fails, and this says the learner is
    /// stuck (the leader's view shows it). Absent in files written before
    /// checks were kept, and until a check ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_check: Option<CheckResult>,
}

impl Record {
    /// Its newest check: the one recorded, else (a file from a console that
    /// kept only passes) its pass.
    pub fn newest_check(&self) -> Option<CheckResult> {
        self.last_check.clone().or_else(|| {
            self.passed_ms.map(|at_ms| CheckResult {
                at_ms,
                with_solution: self.with_solution,
                outcome: Outcome::Pass,
            })
        })
    }
}

/// `result` replaces `slot`'s check unless that one is newer (a check
/// recorded elsewhere meanwhile is not written over by an older one).
fn keep_newer(slot: &mut Option<CheckResult>, result: CheckResult) {
    if slot.as_ref().is_none_or(|old| old.at_ms <= result.at_ms) {
        *slot = Some(result);
    }
}

/// Zero hints are not written to the file.
fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Where an exercise stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Never opened.
    NotStarted,
    /// Its app was started; no check passed yet.
    Started,
    /// A check passed.
    Passed {
        /// When (unix ms).
        at_ms: u64,
        /// With the solution rather than the learner's update.
        with_solution: bool,
    },
}

impl Status {
    /// The list's words: `not started`, `started`, `passed 2024-05-01 12:03 UTC`.
    pub fn words(self) -> String {
        match self {
            Status::NotStarted => "not started".into(),
            Status::Started => "started".into(),
            Status::Passed {
                at_ms,
                with_solution,
            } => {
                // `2024-05-01T12:03:04Z` → `2024-05-01 12:03 UTC`.
                let time = rfc3339_utc(at_ms);
                let solution = if with_solution { " (solution)" } else { "" };
                format!("passed {} {} UTC{solution}", &time[..10], &time[11..16])
            }
        }
    }
}

/// Every exercise's record, by exercise id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The records; an exercise without one was never started.
    #[serde(default)]
    pub exercises: BTreeMap<String, Record>,
}

impl Progress {
    /// Where exercise `id` stands.
    pub fn status(&self, id: &str) -> Status {
        match self.exercises.get(id) {
            Some(Record {
                passed_ms: Some(at_ms),
                with_solution,
                ..
            }) => Status::Passed {
                at_ms: *at_ms,
                with_solution: *with_solution,
            },
            Some(Record {
                started_ms: Some(_),
                ..
            }) => Status::Started,
            _ => Status::NotStarted,
        }
    }

    /// Exercise `id`'s app was started at `now_ms` (the first start counts).
    pub fn started(&mut self, id: &str, now_ms: u64) {
        let record = self.exercises.entry(id.to_string()).or_default();
        record.started_ms.get_or_insert(now_ms);
    }

    /// A check of exercise `id` passed at `now_ms`. The first pass counts,
    /// except that the learner's own pass replaces a pass with the solution.
    pub fn passed(&mut self, id: &str, now_ms: u64, with_solution: bool) {
        let record = self.exercises.entry(id.to_string()).or_default();
        record.started_ms.get_or_insert(now_ms);
        let replace = record.passed_ms.is_none() || (record.with_solution && !with_solution);
        if replace {
            record.passed_ms = Some(now_ms);
            record.with_solution = with_solution;
        }
    }

    /// A check of exercise `id` ended at `now_ms` with `outcome`: it is the
    /// exercise's last check (unless a newer one is known), and a pass is
    /// recorded as [`Progress::passed`] does. A failure after a pass leaves
    /// the exercise passed.
    pub fn checked(&mut self, id: &str, now_ms: u64, with_solution: bool, outcome: Outcome) {
        if outcome.passed() {
            self.passed(id, now_ms, with_solution);
        }
        let record = self.exercises.entry(id.to_string()).or_default();
        record.started_ms.get_or_insert(now_ms);
        let result = CheckResult {
            at_ms: now_ms,
            with_solution,
            outcome,
        };
        keep_newer(&mut record.last_check, result);
    }

    /// The newest check over every exercise (see [`Record::newest_check`]):
    /// the exercise and its result.
    pub fn last_check(&self) -> Option<(&str, CheckResult)> {
        self.exercises
            .iter()
            .filter_map(|(id, r)| Some((id.as_str(), r.newest_check()?)))
            .max_by_key(|(_, check)| check.at_ms)
    }

    /// How many hints of exercise `id` were revealed.
    pub fn hints_used(&self, id: &str) -> usize {
        self.exercises.get(id).map_or(0, |r| r.hints_used)
    }

    /// Hint `level` of exercise `id` was revealed: the count is the highest
    /// level seen (reading hint 1 again after hint 2 uses no more).
    pub fn hinted(&mut self, id: &str, level: usize) {
        let record = self.exercises.entry(id.to_string()).or_default();
        record.hints_used = record.hints_used.max(level);
    }

    /// Takes in what `other` knows and this does not (a check recorded by
    /// `moult-console check` while the tutorial was open): starts, passes
    /// and hints by the same rules as [`Progress::started`],
    /// [`Progress::passed`] and [`Progress::hinted`]; of two last checks,
    /// the newer.
    pub fn merge(&mut self, other: &Progress) {
        for (id, record) in &other.exercises {
            if let Some(at) = record.started_ms {
                self.started(id, at);
            }
            if let Some(at) = record.passed_ms {
                self.passed(id, at, record.with_solution);
            }
            if record.hints_used > 0 {
                self.hinted(id, record.hints_used);
            }
            if let Some(check) = &record.last_check {
                let mine = self.exercises.entry(id.clone()).or_default();
                keep_newer(&mut mine.last_check, check.clone());
            }
        }
    }

    /// How many exercises passed.
    pub fn passed_count(&self) -> usize {
        self.exercises
            .values()
            .filter(|r| r.passed_ms.is_some())
            .count()
    }
}

/// The progress file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressFile {
    /// Its path.
    pub path: PathBuf,
    /// Saving is off: the file could not be read nor moved aside, and
    /// writing would destroy what it holds.
    pub read_only: bool,
}

/// What loading found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// The progress (empty when there was none or it was unreadable).
    pub progress: Progress,
    /// What the learner must be told: the file was unreadable, where it went.
    pub warning: Option<String>,
}

/// The file's path from `XDG_STATE_HOME` and `HOME` (an `XDG_STATE_HOME`
/// that is not absolute is ignored, as the XDG spec says); `None` without
/// either.
pub fn path_from(xdg_state_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    let state = xdg_state_home
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            home.filter(|h| !h.is_empty())
                .map(|h| PathBuf::from(h).join(".local").join("state"))
        })?;
    Some(state.join("moult").join(FILE_NAME))
}

/// The current time in unix milliseconds.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

impl ProgressFile {
    /// The file of this user's environment, if there is a home to put it in.
    pub fn from_env() -> Option<ProgressFile> {
        path_from(std::env::var_os("XDG_STATE_HOME"), std::env::var_os("HOME"))
            .map(ProgressFile::at)
    }

    /// The file at `path`.
    pub fn at(path: PathBuf) -> ProgressFile {
        ProgressFile {
            path,
            read_only: false,
        }
    }

    /// Reads the progress. A missing file is no progress yet; a file that
    /// is not valid progress is renamed aside (and the warning says where);
    /// one that cannot be read at all turns saving off.
    pub fn load(&mut self) -> Loaded {
        let fresh = |warning: Option<String>| Loaded {
            progress: Progress::default(),
            warning,
        };
        let text = match std::fs::read(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return fresh(None),
            Err(e) => {
                self.read_only = true;
                return fresh(Some(format!(
                    "cannot read your progress file {}: {e}; progress is not saved this time",
                    self.path.display()
                )));
            }
        };
        match serde_json::from_slice(&text) {
            Ok(progress) => Loaded {
                progress,
                warning: None,
            },
            Err(e) => {
                let aside = aside_path(&self.path, now_ms());
                match std::fs::rename(&self.path, &aside) {
                    Ok(()) => fresh(Some(format!(
                        "your progress file {} was unreadable ({e}); it was moved to {} and progress starts afresh",
                        self.path.display(),
                        aside.display()
                    ))),
                    Err(re) => {
                        self.read_only = true;
                        fresh(Some(format!(
                            "your progress file {} is unreadable ({e}) and could not be moved aside ({re}); it is left as it is and progress is not saved this time",
                            self.path.display()
                        )))
                    }
                }
            }
        }
    }

    /// Reads the progress and changes nothing, whatever the file holds (the
    /// leader's view asks over ssh: a learner's unreadable file is theirs
    /// to sort out, not moved aside from afar). A missing file is no
    /// progress yet; `Err` says why the file cannot be read as progress.
    pub fn peek(&self) -> Result<Progress, String> {
        match std::fs::read(&self.path) {
            Ok(text) => serde_json::from_slice(&text).map_err(|e| {
                format!(
                    "the progress file {} is unreadable: {e}",
                    self.path.display()
                )
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Progress::default()),
            Err(e) => Err(format!("cannot read {}: {e}", self.path.display())),
        }
    }

    /// Records that a check of exercise `id` ended now with `outcome`
    /// (`moult-console check` does, like the tutorial's checks): loads,
    /// marks, saves. `Err` says why it is not recorded.
    pub fn record_check(
        &mut self,
        id: &str,
        with_solution: bool,
        outcome: Outcome,
    ) -> Result<(), String> {
        let Loaded {
            mut progress,
            warning,
        } = self.load();
        if self.read_only {
            return Err(warning.unwrap_or_else(|| "the progress file is unreadable".into()));
        }
        progress.checked(id, now_ms(), with_solution, outcome);
        self.save(&progress)
            .map_err(|e| format!("cannot save {}: {e}", self.path.display()))
    }

    /// Records that hint `level` of exercise `id` was revealed now
    /// (`moult-console hint`): loads, marks, saves. `Err` says why it is not
    /// recorded.
    pub fn record_hint(&mut self, id: &str, level: usize) -> Result<(), String> {
        let Loaded {
            mut progress,
            warning,
        } = self.load();
        if self.read_only {
            return Err(warning.unwrap_or_else(|| "the progress file is unreadable".into()));
        }
        progress.hinted(id, level);
        self.save(&progress)
            .map_err(|e| format!("cannot save {}: {e}", self.path.display()))
    }

    /// Writes `progress` (to a temporary file renamed over the old one, so
    /// a crash never leaves half a file).
    pub fn save(&self, progress: &Progress) -> io::Result<()> {
        if self.read_only {
            return Err(io::Error::other(format!(
                "{} is left as it was found (unreadable)",
                self.path.display()
            )));
        }
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_vec_pretty(progress).map_err(io::Error::other)?;
        let tmp = self
            .path
            .with_extension(format!("json.tmp-{}", std::process::id()));
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &self.path)
    }
}

/// Where an unreadable file is moved: beside it, stamped with the time.
fn aside_path(path: &Path, now_ms: u64) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".corrupt-{now_ms}"));
    path.with_file_name(name)
}

#[cfg(test)]
mod tests;
