//! One connection to an agent: send a request and get its typed reply, and
//! read the subscription stream.
//!
//! Replies and stream messages share the connection, in whatever order the
//! agent writes them: the events of an update can arrive before the reply to
//! the `apply` that queued it. [`Client::request`] therefore keeps every
//! stream message it reads while waiting for its reply, and
//! [`Client::recv`] hands those out first, in order.
//!
//! A background thread reads and decodes lines so that waiting can have a
//! deadline (`recv` with a timeout) without non-blocking sockets.
//!
//! The bytes go over a [`Transport`]: the agent's local socket, or the
//! stdio of a command reaching an agent elsewhere (ssh and the remote
//! `moult-console bridge`). The client does not know which.

use std::collections::VecDeque;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use moult_protocol::{
    AgentInfo, ClassInfo, ClientMessage, Event, LibraryInfo, PROTOCOL_VERSION, ProtocolError,
    QueuedUpdate, Request, Response, ServerMessage, Snapshot, WatchSpec,
};
use moult_rundir::JournalRead;

use crate::remote::RemoteError;
use crate::transport::Transport;
use crate::transport::socket::SocketTransport;

/// Largest line accepted from an agent. Snapshots of big apps are large, but
/// a line without end must not grow the console without bound either.
pub const MAX_SERVER_LINE: usize = 64 * 1024 * 1024;

/// How long [`Client::request`] waits for a reply unless told otherwise:
/// long enough for an agent to load a library or convert many instances.
pub const DEFAULT_REPLY_TIMEOUT: Duration = Duration::from_secs(60);

/// What can go wrong talking to an agent. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The socket exists but nobody accepts on it (process gone, or not an agent).
    #[error(
        "cannot connect to {}: {source}; is the app still running? (`moult-console list` shows the live agents)",
        socket.display()
    )]
    Connect {
        /// The socket path tried.
        socket: PathBuf,
        /// Why the connection failed.
        #[source]
        source: io::Error,
    },
    /// Reading or writing the connection failed.
    #[error("connection to the agent failed: {0}")]
    Io(#[from] io::Error),
    /// The way to a remote agent failed or broke (ssh, the bridge).
    #[error(transparent)]
    Remote(#[from] RemoteError),
    /// The agent answered the request with an error (refused library,
    /// unknown thread, version mismatch...): its message says why.
    #[error("{0}")]
    Agent(ProtocolError),
    /// The agent sent something this console cannot decode.
    #[error(
        "the agent sent a message this console cannot read ({reason}); are the app's moult and this console the same version? line: {line}"
    )]
    Decode {
        /// serde's explanation.
        reason: String,
        /// The start of the line, for a bug report.
        line: String,
    },
    /// The connection ended (the app exited, or the agent closed it).
    #[error("the agent closed the connection{}", match reason {
        Some(r) => format!(": {r}"),
        None => " (did the app exit?)".to_string(),
    })]
    Disconnected {
        /// The reason the agent gave in its `closing` message, if any.
        reason: Option<String>,
    },
    /// No reply came in time.
    #[error("the agent did not answer `{cmd}` within {secs} s; is the app stuck?")]
    Timeout {
        /// The command sent.
        cmd: &'static str,
        /// The time waited.
        secs: u64,
    },
    /// The reply was of the wrong kind for the request (an agent bug).
    #[error("the agent answered `{cmd}` with an unexpected `{got}` reply")]
    Unexpected {
        /// The command sent.
        cmd: &'static str,
        /// The kind of reply received.
        got: String,
    },
}

/// A message of the subscription stream (or the end of the connection).
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// The live state (first after `subscribe`, then about once a second).
    State(Box<Snapshot>),
    /// Events in order, and how many this subscriber missed before them.
    Events {
        /// The events.
        events: Vec<Event>,
        /// Events the agent dropped for this subscriber (it read too slowly).
        dropped: u64,
    },
    /// The agent announced it is closing the connection.
    Closing {
        /// Why.
        reason: String,
    },
    /// The connection ended; nothing more will come.
    Disconnected,
}

