//! The last update, written by hand (complete it): the server state is
//! converted and the request handler redefined while the server thread
//! waits at its update point between two requests, once pages and sessions
//! are converted.

use std::time::Duration;

use moult::class::Tracked;
use moult::{Alterability, Requirements, ThreadFilter, Update, UpdateContext, UpdateError};
use step4_webserver::http::{Request, Response};
use step4_webserver::serve::SERVER_THREAD;
use step4_webserver::server::ServerApi;

/// The handler's type, as the app declares it: write
/// `handle_request_v2 as Handler` where a `fn` value of it is needed.
pub type Handler = fn(&Tracked<dyn ServerApi>, &Request) -> Response;

/// Converts the server state and redefines the handler at the server
/// thread's update point; needs the updates named in `after` applied first.
pub struct ServerUpdate {
    /// Updates that must be applied before this one (pages and sessions).
    pub after: Vec<&'static str>,
    /// The server thread: `step4_webserver::serve::SERVER_THREAD`.
    pub threads: ThreadFilter,
}

impl ServerUpdate {
    /// The update, applied once every update in `after` is.
    pub fn after(after: Vec<&'static str>) -> Self {
        ServerUpdate {
            after,
            threads: ThreadFilter::Named(vec![SERVER_THREAD.into()]),
        }
    }
}

impl Update for ServerUpdate {
    fn name(&self) -> &str {
        "server v2"
    }

    /// With [`Update::sleep_time`], 6 s to reach the update point: the
    /// server thread passes it after each request and after each idle wait
    /// (250 ms by default, up to 2 s at the slowest tutorial pace).
    fn max_tries(&self) -> u32 {
        60
    }

    fn sleep_time(&self) -> Duration {
        Duration::from_millis(100)
    }

    fn check_requirements(&mut self, _ctx: &mut UpdateContext) -> Requirements {
        // TODO(learner): not before every update of `self.after` applied
        // (the manager then postpones this one and tries it again later).
        Requirements::Yes
    }

    fn preupdate_setup(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        // TODO(learner): ask the server thread to stop at its update point
        // (`step4_webserver::serve::UPDATE_POINT`).
        Ok(())
    }

    fn check_alterability(&mut self, _ctx: &mut UpdateContext) -> Alterability {
        // TODO(learner): ready once it waits there.
        Alterability::Ready
    }

    fn clean_failed_alterability(&mut self, _ctx: &mut UpdateContext) {
        // TODO(learner): if it never got there in time, let it go.
    }

    fn apply(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        // TODO(learner): the state first, then the handler that needs it:
        // convert the one server state (`step4_webserver::server::WEBSERVER`)
        // eagerly with `crate::server::new_server` and
        // `crate::server::server_transformer`, then make the app's
        // `step4_webserver::handler::handle_request` run `handle_request_v2`.
        Ok(())
    }
}
