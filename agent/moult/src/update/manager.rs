//! The update managers: a queue run by a manager thread (Pymoult's
//! `ThreadedManager`), or polled from the app's own loop (`Manager`).
//!
//! Postponed updates go back in the queue and are retried after a delay, up
//! to a limit; an operator can postpone or abort the current update (it stops
//! between alterability attempts) or a queued one.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use moult_protocol::{EventKind, LifecycleStep, Outcome, UpdateInfo};

use super::control::{Control, Stop};
use super::turn::{Turn, TurnGuard};
use super::{Update, UpdateContext, UpdateId, lifecycle};
use crate::Runtime;
use crate::boundary::Boundary;

struct Queued {
    id: UpdateId,
    update: Box<dyn Update>,
    control: Arc<Control>,
    postpones: u32,
    not_before: Instant,
    /// The watch to keep once it applied (the request's, else the update's own).
    watch: Option<super::Watch>,
}

#[derive(Default)]
struct State {
    next_id: UpdateId,
    queue: VecDeque<Queued>,
    /// Control block of the update being run, if any.
    current: Option<(UpdateId, Arc<Control>)>,
    /// Every update known, by id order (bounded: oldest finished dropped).
    infos: VecDeque<UpdateInfo>,
    /// The manager thread runs the queue (false: the app polls).
    polled: bool,
    worker_started: bool,
}

/// The runtime's update queue.
#[derive(Default)]
pub(crate) struct ManagerCore {
    state: Mutex<State>,
    changed: Condvar,
    /// One update at a time, whichever manager runs it; taken before `state`.
    pub(crate) turn: Turn,
}

/// How many times an update is postponed before it is aborted.
const MAX_POSTPONES: u32 = 3;
/// Delay before a postponed update is retried.
const RETRY_DELAY: Duration = Duration::from_millis(200);
/// Finished updates remembered for `updates()`.
const HISTORY: usize = 1000;

impl ManagerCore {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn info_mut(state: &mut State, id: UpdateId) -> Option<&mut UpdateInfo> {
        state.infos.iter_mut().find(|i| i.id == id)
    }

    pub(crate) fn set_step(&self, id: UpdateId, step: LifecycleStep) {
        let mut state = self.lock();
        if let Some(info) = Self::info_mut(&mut state, id) {
            info.step = step;
            if step == LifecycleStep::Alterability {
                info.attempts = 0; // a new round
            }
        }
        drop(state);
        self.changed.notify_all();
    }

    /// Update `id` made its `attempt`-th alterability attempt of the round.
    pub(crate) fn set_attempts(&self, id: UpdateId, attempt: u32) {
        let mut state = self.lock();
        if let Some(info) = Self::info_mut(&mut state, id) {
            info.attempts = attempt;
        }
    }

    /// Takes the next runnable update, or `None` (with how long to wait).
    fn next(&self, state: &mut State) -> Result<Queued, Option<Duration>> {
        let now = Instant::now();
        let pos = state.queue.iter().position(|q| q.not_before <= now);
        match pos {
            Some(i) => {
                let q = state.queue.remove(i).expect("position is in range");
                state.current = Some((q.id, q.control.clone()));
                Ok(q)
            }
            None => Err(state.queue.iter().map(|q| q.not_before - now).min()),
        }
    }

    /// Runs one queued update to an outcome; requeues it if postponed.
    /// `turn` proves no other update runs meanwhile.
    fn run_one(&self, rt: &'static Runtime, mut q: Queued, turn: &TurnGuard<'_>) {
        let _running = turn.running(q.id);
        let id = q.id;
        let name = q.update.name().to_string();
        let mut ctx = UpdateContext::new(rt, q.id, name.clone(), q.control.clone());
        let outcome = lifecycle::run(q.update.as_mut(), &mut ctx);
        let watch = match outcome {
            Outcome::Applied => q.watch.or_else(|| q.update.watch()),
            _ => None,
        };
        let operator_postponed = q.control.requested() == Some(Stop::Postpone);
        q.control.clear();
        let final_outcome = match outcome {
            Outcome::Postponed(why) if operator_postponed || q.postpones < MAX_POSTPONES => {
                rt.events.emit(EventKind::UpdateDone {
                    update: name.clone(),
                    id: q.id,
                    outcome: Outcome::Postponed(why.clone()),
                });
                if !operator_postponed {
                    q.postpones += 1;
                }
                q.not_before = Instant::now() + RETRY_DELAY;
                let mut state = self.lock();
                if let Some(info) = Self::info_mut(&mut state, q.id) {
                    info.step = LifecycleStep::Queued;
                    info.outcome = Some(Outcome::Postponed(why));
                }
                state.current = None;
                state.queue.push_back(q);
                None
            }
            Outcome::Postponed(why) => Some(Outcome::Aborted(format!(
                "postponed {} times; last: {why}",
                MAX_POSTPONES + 1
            ))),
            other => Some(other),
        };
        if let Some(outcome) = final_outcome {
            if let Some(watch) = watch {
                super::watch::start(rt, id, name.clone(), watch);
            }
            rt.events.emit(EventKind::Lifecycle {
                update: name.clone(),
                id,
                step: LifecycleStep::Done,
            });
            rt.events.emit(EventKind::UpdateDone {
                update: name,
                id,
                outcome: outcome.clone(),
            });
            let mut state = self.lock();
            if let Some(info) = Self::info_mut(&mut state, id) {
                info.step = LifecycleStep::Done;
                info.outcome = Some(outcome);
            }
            state.current = None;
        }
        self.changed.notify_all();
    }