/// The agent's answer to `hello`.
#[derive(Debug, Clone, PartialEq)]
pub struct Hello {
    /// The agent's protocol version (equal to ours, or the agent refuses).
    pub protocol: u32,
    /// What the agent can do.
    pub capabilities: Vec<String>,
    /// Who the agent is.
    pub agent: AgentInfo,
}

/// A connection to one agent.
pub struct Client {
    /// The connection's writing side (its reading side is the reader thread's).
    transport: Box<dyn Transport>,
    /// Decoded lines from the reader thread; closed when the connection ends.
    lines: Receiver<Result<ServerMessage, ClientError>>,
    /// Stream messages read while waiting for a reply, oldest first.
    pending: VecDeque<Incoming>,
    /// The connection ended (the reader thread is gone).
    ended: bool,
    /// The last `closing` reason seen, for the error when the connection ends.
    closing: Option<String>,
    /// Id of the next request.
    next_id: u64,
    /// How long [`Client::request`] waits.
    reply_timeout: Duration,
    /// Subscribed: the agent sends its state every second from now on, so
    /// a long silence means a lost link (see [`Transport::idle_limit`]).
    subscribed: bool,
    /// When the last line came, for the idle limit.
    last_heard: Instant,
}

impl Client {
    /// Connects to the agent socket at `socket` (no hello yet).
    pub fn connect(socket: &Path) -> Result<Client, ClientError> {
        let transport =
            SocketTransport::connect(socket).map_err(|source| ClientError::Connect {
                socket: socket.to_path_buf(),
                source,
            })?;
        Client::over(Box::new(transport))
    }

    /// A client speaking over `transport` (no hello yet).
    pub fn over(mut transport: Box<dyn Transport>) -> Result<Client, ClientError> {
        let reader = transport
            .take_reader()
            .ok_or_else(|| io::Error::other("the transport's reading half is already in use"))?;
        let (tx, lines) = mpsc::channel();
        std::thread::Builder::new()
            .name("moult-console reader".into())
            .spawn(move || read_lines(reader, tx))?;
        Ok(Client {
            transport,
            lines,
            pending: VecDeque::new(),
            ended: false,
            closing: None,
            next_id: 1,
            reply_timeout: DEFAULT_REPLY_TIMEOUT,
            subscribed: false,
            last_heard: Instant::now(),
        })
    }

    /// Connects to the agent socket at `socket` and says hello: the one way
    /// every command, the console and the tutorial's checks open a
    /// connection. Returns the client and what the agent said of itself.
    pub fn open(socket: &Path) -> Result<(Client, Hello), ClientError> {
        Client::open_within(socket, DEFAULT_REPLY_TIMEOUT)
    }

    /// [`Client::open`], waiting at most `hello_timeout` for the hello's
    /// reply (a process on its way out may accept a connection it will
    /// never answer); later requests wait the default time.
    pub fn open_within(
        socket: &Path,
        hello_timeout: Duration,
    ) -> Result<(Client, Hello), ClientError> {
        Client::connect(socket)?.greet(hello_timeout)
    }

    /// Says hello on a new connection, waiting at most `hello_timeout` for
    /// the reply; later requests wait the default time.
    pub fn greet(mut self, hello_timeout: Duration) -> Result<(Client, Hello), ClientError> {
        self.set_reply_timeout(hello_timeout);
        let hello = self.hello()?;
        self.set_reply_timeout(DEFAULT_REPLY_TIMEOUT);
        Ok((self, hello))
    }

    /// Changes how long [`Client::request`] waits for a reply.
    pub fn set_reply_timeout(&mut self, timeout: Duration) {
        self.reply_timeout = timeout;
    }

