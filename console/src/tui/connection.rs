//! The agent connection, on a thread of its own: it forwards the
//! subscription stream to the UI, runs the UI's commands, and when the
//! connection ends, reconnects to the same process if it still runs, or
//! else waits, detached, for an app of the same name to start again (a new
//! pid) and reattaches to it.
//!
//! An app on another host (a remote [`Route`]) is found again the same way
//! through its link: by pid while that answers, else by app name.
//!
//! A std thread rather than an async task: [`Client`] is synchronous and
//! its `recv` takes a deadline, so one thread alternates between the stream
//! (100 ms at a time) and the commands, and the UI loop never blocks on the
//! socket.

use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::time::{Duration, Instant};

use moult_protocol::{AgentInfo, EventKind, Request, ServerMessage, discovery};

use super::feed::{AgentCommand, Feed};
use crate::client::{Client, ClientError, DEFAULT_REPLY_TIMEOUT, Incoming};
use crate::remote::route::REMOTE_HELLO_TIMEOUT;
use crate::remote::{Link, Route, RouteError, stage};
use crate::target::{self, Target};

/// How long one read of the stream waits before commands are looked at.
const TICK: Duration = Duration::from_millis(100);
/// How often a lost agent is looked for again.
const RETRY: Duration = Duration::from_millis(500);

/// How long hello and subscribe may take: a process on its way out may
/// still accept a connection it will never answer.
const ATTACH_TIMEOUT: Duration = Duration::from_secs(3);

/// Connects to `socket`, says hello and subscribes; returns who the agent is.
pub fn attach(socket: &Path) -> Result<(Client, AgentInfo), ClientError> {
    let (mut client, hello) = Client::open_within(socket, ATTACH_TIMEOUT)?;
    client.set_reply_timeout(ATTACH_TIMEOUT);
    client.subscribe()?;
    client.set_reply_timeout(DEFAULT_REPLY_TIMEOUT);
    Ok((client, hello.agent))
}

/// Opens `route`, says hello and subscribes; returns who the agent is.
/// A remote agent gets longer for its hello (ssh connects first).
pub fn attach_route(route: &Route) -> Result<(Client, AgentInfo), RouteError> {
    let (mut client, hello) = match route {
        Route::Local { .. } => route.open_within(ATTACH_TIMEOUT)?,
        Route::Remote { .. } => route.open_within(REMOTE_HELLO_TIMEOUT)?,
    };
    client.set_reply_timeout(ATTACH_TIMEOUT.max(REMOTE_HELLO_TIMEOUT));
    client.subscribe().map_err(RouteError::from)?;
    client.set_reply_timeout(DEFAULT_REPLY_TIMEOUT);
    Ok((client, hello.agent))
}

/// Runs the connection until the UI goes away (its command sender is
/// dropped, or its feed receiver is). `client` is attached and subscribed
/// to `agent`; `route` is how agents are found again (its directory here,
/// or its link to another host).
pub fn run(
    route: Route,
    client: Client,
    agent: AgentInfo,
    commands: Receiver<AgentCommand>,
    feed: Sender<Feed>,
) {
    let mut client = Some(client);
    let mut agent = agent;
    loop {
        if let Some(mut c) = client.take() {
            send_journal(&mut c, &feed);
            match serve(&mut c, &commands, &feed, route.link(), &agent) {
                Served::Quit => return,
                Served::Lost(reason) => {
                    drop(c);
                    // A process that exited is reported by `find_again`.
                    if route.link().is_some() || target::process_alive(agent.pid) {
                        let _ = feed.send(Feed::Reconnecting(reason));
                    }
                }
            }
        }
        match find_again(&route, &agent, &commands, &feed) {
            Some((c, found)) => {
                if feed.send(Feed::Attached(found.clone())).is_err() {
                    return;
                }
                agent = found;
                client = Some(c);
            }
            None => return,
        }
    }
}

/// How serving a connection ended.
enum Served {
    /// The UI is gone.
    Quit,
    /// The connection ended, for this reason.
    Lost(String),
}