    fn worker_loop(&self, rt: &'static Runtime) {
        loop {
            // Turn before state (lock order): waits while a poller runs one.
            let turn = self
                .turn
                .take()
                .expect("the manager thread never runs an update when it takes the turn");
            let mut state = self.lock();
            if state.polled {
                state.worker_started = false;
                return;
            }
            match self.next(&mut state) {
                Ok(q) => {
                    drop(state);
                    self.run_one(rt, q, &turn);
                }
                Err(wait) => {
                    drop(turn);
                    let wait = wait.unwrap_or(Duration::from_secs(3600));
                    drop(
                        self.changed
                            .wait_timeout(state, wait)
                            .unwrap_or_else(|e| e.into_inner()),
                    );
                }
            }
        }
    }
}

impl Runtime {
    /// Queues an update; returns its id. With the threaded manager (the
    /// default) it starts at once; with a [`PolledManager`] at the next poll.
    pub fn submit(&'static self, update: Box<dyn Update>) -> UpdateId {
        self.submit_watched(update, None)
    }

    /// Like [`Runtime::submit`], keeping `watch` once the update applied
    /// (see [`Watch`](super::Watch)): if its new versions panic more than
    /// allowed within the window, it is reverted at once.
    pub fn submit_watched(
        &'static self,
        update: Box<dyn Update>,
        watch: Option<super::Watch>,
    ) -> UpdateId {
        let update = Boundary::wrap(update);
        let name = update.name().to_string();
        let mut state = self.manager.lock();
        state.next_id += 1;
        let id = state.next_id;
        state.infos.push_back(UpdateInfo {
            id,
            name: name.clone(),
            step: LifecycleStep::Queued,
            attempts: 0,
            outcome: None,
            revertible: None,
            reverted_by: None,
        });
        while state.infos.len() > HISTORY {
            match state
                .infos
                .iter()
                .position(|i| i.step == LifecycleStep::Done)
            {
                Some(i) => drop(state.infos.remove(i)),
                None => break,
            }
        }
        // Said before the update can be taken (the queue is locked): its
        // `update_queued` event precedes every event of its lifecycle, in
        // sequence numbers and in the journal alike.
        self.events
            .emit(EventKind::UpdateQueued { update: name, id });
        state.queue.push_back(Queued {
            id,
            update,
            control: Arc::new(Control::default()),
            postpones: 0,
            not_before: Instant::now(),
            watch,
        });
        let start_worker = !state.polled && !state.worker_started;
        if start_worker {
            state.worker_started = true;
        }
        drop(state);
        if start_worker {
            std::thread::Builder::new()
                .name("moult-manager".into())
                .spawn(move || self.manager.worker_loop(self))
                .expect("spawn the moult manager thread");
        }
        self.manager.changed.notify_all();
        id
    }