    /// Sends `request` and waits for its reply; stream messages read
    /// meanwhile are kept for [`Client::recv`].
    pub fn request(&mut self, request: Request) -> Result<Response, ClientError> {
        let cmd = command_name(&request);
        let id = self.next_id;
        self.next_id += 1;
        let mut line = serde_json::to_string(&ClientMessage { id, request })
            .expect("requests always serialize");
        line.push('\n');
        if let Err(e) = self.transport.write_all(line.as_bytes()) {
            return Err(match e.kind() {
                io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset => {
                    match self.transport.end_error() {
                        Some(remote) => ClientError::Remote(remote),
                        None => self.disconnected(),
                    }
                }
                _ => ClientError::Io(e),
            });
        }
        let deadline = Instant::now() + self.reply_timeout;
        loop {
            let message = match self.next_line(Some(deadline)) {
                Ok(Some(message)) => message,
                Ok(None) => {
                    return Err(ClientError::Timeout {
                        cmd,
                        secs: self.reply_timeout.as_secs(),
                    });
                }
                Err(e) => return Err(e),
            };
            match message {
                ServerMessage::Ok { id: got, result } if got == id => return Ok(result),
                ServerMessage::Error { id: got, error } if got.is_none() || got == Some(id) => {
                    return Err(ClientError::Agent(error));
                }
                other => {
                    if let Some(incoming) = self.stream_message(other) {
                        self.pending.push_back(incoming);
                    }
                }
            }
        }
    }

    /// The next stream message: first those kept by [`Client::request`],
    /// then from the connection. `None` when `deadline` passes first (never,
    /// without a deadline). After [`Incoming::Disconnected`], every call
    /// returns it again.
    pub fn recv(&mut self, deadline: Option<Instant>) -> Result<Option<Incoming>, ClientError> {
        loop {
            if let Some(incoming) = self.pending.pop_front() {
                return Ok(Some(incoming));
            }
            if self.ended {
                return Ok(Some(Incoming::Disconnected));
            }
            match self.next_line(deadline) {
                Ok(Some(message)) => {
                    if let Some(incoming) = self.stream_message(message) {
                        return Ok(Some(incoming));
                    }
                }
                Ok(None) => return Ok(None),
                Err(ClientError::Disconnected { .. }) => return Ok(Some(Incoming::Disconnected)),
                Err(e) => return Err(e),
            }
        }
    }

    /// `hello`: checks the protocol version (the agent refuses a mismatch
    /// with a message naming both) and learns who the agent is.
    pub fn hello(&mut self) -> Result<Hello, ClientError> {
        match self.request(Request::Hello {
            protocol: PROTOCOL_VERSION,
            client: crate::CLIENT_NAME.to_string(),
        })? {
            Response::Hello {
                protocol,
                capabilities,
                agent,
            } => Ok(Hello {
                protocol,
                capabilities,
                agent,
            }),
            other => Err(unexpected("hello", &other)),
        }
    }

    /// `snapshot`: the live state.
    pub fn snapshot(&mut self) -> Result<Snapshot, ClientError> {
        match self.request(Request::Snapshot)? {
            Response::Snapshot { snapshot } => Ok(snapshot),
            other => Err(unexpected("snapshot", &other)),
        }
    }

    /// `subscribe`: from now on [`Client::recv`] yields state and events.
    /// Returns the sequence number of the first event the stream carries.
    pub fn subscribe(&mut self) -> Result<u64, ClientError> {
        match self.request(Request::Subscribe)? {
            Response::Subscribed { from_seq } => {
                self.subscribed = true;
                Ok(from_seq)
            }
            other => Err(unexpected("subscribe", &other)),
        }
    }

    /// `apply`: stage the library at `path` (absolute, readable by the app)
    /// and queue its updates.
    pub fn apply(&mut self, path: &str) -> Result<Vec<QueuedUpdate>, ClientError> {
        self.apply_watched(path, None)
    }

    /// `apply` with a watch the agent keeps once each update applied: more
    /// than `watch.max_panics` panics of its new versions within
    /// `watch.secs` revert it.
    pub fn apply_watched(
        &mut self,
        path: &str,
        watch: Option<WatchSpec>,
    ) -> Result<Vec<QueuedUpdate>, ClientError> {
        self.queued(
            Request::Apply {
                path: path.into(),
                watch,
            },
            "apply",
        )
    }