/// Serves the stream and the UI's commands; `link` and `agent` say where a
/// library must be copied before it is applied (a remote app).
fn serve(
    client: &mut Client,
    commands: &Receiver<AgentCommand>,
    feed: &Sender<Feed>,
    link: Option<&Link>,
    agent: &AgentInfo,
) -> Served {
    let mut closing: Option<String> = None;
    loop {
        loop {
            match commands.try_recv() {
                Ok(command) => {
                    let command = match stage_remote(command, link, agent, feed) {
                        Ok(command) => command,
                        Err(refused) => {
                            if feed.send(Feed::Reply(Err(refused))).is_err() {
                                return Served::Quit;
                            }
                            continue;
                        }
                    };
                    if feed.send(execute(client, command)).is_err() {
                        return Served::Quit;
                    }
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return Served::Quit,
            }
        }
        let message = match client.recv(Some(Instant::now() + TICK)) {
            Ok(None) => continue,
            Ok(Some(Incoming::Disconnected)) => {
                return Served::Lost(closing.unwrap_or_else(|| "the connection closed".into()));
            }
            Ok(Some(Incoming::State(snapshot))) => ServerMessage::State {
                snapshot: *snapshot,
            },
            Ok(Some(Incoming::Events { events, dropped })) => {
                ServerMessage::Events { events, dropped }
            }
            Ok(Some(Incoming::Closing { reason })) => {
                closing = Some(reason.clone());
                ServerMessage::Closing { reason }
            }
            Err(e) => return Served::Lost(e.to_string()),
        };
        let journaled = matches!(&message, ServerMessage::Events { events, .. }
            if events.iter().any(|e| writes_journal(&e.kind)));
        if feed.send(Feed::Message(message)).is_err() {
            return Served::Quit;
        }
        if journaled {
            send_journal(client, feed);
        }
    }
}

/// Whether the agent writes a journal line for an event of this kind: a
/// library staged or refused, an update queued, or one that ended —
/// postponed included. The Journal pane fetches the journal again on each,
/// so it never lags behind `moult-console log`.
pub fn writes_journal(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::LibraryLoaded { .. }
            | EventKind::LibraryRefused { .. }
            | EventKind::UpdateQueued { .. }
            | EventKind::UpdateDone { .. }
    )
}

/// Fetches the journal for the UI (a failure only leaves it as it was).
fn send_journal(client: &mut Client, feed: &Sender<Feed>) {
    if let Ok(read) = client.journal() {
        let _ = feed.send(Feed::Journal(read.entries));
    }
}

/// An apply to a remote app names a library built here: it is checked
/// against the app's fingerprint and copied there first, and the command
/// then names the copy. Other commands pass as they are.
fn stage_remote(
    command: AgentCommand,
    link: Option<&Link>,
    agent: &AgentInfo,
    feed: &Sender<Feed>,
) -> Result<AgentCommand, String> {
    let (AgentCommand::Apply(library), Some(link)) = (&command, link) else {
        return Ok(command);
    };
    let _ = feed.send(Feed::Reply(Ok(format!(
        "copying {} to {}",
        library.display(),
        link.label()
    ))));
    match stage::stage(link, agent, library) {
        Ok(kept) => Ok(AgentCommand::Apply(kept.remote_path.into())),
        Err(why) => Err(format!("apply: {why}")),
    }
}

/// Runs one command; the reply in words (with the updates it queued).
fn execute(client: &mut Client, command: AgentCommand) -> Feed {
    let queued = |text: String, updates: &[moult_protocol::QueuedUpdate]| Feed::Queued {
        text,
        updates: updates.iter().map(|u| u.id).collect(),
    };
    let result = match &command {
        AgentCommand::Apply(path) => client.apply(&path.display().to_string()).map(|updates| {
            let names: Vec<String> = updates
                .iter()
                .map(|u| format!("{} #{}", u.name, u.id))
                .collect();
            match names.as_slice() {
                [] => Feed::Reply(Ok(format!(
                    "{} loaded, but it hands out no update",
                    path.display()
                ))),
                _ => queued(format!("queued {}", names.join(", ")), &updates),
            }
        }),
        AgentCommand::Revert(id) => client.revert(Some(*id)).map(|updates| {
            let ids: Vec<String> = updates
                .iter()
                .map(|u| format!("{} #{}", u.name, u.id))
                .collect();
            queued(format!("queued {}", ids.join(", ")), &updates)
        }),
        AgentCommand::Postpone(id) => client
            .postpone(*id)
            .map(|()| Feed::Reply(Ok(format!("postpone of update #{id} requested")))),
        AgentCommand::Abort(id) => client
            .abort(*id)
            .map(|()| Feed::Reply(Ok(format!("abort of update #{id} requested")))),
        AgentCommand::Convert(class) => client
            .convert(class)
            .map(|(_, n)| Feed::Reply(Ok(format!("converted {n} instance(s) of {class}")))),
        AgentCommand::Reboot(thread) => client.reboot(thread).map(|updates| {
            let ids: Vec<String> = updates.iter().map(|u| format!("#{}", u.id)).collect();
            let text = format!("reboot of thread {thread} queued as {}", ids.join(", "));
            queued(text, &updates)
        }),
        AgentCommand::RebootTasks(group) => client.reboot_tasks(group).map(|updates| {
            let ids: Vec<String> = updates.iter().map(|u| format!("#{}", u.id)).collect();
            let text = format!("reboot of task group {group} queued as {}", ids.join(", "));
            queued(text, &updates)
        }),
    };
    result.unwrap_or_else(|e| {
        Feed::Reply(Err(format!(
            "{}: {e}",
            crate::client::command_name(&request_of(&command))
        )))
    })
}

