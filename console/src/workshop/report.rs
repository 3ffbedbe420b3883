//! What a learner's machine says about its learner, for the leader's view:
//! `moult-console tutorial progress --json`, run there over ssh. Their
//! tutorial progress (as the tutorial mode keeps it, read without changing
//! it) and the moult apps they run (the exercise app the leader may attach
//! to is among them).

use std::path::Path;

use moult_protocol::AgentInfo;
use serde::{Deserialize, Serialize};

use crate::tutorial::progress::{Progress, ProgressFile};

/// One learner's report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnerReport {
    /// Where their progress file is (the leader can tell them where to look).
    pub file: Option<String>,
    /// Their progress; empty when there is none yet or it is unreadable.
    #[serde(default)]
    pub progress: Progress,
    /// Why the progress could not be read (no home, an unreadable file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The moult apps running for them (their runtime directory's agents).
    #[serde(default)]
    pub apps: Vec<RunningApp>,
}

/// A moult app a learner runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningApp {
    /// The name it gave its agent (an exercise's app is named after it).
    pub app: String,
    /// Its process, to attach to.
    pub pid: u32,
    /// When it started (unix ms): the newest is the one worked on.
    pub started_unix_ms: u64,
}

impl From<&AgentInfo> for RunningApp {
    fn from(agent: &AgentInfo) -> RunningApp {
        RunningApp {
            app: agent.app.clone(),
            pid: agent.pid,
            started_unix_ms: agent.started_unix_ms,
        }
    }
}

/// This user's report: their progress file (from the environment, as the
/// tutorial finds it) and the agents in `runtime_dir`.
pub fn gather(runtime_dir: &Path) -> LearnerReport {
    let apps = moult_rundir::list_agents(runtime_dir)
        .map(|agents| agents.iter().map(RunningApp::from).collect())
        .unwrap_or_default();
    let Some(file) = ProgressFile::from_env() else {
        return LearnerReport {
            file: None,
            progress: Progress::default(),
            problem: Some("no HOME nor XDG_STATE_HOME: the tutorial keeps no progress".into()),
            apps,
        };
    };
    let (progress, problem) = match file.peek() {
        Ok(progress) => (progress, None),
        Err(why) => (Progress::default(), Some(why)),
    };
    LearnerReport {
        file: Some(file.path.display().to_string()),
        progress,
        problem,
        apps,
    }
}