    /// `revert`: queue the revert of update `update` (the newest applied
    /// one if `None`).
    pub fn revert(&mut self, update: Option<u64>) -> Result<Vec<QueuedUpdate>, ClientError> {
        self.queued(Request::Revert { update }, "revert")
    }

    /// `reboot`: queue a reboot of DSU thread `thread`.
    pub fn reboot(&mut self, thread: &str) -> Result<Vec<QueuedUpdate>, ClientError> {
        self.queued(
            Request::Reboot {
                thread: thread.into(),
            },
            "reboot",
        )
    }

    /// `reboot --tasks`: queue a reboot of the tasks of group `group`
    /// onto the group's main.
    pub fn reboot_tasks(&mut self, group: &str) -> Result<Vec<QueuedUpdate>, ClientError> {
        self.queued(
            Request::RebootTasks {
                group: group.into(),
                point: None,
            },
            "reboot",
        )
    }

    /// `postpone`: ask the manager to put update `update` back in the
    /// queue (the outcome comes as events).
    pub fn postpone(&mut self, update: u64) -> Result<(), ClientError> {
        match self.request(Request::Postpone { update })? {
            Response::Requested { .. } => Ok(()),
            other => Err(unexpected("postpone", &other)),
        }
    }

    /// `abort`: ask the manager to abort update `update` (the outcome comes as events).
    pub fn abort(&mut self, update: u64) -> Result<(), ClientError> {
        match self.request(Request::Abort { update })? {
            Response::Requested { .. } => Ok(()),
            other => Err(unexpected("abort", &other)),
        }
    }

    /// `convert`: run class `class`'s pending lazy conversion now; returns
    /// the class afterwards and how many instances changed version.
    pub fn convert(&mut self, class: &str) -> Result<(ClassInfo, u64), ClientError> {
        match self.request(Request::Convert {
            class: class.into(),
        })? {
            Response::Converted { class, converted } => Ok((class, converted)),
            other => Err(unexpected("convert", &other)),
        }
    }

    /// `journal`: the app's update history, oldest first, and how many
    /// damaged lines the agent skipped reading it.
    pub fn journal(&mut self) -> Result<JournalRead, ClientError> {
        match self.request(Request::Journal)? {
            Response::Journal { entries, skipped } => Ok(JournalRead {
                entries,
                skipped: usize::try_from(skipped).unwrap_or(usize::MAX),
            }),
            other => Err(unexpected("journal", &other)),
        }
    }

    /// `libraries`: the update libraries the app has loaded, in load order
    /// (an agent older than this request refuses it).
    pub fn libraries(&mut self) -> Result<Vec<LibraryInfo>, ClientError> {
        match self.request(Request::Libraries)? {
            Response::Libraries { libraries } => Ok(libraries),
            other => Err(unexpected("libraries", &other)),
        }
    }

    fn queued(
        &mut self,
        request: Request,
        cmd: &'static str,
    ) -> Result<Vec<QueuedUpdate>, ClientError> {
        match self.request(request)? {
            Response::Queued { updates } => Ok(updates),
            other => Err(unexpected(cmd, &other)),
        }
    }

