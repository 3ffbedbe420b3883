//! Requests to replies: what each command does in the app.

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use moult_protocol::{
    CAPABILITIES, ClientMessage, ErrorCode, PROTOCOL_VERSION, ProtocolError, QueuedUpdate, Request,
    Response, ServerMessage, WatchSpec,
};

use super::outbox::Outbox;
use super::{journal, snapshot, subscription};
use crate::dsu::ThreadReboot;
use crate::update::Watch;
use crate::{Error, Runtime};

/// What the connection does after sending the reply.
pub(crate) enum After {
    /// Read the next request.
    Continue,
    /// Close (the client speaks another protocol).
    Close,
}

/// Runs one request. A panic in the agent's own code is caught and reported
/// to the client; the app goes on.
pub(crate) fn handle(msg: ClientMessage, outbox: &Outbox, name: &str) -> (ServerMessage, After) {
    let id = msg.id;
    let ran = std::panic::catch_unwind(AssertUnwindSafe(|| run(msg.request, outbox, name)));
    let (result, after) = match ran {
        Ok(r) => r,
        Err(panic) => (
            Err(ProtocolError::new(
                ErrorCode::Conflict,
                format!(
                    "the agent failed on this request ({}); the app is unaffected",
                    crate::boundary::panic_message(panic.as_ref())
                ),
            )),
            After::Continue,
        ),
    };
    let reply = match result {
        Ok(result) => ServerMessage::Ok { id, result },
        Err(error) => ServerMessage::Error {
            id: Some(id),
            error,
        },
    };
    (reply, after)
}

type Reply = Result<Response, ProtocolError>;

fn run(request: Request, outbox: &Outbox, name: &str) -> (Reply, After) {
    let rt = crate::runtime();
    let info = super::info();
    let reply = match request {
        Request::Hello { protocol, client } => {
            if protocol != PROTOCOL_VERSION {
                let e = ProtocolError::new(
                    ErrorCode::VersionMismatch,
                    format!(
                        "protocol mismatch: {client} speaks protocol {protocol}, this agent (moult {}) speaks protocol {PROTOCOL_VERSION}; use a moult-console of the app's moult version",
                        info.moult_version
                    ),
                );
                return (Err(e), After::Close);
            }
            Ok(Response::Hello {
                protocol: PROTOCOL_VERSION,
                capabilities: CAPABILITIES.iter().map(|c| c.to_string()).collect(),
                agent: info.clone(),
            })
        }
        Request::Snapshot => Ok(Response::Snapshot {
            snapshot: snapshot::take(rt),
        }),
        Request::Subscribe => subscribe(outbox, name),
        Request::Apply { path, watch } => apply(rt, &path, watch),
        Request::Revert { update } => rt
            .revert(update, "asked by an operator")
            .map(|id| {
                let name = rt
                    .updates()
                    .into_iter()
                    .find(|u| u.id == id)
                    .map_or_else(String::new, |u| u.name);
                Response::Queued {
                    updates: vec![QueuedUpdate { id, name }],
                }
            })
            .map_err(|why| ProtocolError::new(ErrorCode::Conflict, why)),
        Request::Postpone { update } => stop(update, rt.postpone(update)),
        Request::Abort { update } => stop(update, rt.abort(update)),
        Request::Convert { class } => {
            rt.convert_pending(&class)
                .map_err(not_found)
                .and_then(|converted| {
                    let info = rt.classes().into_iter().find(|c| c.name == class);
                    info.map(|class| Response::Converted { class, converted })
                        .ok_or_else(|| {
                            ProtocolError::new(
                                ErrorCode::NotFound,
                                format!("class `{class}` vanished"),
                            )
                        })
                })
        }
        Request::Reboot { thread } => match rt.threads.get(&thread) {
            Ok(_) => {
                let update = ThreadReboot::new(thread);
                let name = crate::Update::name(&update).to_string();
                let id = rt.submit(Box::new(update));
                Ok(Response::Queued {
                    updates: vec![QueuedUpdate { id, name }],
                })
            }
            Err(e) => Err(match rt.tasks.find(&thread) {
                // The name is a task group's: say how to reboot that.
                Some(_) => ProtocolError::new(
                    ErrorCode::NotFound,
                    format!(
                        "{e}; `{thread}` is a task group: reboot its tasks with `moult-console reboot --tasks`"
                    ),
                ),
                None => not_found(e),
            }),
        },
        Request::RebootTasks { group, point } => {
            match crate::task::TaskReboot::onto_current(&group) {
                Some(update) => {
                    let update = match point {
                        Some(p) => update.at_point(p),
                        None => update,
                    };
                    let name = crate::Update::name(&update).to_string();
                    let id = rt.submit(Box::new(update));
                    Ok(Response::Queued {
                        updates: vec![QueuedUpdate { id, name }],
                    })
                }
                None => Err(ProtocolError::new(
                    ErrorCode::NotFound,
                    match rt.tasks.find(&group) {
                        None => format!("no task group `{group}` in this app"),
                        Some(_) => format!(
                            "task group `{group}` has no main to reboot onto: its tasks were spawned \
                         with futures (moult::task::spawn); spawn them with moult::task::spawn_main, \
                         or reboot them with an update (moult::task::TaskReboot)"
                        ),
                    },
                )),
            }
        }
        Request::Libraries => Ok(Response::Libraries {
            libraries: rt.libraries().iter().map(|l| l.info()).collect(),
        }),
        Request::Journal => {
            moult_rundir::read_journal(&PathBuf::from(&info.journal), journal::MAX_RETURNED)
                .map(|read| Response::Journal {
                    entries: read.entries,
                    skipped: read.skipped as u64,
                })
                .map_err(|e| {
                    ProtocolError::new(
                        ErrorCode::Conflict,
                        format!("cannot read the journal {}: {e}", info.journal),
                    )
                })
        }
    };
    (reply, After::Continue)
}

