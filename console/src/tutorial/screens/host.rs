//! What the tutorial's screens own besides their state: the exercise's app
//! process, the connection to it, the jobs' channel and the progress file.
//! It carries out the screens' [`Effect`]s and turns what its threads say
//! into [`Report`]s: the tutorial's [`Host`] in the console's shell.
//! Dropping it stops the app.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};

use moult_protocol::AgentInfo;

use super::jobs::{self, CheckJob, Job, Launched, PROFILE};
use super::report::{Attached, Report};
use super::work::{Effect, UpdateChoice, Work};
use super::workshop::{Screen, Workshop};
use crate::tui::feed::Feed;
use crate::tui::session::Session;
use crate::tui::shell::FEEDS_PER_TURN;
use crate::tui::shell::Host;
use crate::tui::ui::Tone;
use crate::tutorial::app_process::{AppProcess, Launch};
use crate::tutorial::progress::ProgressFile;
use crate::tutorial::workspace::Workspace;

/// The running side of the tutorial.
#[derive(Debug)]
pub struct TutorialHost {
    /// The agent directory the apps are started with (the user's, so
    /// `moult-console list` and the other commands see them too).
    dir: PathBuf,
    /// Where the exercises are built from.
    workspace: Workspace,
    /// Where the progress is saved (`None`: nowhere, no home).
    progress_file: Option<ProgressFile>,
    /// What the jobs report.
    jobs: Receiver<Job>,
    /// Handed to each new job, to report on.
    jobs_tx: Sender<Job>,
    /// The start the loop waits for; an app from another start is stopped.
    expected: Option<u64>,
    /// The number of the last start.
    tickets: u64,
    /// The exercise's app.
    app: Option<AppProcess>,
    /// How it was started: a reset starts it so again, even after a
    /// failed restart left no process.
    launch: Option<Launch>,
    /// The connection to it (its thread ends once this is dropped).
    session: Option<Session>,
    /// Its agent (for the profile updates are built in).
    agent: Option<AgentInfo>,
    /// The app's exit was reported already.
    exit_reported: bool,
}

impl TutorialHost {
    /// A host starting apps with their agent in `dir`, from `workspace`.
    pub fn new(
        dir: PathBuf,
        workspace: Workspace,
        progress_file: Option<ProgressFile>,
    ) -> TutorialHost {
        let (jobs_tx, jobs) = mpsc::channel();
        TutorialHost {
            dir,
            workspace,
            progress_file,
            jobs,
            jobs_tx,
            expected: None,
            tickets: 0,
            app: None,
            launch: None,
            session: None,
            agent: None,
            exit_reported: false,
        }
    }

    /// What happened since the last call: the jobs' news, the connection's
    /// feed, the app's exit.
    pub fn reports(&mut self) -> Vec<Report> {
        let mut reports = Vec::new();
        while let Ok(job) = self.jobs.try_recv() {
            reports.extend(self.job(job));
        }
        if let Some(session) = &self.session {
            reports.extend(
                session
                    .feeds(FEEDS_PER_TURN)
                    .into_iter()
                    .map(Report::Console),
            );
        }
        if let Some(app) = &mut self.app
            && !self.exit_reported
            && !app.is_running()
        {
            self.exit_reported = true;
            reports.push(Report::AppExited);
        }
        reports
    }

    fn job(&mut self, job: Job) -> Option<Report> {
        Some(match job {
            Job::StartLine(line) => Report::StartLine(line),
            Job::CheckLine(line) => Report::CheckLine(line),
            Job::CheckStep(step) => Report::CheckStep(step),
            Job::CheckDone(verdict) => Report::CheckDone(verdict),
            // Not the start waited for: its app (if any) is dropped, stopped.
            Job::Launched { ticket, .. } if self.expected != Some(ticket) => return None,
            Job::Launched { result, .. } => {
                self.expected = None;
                match result.and_then(|launched| self.adopt(launched)) {
                    Ok(attached) => Report::Started(attached),
                    Err(why) => Report::StartFailed(why),
                }
            }
        })
    }

