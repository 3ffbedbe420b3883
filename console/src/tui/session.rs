//! One attached app: the connection thread ([`super::connection`]) and the
//! channels between it and the UI loop. Dropping the session ends the
//! thread (it sees its command channel closed within a tick), so a console
//! that lets an app go — the tutorial's reset or back to the list — hears
//! nothing more from it.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};

use moult_protocol::AgentInfo;

use crate::remote::Route;
use crate::target::Target;

use super::builder;
use super::connection;
use super::feed::{AgentCommand, Feed};
use crate::client::Client;

/// The connection to one app, as the UI loop uses it.
#[derive(Debug)]
pub struct Session {
    /// Commands for the agent.
    commands: Sender<AgentCommand>,
    /// What the connection and the session's builds report.
    feeds: Receiver<Feed>,
    /// The feeds' sender, for builds started from the session.
    feed_tx: Sender<Feed>,
}

impl Session {
    /// Starts the connection thread on `client`, attached and subscribed to
    /// `agent`; `dir` is where the agent is looked for again if it goes.
    pub fn open(dir: &Path, client: Client, agent: AgentInfo) -> io::Result<Session> {
        let route = Route::Local {
            dir: dir.to_path_buf(),
            target: Target::Pid(agent.pid),
        };
        Session::open_route(route, client, agent)
    }

    /// [`Session::open`] for an agent reached through `route` (here or on
    /// another host), where it is looked for again if it goes.
    pub fn open_route(route: Route, client: Client, agent: AgentInfo) -> io::Result<Session> {
        let (feed_tx, feeds) = mpsc::channel();
        let (commands, command_rx) = mpsc::channel();
        let connection_feed = feed_tx.clone();
        std::thread::Builder::new()
            .name("moult-console connection".into())
            .spawn(move || connection::run(route, client, agent, command_rx, connection_feed))?;
        Ok(Session {
            commands,
            feeds,
            feed_tx,
        })
    }

    /// Sends `command` to the agent; `false` if the connection thread ended.
    pub fn send(&self, command: AgentCommand) -> bool {
        self.commands.send(command).is_ok()
    }

    /// Builds the update crate `dir` in `profile` in the background; its
    /// lines and library come back as feeds.
    pub fn build(&self, dir: PathBuf, profile: String) {
        builder::spawn(dir, profile, self.feed_tx.clone());
    }

    /// What was reported since the last call, at most `max` messages.
    pub fn feeds(&self, max: usize) -> Vec<Feed> {
        self.feeds.try_iter().take(max).collect()
    }
}
