//! A plain socket client for the agent (std `UnixStream`, no moult code): it
//! checks the wire protocol as any third-party client would see it.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use moult_protocol::{ClientMessage, PROTOCOL_VERSION, Request, Response, ServerMessage};

/// One connection to an agent.
pub struct Client {
    writer: UnixStream,
    reader: BufReader<UnixStream>,
    next_id: u64,
}

impl Client {
    /// Connects to the socket at `path`.
    pub fn connect(path: &Path) -> std::io::Result<Client> {
        let stream = UnixStream::connect(path)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Client {
            reader: BufReader::new(stream.try_clone()?),
            writer: stream,
            next_id: 0,
        })
    }

    /// Connects and says hello; panics on anything but a hello reply.
    pub fn hello(path: &Path) -> Client {
        let mut c =
            Client::connect(path).unwrap_or_else(|e| panic!("connect to {}: {e}", path.display()));
        match c.request(Request::Hello {
            protocol: PROTOCOL_VERSION,
            client: "moult-e2e".into(),
        }) {
            ServerMessage::Ok {
                result: Response::Hello { .. },
                ..
            } => c,
            other => panic!("hello got {other:?}"),
        }
    }

    /// Writes raw bytes (for malformed input).
    pub fn send_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.writer.write_all(bytes)
    }

    /// Sends a request and returns its reply (stream messages before it are skipped).
    pub fn request(&mut self, request: Request) -> ServerMessage {
        self.next_id += 1;
        let id = self.next_id;
        let mut line = serde_json::to_string(&ClientMessage { id, request }).unwrap();
        line.push('\n');
        self.send_raw(line.as_bytes()).expect("send request");
        self.reply()
    }

    /// The next `ok` or `error` message, skipping `state` and `events`.
    pub fn reply(&mut self) -> ServerMessage {
        loop {
            match self.next_message() {
                Some(m @ (ServerMessage::Ok { .. } | ServerMessage::Error { .. })) => return m,
                Some(ServerMessage::Closing { reason }) => panic!("agent closed: {reason}"),
                Some(_) => continue,
                None => panic!("connection closed while waiting for a reply"),
            }
        }
    }

    /// The next message; `None` at end of stream.
    pub fn next_message(&mut self) -> Option<ServerMessage> {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(0) => None,
            Ok(_) => Some(
                serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("agent sent a bad line {line:?}: {e}")),
            ),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => None,
            Err(e) => panic!("read from agent: {e}"),
        }
    }

    /// Messages until `done` says stop or `timeout` passes; returns them all.
    pub fn collect_until(
        &mut self,
        timeout: Duration,
        mut done: impl FnMut(&ServerMessage) -> bool,
    ) -> Vec<ServerMessage> {
        let deadline = Instant::now() + timeout;
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            let Some(m) = self.next_message() else { break };
            let stop = done(&m);
            seen.push(m);
            if stop {
                break;
            }
        }
        seen
    }
}
