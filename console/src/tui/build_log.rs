//! The output of an update crate's build, as the build pane shows it.

use std::collections::VecDeque;
use std::path::PathBuf;

/// Lines kept: the end of a long build is what matters (errors come last).
pub const BUILD_LINES_KEPT: usize = 2000;

/// Where the build is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildStatus {
    /// cargo runs.
    Running,
    /// Built: the library is being applied.
    Built(PathBuf),
    /// cargo failed or built no library: why.
    Failed(String),
}

/// One crate's build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildLog {
    /// The crate directory.
    pub dir: PathBuf,
    /// cargo's stderr, line by line (progress and rendered diagnostics).
    pub lines: VecDeque<String>,
    /// Running, built or failed.
    pub status: BuildStatus,
}

impl BuildLog {
    /// A build of `dir` that just started.
    pub fn new(dir: PathBuf) -> BuildLog {
        BuildLog {
            dir,
            lines: VecDeque::new(),
            status: BuildStatus::Running,
        }
    }

    /// Adds one line of cargo's output.
    pub fn line(&mut self, line: String) {
        if self.lines.len() == BUILD_LINES_KEPT {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
    }
}
