//! What the loop tells the tutorial's screens: progress of the work it runs
//! for them on threads (starting an app, checking an update), the agent
//! connection's feed, and the app's own exit.

use moult_protocol::AgentInfo;

use crate::tui::feed::Feed;
use crate::tutorial::check::Verdict;
use crate::tutorial::output_log::OutputLog;

/// An exercise's app, running and attached: what its screen needs of it.
#[derive(Debug, Clone)]
pub struct Attached {
    /// Its pid.
    pub pid: u32,
    /// Its agent, as hello said.
    pub agent: AgentInfo,
    /// What it prints on stdout.
    pub output: OutputLog,
    /// What it prints on stderr.
    pub errors: OutputLog,
}

/// News for the screens.
#[derive(Debug, Clone)]
pub enum Report {
    /// A line of the app's start (cargo's progress, then the start itself).
    StartLine(String),
    /// The app runs and the console is attached to it (also after a reset).
    Started(Attached),
    /// The app could not be built, started or attached: why.
    StartFailed(String),
    /// A message of the agent connection.
    Console(Feed),
    /// A line of a check's work (cargo's output, the update's lifecycle).
    CheckLine(String),
    /// A check's next step.
    CheckStep(String),
    /// A check ended: pass, or what is wrong.
    CheckDone(Verdict),
    /// The app exited by itself (a panic, say).
    AppExited,
}