    /// Waits up to `timeout` for update `id` to finish; `None` if it has not
    /// (a postponement is not an end: the update is still queued).
    pub fn wait(&self, id: UpdateId, timeout: Duration) -> Option<Outcome> {
        let deadline = Instant::now() + timeout;
        let mut state = self.manager.lock();
        loop {
            if let Some(info) = state.infos.iter().find(|i| i.id == id)
                && info.step == LifecycleStep::Done
            {
                return info.outcome.clone();
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            state = self
                .manager
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Asks to abort update `id`: removed if queued, stopped between
    /// alterability attempts if current. `false` if unknown or past alterability.
    pub fn abort(&self, id: UpdateId) -> bool {
        self.stop(id, Stop::Abort)
    }

    /// Asks to postpone update `id` (the current one stops trying and goes
    /// back in the queue; a queued one moves to the back).
    pub fn postpone(&self, id: UpdateId) -> bool {
        self.stop(id, Stop::Postpone)
    }

    fn stop(&self, id: UpdateId, stop: Stop) -> bool {
        let mut state = self.manager.lock();
        if let Some((cur, control)) = &state.current
            && *cur == id
        {
            control.request(stop);
            self.progress.bump(); // an alterability wait ends at once
            return true;
        }
        let Some(pos) = state.queue.iter().position(|q| q.id == id) else {
            return false;
        };
        let q = state.queue.remove(pos).expect("position is in range");
        match stop {
            Stop::Postpone => state.queue.push_back(q),
            Stop::Abort => {
                let outcome = Outcome::Aborted("aborted by operator while queued".into());
                if let Some(info) = ManagerCore::info_mut(&mut state, id) {
                    info.step = LifecycleStep::Done;
                    info.outcome = Some(outcome.clone());
                }
                drop(state);
                self.events.emit(EventKind::UpdateDone {
                    update: q.update.name().into(),
                    id,
                    outcome,
                });
                self.manager.changed.notify_all();
            }
        }
        true
    }

    /// Every update known to the manager: queued, current, and recent history.
    pub fn updates(&self) -> Vec<UpdateInfo> {
        let mut infos: Vec<UpdateInfo> = self.manager.lock().infos.iter().cloned().collect();
        for info in &mut infos {
            if info.outcome == Some(Outcome::Applied) {
                info.revertible = self.history.can_revert(info.id);
                info.reverted_by = self.history.reverted_by(info.id);
            }
        }
        infos
    }

    /// Queues the revert of update `target` (the newest applied update not
    /// reverted yet, if `None`); `reason` goes to the journal. Refused at
    /// once, naming why, if it cannot be reverted now.
    pub fn revert(
        &'static self,
        target: Option<UpdateId>,
        reason: &str,
    ) -> Result<UpdateId, String> {
        let target = match target {
            Some(id) => id,
            None => self
                .history
                .newest()
                .ok_or("no applied update to revert in this process")?,
        };
        self.history.revertible(target)?;
        Ok(self.submit(Box::new(super::Revert::new(target, reason))))
    }
}

/// A manager the app drives from its own loop (Pymoult's `Manager`): once
/// installed, queued updates only run when the app calls [`PolledManager::poll`].
pub struct PolledManager {
    rt: &'static Runtime,
}

impl PolledManager {
    /// Switches the runtime's queue to polled mode and waits for the update
    /// running at that moment, if any, to finish (the manager thread stops
    /// after it): once this returns, updates run only in [`Self::poll`].
    /// Called from an update's own hook, it does not wait (for itself).
    pub fn install() -> PolledManager {
        let rt = crate::runtime();
        let mut state = rt.manager.lock();
        state.polled = true;
        rt.manager.changed.notify_all();
        while state.current.is_some() && !rt.manager.turn.held_here() {
            state = rt
                .manager
                .changed
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
        }
        drop(state);
        PolledManager { rt }
    }

    /// Runs every queued update that is due, on the calling thread; returns
    /// how many ran (postponed ones go back in the queue for a later poll).
    ///
    /// Waits first while another update runs (one at a time per process,
    /// see `turn.rs`). Called from an update's own hook it runs nothing and
    /// returns 0: updates do not nest.
    pub fn poll(&self) -> usize {
        let Some(turn) = self.rt.manager.turn.take() else {
            return 0;
        };
        let mut ran = 0;
        let due: usize = self.rt.manager.lock().queue.len();
        for _ in 0..due {
            let next = {
                let mut state = self.rt.manager.lock();
                self.rt.manager.next(&mut state)
            };
            match next {
                Ok(q) => {
                    self.rt.manager.run_one(self.rt, q, &turn);
                    ran += 1;
                }
                Err(_) => break,
            }
        }
        ran
    }
}

impl Drop for PolledManager {
    /// Back to the threaded manager: queued updates run on their own again.
    fn drop(&mut self) {
        let mut state = self.rt.manager.lock();
        state.polled = false;
        let start = !state.queue.is_empty() && !state.worker_started;
        if start {
            state.worker_started = true;
        }
        drop(state);
        if start {
            let rt = self.rt;
            std::thread::Builder::new()
                .name("moult-manager".into())
                .spawn(move || rt.manager.worker_loop(rt))
                .expect("spawn the moult manager thread");
        }
    }
}