    /// The next decoded line, `None` at the deadline.
    fn next_line(
        &mut self,
        deadline: Option<Instant>,
    ) -> Result<Option<ServerMessage>, ClientError> {
        if self.ended {
            return Err(self.disconnected());
        }
        // A subscribed link silent past its limit is lost, whatever the
        // caller's own deadline.
        let silence = self
            .transport
            .idle_limit()
            .filter(|_| self.subscribed)
            .map(|limit| (limit, self.last_heard + limit));
        let wait_until = match (deadline, silence) {
            (Some(d), Some((_, s))) => Some(d.min(s)),
            (d, None) => d,
            (None, Some((_, s))) => Some(s),
        };
        let received = match wait_until {
            None => self
                .lines
                .recv()
                .map_err(|_| RecvTimeoutError::Disconnected),
            Some(until) => self
                .lines
                .recv_timeout(until.saturating_duration_since(Instant::now())),
        };
        match received {
            Ok(line) => {
                self.last_heard = Instant::now();
                line.map(Some)
            }
            Err(RecvTimeoutError::Timeout) => match silence {
                Some((limit, until)) if Instant::now() >= until => {
                    self.ended = true;
                    self.transport.close();
                    let peer = self.transport.peer();
                    Err(ClientError::Remote(RemoteError::Silent {
                        host: peer,
                        secs: limit.as_secs(),
                    }))
                }
                _ => Ok(None),
            },
            Err(RecvTimeoutError::Disconnected) => {
                self.ended = true;
                match self.transport.end_error() {
                    Some(remote) => Err(ClientError::Remote(remote)),
                    None => Err(self.disconnected()),
                }
            }
        }
    }

    /// A stream message as [`Incoming`]; `None` for a stray reply (to a
    /// request this client no longer waits for).
    fn stream_message(&mut self, message: ServerMessage) -> Option<Incoming> {
        match message {
            ServerMessage::State { snapshot } => Some(Incoming::State(Box::new(snapshot))),
            ServerMessage::Events { events, dropped } => Some(Incoming::Events { events, dropped }),
            ServerMessage::Closing { reason } => {
                self.closing = Some(reason.clone());
                Some(Incoming::Closing { reason })
            }
            ServerMessage::Ok { .. } | ServerMessage::Error { .. } => None,
        }
    }

    fn disconnected(&self) -> ClientError {
        ClientError::Disconnected {
            reason: self.closing.clone(),
        }
    }
}

impl Drop for Client {
    /// Ends the connection so the reader thread, blocked in `read`, ends
    /// with the client instead of lingering until the agent closes.
    fn drop(&mut self) {
        self.transport.close();
    }
}

/// The `cmd` tag of a request, for messages.
pub fn command_name(request: &Request) -> &'static str {
    match request {
        Request::Hello { .. } => "hello",
        Request::Snapshot => "snapshot",
        Request::Subscribe => "subscribe",
        Request::Apply { .. } => "apply",
        Request::Postpone { .. } => "postpone",
        Request::Abort { .. } => "abort",
        Request::Convert { .. } => "convert",
        Request::Reboot { .. } | Request::RebootTasks { .. } => "reboot",
        Request::Revert { .. } => "revert",
        Request::Journal => "journal",
        Request::Libraries => "libraries",
    }
}

fn unexpected(cmd: &'static str, got: &Response) -> ClientError {
    let got = serde_json::to_value(got)
        .ok()
        .and_then(|v| v.get("kind")?.as_str().map(str::to_string))
        .unwrap_or_else(|| "unknown".into());
    ClientError::Unexpected { cmd, got }
}

/// The reader thread: decodes each line and hands it over until the
/// connection ends or the client is dropped.
fn read_lines(stream: Box<dyn Read + Send>, tx: Sender<Result<ServerMessage, ClientError>>) {
    let mut reader = BufReader::new(stream);
    loop {
        let line = match moult_protocol::read_line(&mut reader, MAX_SERVER_LINE) {
            Ok(None) => return,
            Ok(Some(Ok(line))) => line,
            Ok(Some(Err(frame))) => {
                let _ = tx.send(Err(ClientError::Decode {
                    reason: frame.to_string(),
                    line: String::new(),
                }));
                continue;
            }
            Err(e) => {
                if !matches!(e.kind(), io::ErrorKind::ConnectionReset) {
                    let _ = tx.send(Err(ClientError::Io(e)));
                }
                return;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let decoded =
            serde_json::from_str::<ServerMessage>(&line).map_err(|e| ClientError::Decode {
                reason: e.to_string(),
                line: line.chars().take(200).collect(),
            });
        if tx.send(decoded).is_err() {
            return;
        }
    }
}
