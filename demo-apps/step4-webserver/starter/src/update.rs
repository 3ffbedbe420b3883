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
        // TODO(learner): answer `Requirements::No("…".into())` while one of
        // `self.after` is not applied yet (`ctx.is_applied(name)`): the
        // manager then postpones this update and tries it again later.
        Requirements::Yes
    }

    fn preupdate_setup(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        // TODO(learner): ask the server thread to stop at its update point:
        //     ctx.request_park(&self.threads, Some(step4_webserver::serve::UPDATE_POINT)).map(drop)
        Ok(())
    }

    fn check_alterability(&mut self, _ctx: &mut UpdateContext) -> Alterability {
        // TODO(learner): ready once it waits there:
        //     Alterability::from_blockers(ctx.parked(&self.threads, Some(UPDATE_POINT)))
        Alterability::Ready
    }

    fn clean_failed_alterability(&mut self, _ctx: &mut UpdateContext) {
        // TODO(learner): if it never got there in time, let it go:
        //     ctx.clean_failed_park();
    }

    fn apply(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        // TODO(learner): the state first, then the handler that needs it:
        // 1. convert the one server state eagerly, with
        //        ctx.convert_eager(&step4_webserver::server::WEBSERVER,
        //                          crate::server::new_server, crate::server::server_transformer)?;
        //    (or `moult::class::EagerConversion::new(..).version_type::<WebserverV2>().apply(ctx)?`,
        //    which also names the new type for the console);
        // 2. redefine the handler:
        //        let handler = moult::hot_fn!(step4_webserver::handler::handle_request)?;
        //        ctx.redefine(handler, crate::handler::handle_request_v2 as Handler);
        Ok(())
    }
}
