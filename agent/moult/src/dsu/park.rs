//! Alterability at update points (Pymoult's `setupWaitStaticPoints`,
//! `waitStaticPoints`, `cleanFailedStaticPoints`), and [`AtUpdatePoints`],
//! the predefined update built on them.

use std::time::Duration;

use moult_protocol::{Blocker, ThreadState};

use super::record::ParkRequest;
use crate::update::{Hold, UpdateId};
use crate::{Alterability, Runtime, ThreadFilter, Update, UpdateContext, UpdateError};

/// Releases the park requests of one update (and only its own).
struct ParkHold(UpdateId);

impl Hold for ParkHold {
    fn release(self: Box<Self>, rt: &Runtime) {
        release_parks(rt, self.0);
    }
}

/// Clears every park request `owner` made and wakes the threads; idempotent.
fn release_parks(rt: &Runtime, owner: UpdateId) {
    for record in rt.threads.all() {
        let mut inner = record.lock();
        if inner.park.as_ref().is_some_and(|p| p.owner == owner) {
            inner.park = None;
            record.publish(&inner);
        }
    }
}

impl UpdateContext {
    /// Asks the selected DSU threads to park at their next update point
    /// (any point, or only `point`) — Pymoult's `setupWaitStaticPoints`.
    ///
    /// Registers a hold: the threads are released when the update resumes,
    /// fails or is postponed, so no thread is ever left parked. Returns how
    /// many threads were asked (finished threads are skipped).
    ///
    /// Fails if a `Named` filter names a thread that does not exist.
    pub fn request_park(
        &mut self,
        threads: &ThreadFilter,
        point: Option<&str>,
    ) -> Result<usize, UpdateError> {
        let records = self.rt.threads.select(threads)?;
        let mut asked = 0;
        for record in &records {
            let mut inner = record.lock();
            if inner.state == ThreadState::Finished {
                continue;
            }
            if let Some(other) = inner.park.as_ref().filter(|p| p.owner != self.id) {
                self.log(format!(
                    "DSU thread {}: park request of update #{} replaced",
                    record.name, other.owner
                ));
            }
            inner.park = Some(ParkRequest {
                owner: self.id,
                point: point.map(str::to_string),
            });
            record.publish(&inner);
            asked += 1;
        }
        self.push_hold(Box::new(ParkHold(self.id)));
        Ok(asked)
    }

    /// One alterability attempt at update points (Pymoult's
    /// `waitStaticPoints`, once): empty when every selected DSU thread is
    /// parked (at `point`, if given) or finished; otherwise one [`Blocker`]
    /// per thread that is not, with the last update point it passed.
    pub fn parked(&self, threads: &ThreadFilter, point: Option<&str>) -> Vec<Blocker> {
        let records = match self.rt.threads.select(threads) {
            Ok(r) => r,
            Err(e) => {
                return vec![Blocker {
                    thread: String::new(),
                    function: point.map(str::to_string),
                    depth: 0,
                    detail: e.to_string(),
                }];
            }
        };
        let mut blockers = Vec::new();
        for record in records {
            let inner = record.lock();
            let asked = inner.park.as_ref().is_some_and(|p| p.owner == self.id);
            let detail = match &inner.state {
                ThreadState::Finished => continue,
                ThreadState::Parked(at) if asked && point.is_none_or(|p| p == at) => continue,
                _ if !asked => "not asked to park (call request_park in preupdate_setup)".into(),
                ThreadState::Rebooting => "rebooting".to_string(),
                _ => match record.last_point() {
                    Some(last) => format!("not at an update point (last passed: {last})"),
                    None => "not at an update point (none passed yet)".into(),
                },
            };
            blockers.push(Blocker {
                thread: record.name.clone(),
                function: point.map(str::to_string),
                depth: 0,
                detail,
            });
        }
        blockers
    }

    /// Withdraws this update's park requests now and lets parked threads go
    /// (Pymoult's `cleanFailedStaticPoints`). Idempotent; releasing the hold
    /// does the same, so calling it is optional.
    pub fn clean_failed_park(&mut self) {
        release_parks(self.rt, self.id);
    }
}

/// An update applied while the selected DSU threads wait at an update point:
/// setup asks them to park, alterability waits until they all are, `apply`
/// runs the given closure, and resume lets them go.
///
/// ```ignore
/// let update = AtUpdatePoints::new("clock v2", |ctx| {
///     ctx.redefine(tic, tic_v2);
///     ctx.redefine(tac, tac_v2);
///     Ok(())
/// })
/// .on_threads(ThreadFilter::Named(vec!["clock".into()]))
/// .at_point("loop");
/// ```
pub struct AtUpdatePoints<A> {
    /// Unique update name.
    name: String,
    /// Threads that must be parked.
    threads: ThreadFilter,
    /// Only this update point (any when `None`).
    point: Option<String>,
    /// The change itself.
    apply: A,
    /// Alterability budget.
    max_tries: u32,
    /// Pause between attempts.
    sleep_time: Duration,
}

impl<A> AtUpdatePoints<A>
where
    A: FnMut(&mut UpdateContext) -> Result<(), UpdateError> + Send + 'static,
{
    /// An update named `name` running `apply` while every DSU thread is parked.
    pub fn new(name: impl Into<String>, apply: A) -> Self {
        AtUpdatePoints {
            name: name.into(),
            threads: ThreadFilter::All,
            point: None,
            apply,
            max_tries: 20,
            sleep_time: Duration::from_millis(50),
        }
    }

    /// Only these DSU threads must be parked.
    pub fn on_threads(mut self, threads: ThreadFilter) -> Self {
        self.threads = threads;
        self
    }

    /// Only parking at this update point counts.
    pub fn at_point(mut self, point: impl Into<String>) -> Self {
        self.point = Some(point.into());
        self
    }

    /// Alterability budget: `max_tries` attempts, `sleep_time` apart.
    pub fn tries(mut self, max_tries: u32, sleep_time: Duration) -> Self {
        self.max_tries = max_tries;
        self.sleep_time = sleep_time;
        self
    }
}

impl<A> Update for AtUpdatePoints<A>
where
    A: FnMut(&mut UpdateContext) -> Result<(), UpdateError> + Send + 'static,
{
    fn name(&self) -> &str {
        &self.name
    }
    fn max_tries(&self) -> u32 {
        self.max_tries
    }
    fn sleep_time(&self) -> Duration {
        self.sleep_time
    }
    fn preupdate_setup(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.request_park(&self.threads, self.point.as_deref())
            .map(drop)
    }
    fn check_alterability(&mut self, ctx: &mut UpdateContext) -> Alterability {
        Alterability::from_blockers(ctx.parked(&self.threads, self.point.as_deref()))
    }
    fn clean_failed_alterability(&mut self, ctx: &mut UpdateContext) {
        ctx.clean_failed_park();
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        (self.apply)(ctx)
    }
}