    /// Keeps a started app and opens the connection to it.
    fn adopt(&mut self, launched: Box<Launched>) -> Result<Attached, String> {
        let Launched { app, client, agent } = *launched;
        let session = Session::open(&self.dir, client, agent.clone())
            .map_err(|e| format!("cannot start the connection thread: {e}"))?;
        let attached = Attached {
            pid: app.pid(),
            agent: agent.clone(),
            output: app.output.clone(),
            errors: app.errors.clone(),
        };
        self.launch = Some(app.launch().clone());
        self.app = Some(app);
        self.session = Some(session);
        self.agent = Some(agent);
        self.exit_reported = false;
        Ok(attached)
    }

    /// Carries out `effect` for `shop`; `false` when the loop must end.
    pub fn carry_out(&mut self, effect: Effect, shop: &mut Workshop) -> bool {
        match effect {
            Effect::Quit => return false,
            Effect::Send(_) | Effect::Build { .. } => self.console(effect, shop),
            Effect::Own(Work::StartApp(exercise)) => {
                self.stop_app();
                let ticket = self.ticket();
                jobs::start(
                    self.workspace.clone(),
                    exercise,
                    self.dir.clone(),
                    ticket,
                    self.jobs_tx.clone(),
                );
            }
            Effect::Own(Work::Reset) => match self.launch.clone() {
                Some(launch) => {
                    // The old connection first, so it reports nothing of the stop.
                    self.session = None;
                    self.app = None;
                    let ticket = self.ticket();
                    jobs::relaunch(launch, ticket, self.jobs_tx.clone());
                }
                None => {
                    shop.report(Report::StartFailed("no app to restart".into()));
                }
            },
            Effect::Own(Work::StopApp) => self.stop_app(),
            Effect::Own(Work::Check(update)) => self.check(update, shop),
            Effect::Own(Work::SaveProgress) => {
                if let Some(file) = &mut self.progress_file {
                    // Passes recorded meanwhile by `moult-console check`
                    // are kept, not written over.
                    let on_disk = file.load();
                    shop.progress.merge(&on_disk.progress);
                    if let Err(e) = file.save(&shop.progress) {
                        shop.say(Tone::Error, format!("progress not saved: {e}"));
                    }
                }
            }
        }
        true
    }

    fn ticket(&mut self) -> u64 {
        self.tickets += 1;
        self.expected = Some(self.tickets);
        self.tickets
    }

    fn stop_app(&mut self) {
        self.expected = None;
        self.session = None;
        self.app = None;
        self.launch = None;
        self.agent = None;
    }

    fn check(&mut self, update: UpdateChoice, shop: &mut Workshop) {
        let (Screen::Running(running), Some(app)) = (&shop.screen, &self.app) else {
            shop.report(Report::CheckDone(crate::tutorial::check::Verdict::Fail(
                "the app is not running".into(),
            )));
            return;
        };
        let exercise = running.exercise;
        let crate_dir = match update {
            UpdateChoice::Mine => self.workspace.starter_dir(exercise),
            UpdateChoice::Solution => self.workspace.solution_dir(exercise),
        };
        let profile = self
            .agent
            .as_ref()
            .map_or_else(|| PROFILE.to_string(), |a| a.cargo_profile.clone());
        let job = CheckJob {
            exercise,
            crate_dir,
            profile,
            output: app.output.clone(),
            errors: app.errors.clone(),
            socket: app.socket(),
            port: app.launch().port,
        };
        jobs::check(job, self.jobs_tx.clone());
    }

    fn console(&mut self, effect: Effect, shop: &mut Workshop) {
        let Some(session) = &self.session else {
            shop.report(Report::Console(Feed::Reply(Err(
                "not connected to the app".into(),
            ))));
            return;
        };
        match effect {
            Effect::Send(command) => {
                if !session.send(command) {
                    let ended = Feed::Reply(Err("the connection thread ended".into()));
                    shop.report(Report::Console(ended));
                }
            }
            Effect::Build { dir, profile } => session.build(dir, profile),
            Effect::Quit | Effect::Own(_) => {}
        }
    }
}

impl Host<Workshop> for TutorialHost {
    fn news(&mut self, shop: &mut Workshop, effects: &mut Vec<Effect>) -> bool {
        let reports = self.reports();
        let any = !reports.is_empty();
        for report in reports {
            effects.extend(shop.report(report));
        }
        any
    }

    fn execute(&mut self, effect: Effect, shop: &mut Workshop) -> bool {
        self.carry_out(effect, shop)
    }
}
