//! The last update, written by hand: the server state is converted and the
//! request handler redefined while the server thread waits at its update
//! point between two requests, once pages and sessions are converted.

use std::time::Duration;

use moult::class::{EagerConversion, Tracked};
use moult::protocol::Blocker;
use moult::{Alterability, Requirements, ThreadFilter, Update, UpdateContext, UpdateError};
use step4_webserver::http::{Request, Response};
use step4_webserver::serve::{SERVER_THREAD, UPDATE_POINT};
use step4_webserver::server::{ServerApi, WEBSERVER};

use crate::handler::handle_request_v2;
use crate::server::{WebserverV2, new_server, server_transformer};

/// The handler's type, as the app declares it.
type Handler = fn(&Tracked<dyn ServerApi>, &Request) -> Response;

/// Converts the server state and redefines the handler at the server
/// thread's update point; needs the updates named in `after` applied first.
pub struct ServerUpdate {
    /// Updates that must be applied before this one (pages and sessions).
    after: Vec<&'static str>,
    /// The server thread.
    threads: ThreadFilter,
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

    /// Postponed (tried again later) while pages or sessions are not converted.
    fn check_requirements(&mut self, ctx: &mut UpdateContext) -> Requirements {
        match self.after.iter().find(|name| !ctx.is_applied(name)) {
            Some(name) => Requirements::No(format!("`{name}` is not applied yet")),
            None => Requirements::Yes,
        }
    }

    /// Asks the server thread to stop at its update point.
    fn preupdate_setup(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.request_park(&self.threads, Some(UPDATE_POINT))
            .map(drop)
    }

    /// Ready once the server thread waits there (between two requests).
    fn check_alterability(&mut self, ctx: &mut UpdateContext) -> Alterability {
        let blockers: Vec<Blocker> = ctx.parked(&self.threads, Some(UPDATE_POINT));
        Alterability::from_blockers(blockers)
    }

    /// Lets the server thread go if it never got there in time.
    fn clean_failed_alterability(&mut self, ctx: &mut UpdateContext) {
        ctx.clean_failed_park();
    }

    /// The state first, then the handler that needs it: no request runs in
    /// between, the only thread that serves them is parked.
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        // An eager conversion is an update too: its `apply` runs here, under
        // this update's park and rollback, and names the new type for the console.
        EagerConversion::new(&WEBSERVER, new_server, server_transformer)
            .version_type::<WebserverV2>()
            .apply(ctx)?;
        let handler = moult::hot_fn!(step4_webserver::handler::handle_request)?;
        ctx.redefine(handler, handle_request_v2 as Handler);
        ctx.log("server state at version 1, handle_request redefined: pages need a login");
        Ok(())
    }
}
