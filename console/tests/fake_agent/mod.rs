//! A fake agent for testing the real `moult-console` binary without a real
//! app: a Unix socket in a temporary runtime directory, an `AgentInfo`
//! file, and canned `ServerMessage` lines in answer to each request.

// Each test crate that includes this module uses part of it.
#![allow(dead_code)]

pub mod messages;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use interprocess::local_socket::{GenericFilePath, ListenerOptions, prelude::*};
use moult_protocol::{
    AgentInfo, CAPABILITIES, ClientMessage, PROTOCOL_VERSION, Request, Response, ServerMessage,
    discovery,
};

/// A `closing` message with this reason is not sent: the fake agent just
/// ends the connection, as a real one does when its app exits.
pub const HANG_UP: &str = "(hang up)";

/// What the fake agent sends for one request. For `hello`, an empty answer
/// lets the harness reply with the fake agent's info.
pub type Handler = Box<dyn Fn(&ClientMessage) -> Vec<ServerMessage> + Send>;

/// A fake agent serving one connection in its own runtime directory.
pub struct FakeAgent {
    /// The runtime directory (`MOULT_RUNTIME_DIR` for the console).
    pub dir: tempfile::TempDir,
    /// The agent's pid: this test process, so the console sees it alive.
    pub pid: u32,
    /// The server thread; returns every request it received.
    server: Option<JoinHandle<Vec<ClientMessage>>>,
}

/// The metadata of the fake agent.
pub fn info(dir: &Path, pid: u32) -> AgentInfo {
    AgentInfo {
        app: "fake-app".into(),
        pid,
        moult_version: "0.1.0".into(),
        protocol: PROTOCOL_VERSION,
        fingerprint: "fake".into(),
        cargo_profile: "debug".into(),
        started_unix_ms: 1_714_565_000_000,
        socket: discovery::socket_path(dir, pid).display().to_string(),
        journal: discovery::journal_path(dir, pid).display().to_string(),
        exe: "/fake/app".into(),
        moult_build: None,
    }
}

impl FakeAgent {
    /// Binds the socket, writes the metadata, and serves one connection
    /// with `handler`. A `closing` message in a reply ends the connection
    /// after it is sent.
    pub fn start(handler: Handler) -> FakeAgent {
        let dir = tempfile::tempdir().unwrap();
        let pid = std::process::id();
        let socket = discovery::socket_path(dir.path(), pid);
        let listener = ListenerOptions::new()
            .name(socket.clone().to_fs_name::<GenericFilePath>().unwrap())
            .create_sync()
            .unwrap();
        let agent = info(dir.path(), pid);
        std::fs::write(
            discovery::info_path(dir.path(), pid),
            serde_json::to_string(&agent).unwrap(),
        )
        .unwrap();
        let server = std::thread::spawn(move || {
            let conn = listener.accept().unwrap();
            let mut received = Vec::new();
            let mut writer = &conn;
            for line in BufReader::new(&conn).lines() {
                let Ok(line) = line else { break };
                let message: ClientMessage = serde_json::from_str(&line).unwrap();
                received.push(message.clone());
                let mut replies = handler(&message);
                if replies.is_empty() && matches!(message.request, Request::Hello { .. }) {
                    replies = vec![ServerMessage::Ok {
                        id: message.id,
                        result: Response::Hello {
                            protocol: PROTOCOL_VERSION,
                            capabilities: CAPABILITIES.iter().map(|c| c.to_string()).collect(),
                            agent: agent.clone(),
                        },
                    }];
                }
                for reply in replies {
                    if matches!(&reply, ServerMessage::Closing { reason } if reason == HANG_UP) {
                        return received;
                    }
                    let closing = matches!(reply, ServerMessage::Closing { .. });
                    let text = serde_json::to_string(&reply).unwrap();
                    if writeln!(writer, "{text}").is_err() || closing {
                        return received;
                    }
                }
            }
            received
        });
        FakeAgent {
            dir,
            pid,
            server: Some(server),
        }
    }

    /// The requests the console sent, once it has disconnected.
    pub fn received(mut self) -> Vec<ClientMessage> {
        self.server.take().unwrap().join().unwrap()
    }
}

/// What a run of the console printed and how it exited.
#[derive(Debug)]
pub struct Run {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs the real `moult-console` with `MOULT_RUNTIME_DIR=dir`; fails the
/// test if it runs longer than 60 s.
pub fn console(dir: &Path, args: &[&str]) -> Run {
    console_in(dir, args, &[])
}

/// [`console`] with extra environment variables.
pub fn console_in(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_moult-console"))
        .args(args)
        .env(discovery::DIR_ENV, dir)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            pipe.read_to_string(&mut text).unwrap();
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("moult-console {args:?} ran over 60 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}