fn subscribe(outbox: &Outbox, name: &str) -> Reply {
    if outbox.shared.subscribed.swap(true, Ordering::AcqRel) {
        return Err(ProtocolError::new(
            ErrorCode::Conflict,
            "already subscribed on this connection",
        ));
    }
    let from_seq = subscription::start(outbox.clone(), name).map_err(|e| {
        outbox.shared.subscribed.store(false, Ordering::Release);
        ProtocolError::new(
            ErrorCode::Busy,
            format!("cannot start the subscription: {e}"),
        )
    })?;
    Ok(Response::Subscribed { from_seq })
}

/// Checks the client's path (absolute after canonicalisation, a regular
/// file this user can read), stages the library and queues its updates.
fn apply(rt: &'static Runtime, path: &str, watch: Option<WatchSpec>) -> Reply {
    let watch = match watch {
        Some(w) if !(w.secs.is_finite() && w.secs > 0.0 && w.secs <= 86_400.0) => {
            return Err(ProtocolError::new(
                ErrorCode::BadRequest,
                format!(
                    "watch: {} s is not a window (give 0 < secs <= 86400)",
                    w.secs
                ),
            ));
        }
        Some(_) if crate::update::watch::running() >= crate::update::watch::MAX_WATCHES => {
            return Err(ProtocolError::new(
                ErrorCode::Conflict,
                format!(
                    "{} watches are running already: wait for one to end, or apply without --watch",
                    crate::update::watch::MAX_WATCHES
                ),
            ));
        }
        Some(w) => Some(Watch::new(Duration::from_secs_f64(w.secs), w.max_panics)),
        None => None,
    };
    let refused = |why: String| ProtocolError::new(ErrorCode::Refused, why);
    let canonical = std::fs::canonicalize(path)
        .map_err(|e| refused(format!("update library {path}: cannot resolve it: {e}")))?;
    let is_file = std::fs::metadata(&canonical).is_ok_and(|m| m.is_file());
    if !is_file {
        return Err(refused(format!(
            "update library {}: not a regular file; give the path of a built .so",
            canonical.display()
        )));
    }
    if let Err(e) = std::fs::File::open(&canonical) {
        return Err(refused(format!(
            "update library {}: the app's user cannot read it: {e}",
            canonical.display()
        )));
    }
    let staged = crate::library::stage(&canonical).map_err(|e| refused(e.to_string()))?;
    let updates = staged
        .updates
        .into_iter()
        .map(|u| {
            let name = u.name().to_string();
            QueuedUpdate {
                id: rt.submit_watched(u, watch),
                name,
            }
        })
        .collect();
    Ok(Response::Queued { updates })
}

fn stop(update: u64, accepted: bool) -> Reply {
    if accepted {
        Ok(Response::Requested { update })
    } else {
        Err(ProtocolError::new(
            ErrorCode::NotFound,
            format!(
                "update {update} is neither queued nor waiting for alterability (see `status`: it may be done already)"
            ),
        ))
    }
}

fn not_found(e: Error) -> ProtocolError {
    ProtocolError::new(ErrorCode::NotFound, e.to_string())
}