/// The protocol request a command sends (for its name in messages).
fn request_of(command: &AgentCommand) -> Request {
    match command {
        AgentCommand::Apply(path) => Request::Apply {
            watch: None,
            path: path.display().to_string(),
        },
        AgentCommand::Postpone(update) => Request::Postpone { update: *update },
        AgentCommand::Revert(update) => Request::Revert {
            update: Some(*update),
        },
        AgentCommand::Abort(update) => Request::Abort { update: *update },
        AgentCommand::Convert(class) => Request::Convert {
            class: class.clone(),
        },
        AgentCommand::Reboot(thread) => Request::Reboot {
            thread: thread.clone(),
        },
        AgentCommand::RebootTasks(group) => Request::RebootTasks {
            group: group.clone(),
            point: None,
        },
    }
}

/// Looks for the agent again until found: the same process while it
/// runs, else (once it is reported detached) a live agent with the same
/// app name. Commands meanwhile are answered "not connected". `None` when
/// the UI is gone.
fn find_again(
    route: &Route,
    agent: &AgentInfo,
    commands: &Receiver<AgentCommand>,
    feed: &Sender<Feed>,
) -> Option<(Client, AgentInfo)> {
    let mut detached = false;
    loop {
        let found = match route {
            Route::Local { dir, .. } => local_again(dir, agent, &mut detached, feed)?,
            Route::Remote { .. } => remote_again(route, agent, &mut detached, feed)?,
        };
        if let Some(found) = found {
            return Some(found);
        }
        let deadline = Instant::now() + RETRY;
        while Instant::now() < deadline {
            match commands.try_recv() {
                Ok(_) => {
                    let _ = feed.send(Feed::Reply(Err(
                        "not connected to the app: wait until it is attached again".into(),
                    )));
                }
                Err(TryRecvError::Disconnected) => return None,
                Err(TryRecvError::Empty) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }
}

/// One look for a local agent: by pid while the process lives, else by
/// name (saying once that it is detached). `None` when the UI is gone.
fn local_again(
    dir: &Path,
    agent: &AgentInfo,
    detached: &mut bool,
    feed: &Sender<Feed>,
) -> Option<Option<(Client, AgentInfo)>> {
    let socket = if target::process_alive(agent.pid) {
        Some(discovery::socket_path(dir, agent.pid))
    } else {
        if !*detached {
            *detached = true;
            let said = feed.send(Feed::Detached(format!(
                "{} exited (pid {} is gone); waiting for it to start again",
                agent.app, agent.pid
            )));
            if said.is_err() {
                return None;
            }
        }
        target::resolve(dir, &Target::App(agent.app.clone()))
            .ok()
            .map(|r| r.socket)
    };
    Some(socket.and_then(|s| attach(&s).ok()))
}

/// One look for a remote agent through its link: by pid until that fails
/// (then detached, with the far side's reason), by name after.
fn remote_again(
    route: &Route,
    agent: &AgentInfo,
    detached: &mut bool,
    feed: &Sender<Feed>,
) -> Option<Option<(Client, AgentInfo)>> {
    if !*detached {
        match attach_route(&route.retarget(Target::Pid(agent.pid))) {
            Ok(found) => return Some(Some(found)),
            Err(why) => {
                *detached = true;
                let said = feed.send(Feed::Detached(format!(
                    "{} (pid {}) cannot be reached: {why}; waiting for it to start again",
                    agent.app, agent.pid
                )));
                if said.is_err() {
                    return None;
                }
            }
        }
    }
    Some(attach_route(&route.retarget(Target::App(agent.app.clone()))).ok())
}

#[cfg(test)]
mod tests {
    use moult_protocol::Outcome;

    use super::*;

    #[test]
    fn every_event_the_agent_journals_fetches_the_journal_again() {
        // Defect 3: staged, queued and postponed lines showed only after the
        // update was applied or aborted.
        let staged = EventKind::LibraryLoaded {
            path: "/l.so".into(),
            updates: vec!["u".into()],
        };
        let queued = EventKind::UpdateQueued {
            update: "u".into(),
            id: 1,
        };
        let postponed = EventKind::UpdateDone {
            update: "u".into(),
            id: 1,
            outcome: Outcome::Postponed("not alterable".into()),
        };
        for kind in [&staged, &queued, &postponed] {
            assert!(writes_journal(kind), "{kind:?}");
        }
        let log = EventKind::Log {
            level: "info".into(),
            message: "x".into(),
        };
        assert!(!writes_journal(&log));
    }
}
