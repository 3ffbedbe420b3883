//! The tutorial's long work, each on a thread of its own so the screen keeps
//! drawing and answering keys: building an exercise's app and starting it
//! (then attaching), starting it again (reset), and building an update and
//! judging it on the running app with the exercise's check. Each reports
//! line by line, then its result, through a channel to the loop.

use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::time::Duration;

use moult_protocol::AgentInfo;

use crate::client::Client;
use crate::tui::connection;
use crate::tutorial::app_build::build_app;
use crate::tutorial::app_process::{AppProcess, Launch, free_port};
use crate::tutorial::check::{Probe, Verdict};
use crate::tutorial::exercise::Exercise;
use crate::tutorial::output_log::OutputLog;
use crate::tutorial::runner::{Step, judge};
use crate::tutorial::workspace::Workspace;
use crate::update_build;

/// The cargo profile the tutorial builds apps in (and so their updates).
pub const PROFILE: &str = "debug";

/// The pace of the slowest demo app left at its own speed: a check's
/// patience is scaled by it (it waits a few turns of the app's loop).
pub const TUTORIAL_PERIOD: Duration = Duration::from_secs(2);

/// How long an update may take to apply before it is aborted.
pub const APPLY_TIMEOUT: Duration = Duration::from_secs(30);

/// An app started and attached to.
pub struct Launched {
    /// The process (killed when dropped).
    pub app: AppProcess,
    /// The connection, attached and subscribed.
    pub client: Client,
    /// Its agent, as hello said.
    pub agent: AgentInfo,
}

impl std::fmt::Debug for Launched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Launched")
            .field("app", &self.app)
            .field("agent", &self.agent)
            .finish_non_exhaustive()
    }
}

/// What a job tells the loop.
#[derive(Debug)]
pub enum Job {
    /// A line of an app's build or start.
    StartLine(String),
    /// Start number `ticket` ended: the app attached, or why not.
    Launched {
        /// Which start this is (the loop drops an app it no longer waits for).
        ticket: u64,
        /// The app, or why there is none.
        result: Result<Box<Launched>, String>,
    },
    /// A line of a check's work.
    CheckLine(String),
    /// A check's next step.
    CheckStep(String),
    /// A check's verdict.
    CheckDone(Verdict),
}

/// Builds `exercise`'s app (alone, see [`build_app`]), starts it at the
/// tutorial's pace with its agent in `runtime_dir`, and attaches.
pub fn start(
    workspace: Workspace,
    exercise: &'static Exercise,
    runtime_dir: PathBuf,
    ticket: u64,
    jobs: Sender<Job>,
) {
    std::thread::spawn(move || {
        let lines = jobs.clone();
        let mut on_line = |line: &str| {
            let _ = lines.send(Job::StartLine(line.to_string()));
        };
        let exe = match build_app(&workspace, exercise, PROFILE, &mut on_line) {
            Ok(exe) => exe,
            Err(e) => {
                let result = Err(format!("the app {} did not build: {e}", exercise.id));
                let _ = jobs.send(Job::Launched { ticket, result });
                return;
            }
        };
        let port = match exercise.serves_http.then(free_port).transpose() {
            Ok(port) => port,
            Err(e) => {
                let result = Err(format!("no free localhost port for the app: {e}"));
                let _ = jobs.send(Job::Launched { ticket, result });
                return;
            }
        };
        on_line(&format!("starting {}", exe.display()));
        let launch = Launch {
            exe,
            period: None,
            port,
            runtime_dir,
        };
        let _ = jobs.send(Job::Launched {
            ticket,
            result: launch_and_attach(launch),
        });
    });
}

/// Starts an app again as `launch` says (the tutorial's reset) and attaches.
pub fn relaunch(launch: Launch, ticket: u64, jobs: Sender<Job>) {
    std::thread::spawn(move || {
        let _ = jobs.send(Job::Launched {
            ticket,
            result: launch_and_attach(launch),
        });
    });
}

fn launch_and_attach(launch: Launch) -> Result<Box<Launched>, String> {
    let app = AppProcess::start(launch).map_err(|e| e.to_string())?;
    // A failed attach drops `app`, which stops it.
    let (client, agent) =
        connection::attach(&app.socket()).map_err(|e| format!("cannot attach to the app: {e}"))?;
    Ok(Box::new(Launched { app, client, agent }))
}

/// What a check needs of the running app and the update.
#[derive(Debug, Clone)]
pub struct CheckJob {
    /// The exercise whose check judges.
    pub exercise: &'static Exercise,
    /// The update crate to build and apply.
    pub crate_dir: PathBuf,
    /// The app's cargo profile (the update's must match).
    pub profile: String,
    /// The app's stdout.
    pub output: OutputLog,
    /// Its stderr (checks look there for panics).
    pub errors: OutputLog,
    /// Its agent's socket.
    pub socket: PathBuf,
    /// The web server's port.
    pub port: Option<u16>,
}

/// Builds the update and judges it on the running app (the check's
/// `before`, the update, its `after`); reports each step, then the verdict.
pub fn check(job: CheckJob, jobs: Sender<Job>) {
    std::thread::spawn(move || {
        let verdict = judge_update(&job, &jobs);
        let _ = jobs.send(Job::CheckDone(verdict));
    });
}

fn judge_update(job: &CheckJob, jobs: &Sender<Job>) -> Verdict {
    let library = update_build::build_reporting(&job.crate_dir, &job.profile, |line| {
        let _ = jobs.send(Job::CheckLine(line.to_string()));
    });
    let library = match library {
        Ok(library) => library,
        Err(e) => return Verdict::Fail(format!("the update did not build: {e}")),
    };
    let probe = Probe {
        output: &job.output,
        errors: &job.errors,
        socket: job.socket.clone(),
        period: TUTORIAL_PERIOD,
        port: job.port,
        mark: job.output.mark(),
    };
    let mut at_version_0 = true;
    let judged = judge(job.exercise, &probe, &library, APPLY_TIMEOUT, &mut |step| {
        if *step == Step::Version0Ok {
            at_version_0 = false;
        }
        let job = match step {
            Step::Lifecycle(line) => Job::CheckLine(format!("  {line}")),
            // The verdict says it.
            Step::Passed(_) => return,
            other => Job::CheckStep(other.to_string()),
        };
        let _ = jobs.send(job);
    });
    match judged {
        Ok(seen) => Verdict::Pass(seen),
        Err(why) if at_version_0 => Verdict::Fail(format!(
            "{why}\nIf an update was applied to this app already, reset it (R) and apply again."
        )),
        Err(why) => Verdict::Fail(why),
    }
}
