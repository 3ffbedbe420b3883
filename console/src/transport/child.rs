//! A command's stdin and stdout as a [`Transport`]: `ssh host moult-console
//! bridge app`, or any command run with `--via`. The child's stderr is
//! kept to say why the connection failed or ended.

use std::io::{self, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::Transport;
use super::stderr_tail::StderrTail;
use crate::remote::{RemoteError, failure};

/// How long a child whose stdout ended may take to exit before it is killed.
const EXIT_WAIT: Duration = Duration::from_secs(5);

/// How long a subscribed remote connection may stay silent (the agent sends
/// its state every second) before it counts as lost.
pub const REMOTE_IDLE_LIMIT: Duration = Duration::from_secs(30);

/// A running command carrying the protocol over its stdio.
pub struct ChildTransport {
    /// The command (ssh, or the `--via` command).
    child: Child,
    /// Its stdin: our lines to the agent. `None` once closed.
    stdin: Option<ChildStdin>,
    /// Its stdout, until handed to the reader thread.
    stdout: Option<ChildStdout>,
    /// What it says on stderr.
    stderr: StderrTail,
    /// Where it leads, for messages (`host`, or the `--via` command).
    host: String,
    /// The remote console program it runs, to name it when it is missing.
    console: String,
    /// Why it ended, once known (asked again, the same answer).
    ended: Option<Option<RemoteError>>,
}

impl ChildTransport {
    /// Runs `argv` with its stdio piped. `host` and `console` name the far
    /// side and the program run there, for messages.
    pub fn spawn(
        argv: &[String],
        host: &str,
        console: &str,
    ) -> Result<ChildTransport, RemoteError> {
        let (program, args) = argv.split_first().ok_or_else(|| RemoteError::Spawn {
            program: String::new(),
            reason: "the command is empty".into(),
        })?;
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| RemoteError::Spawn {
                program: program.clone(),
                reason: e.to_string(),
            })?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr = StderrTail::collect(child.stderr.take().expect("stderr is piped"));
        Ok(ChildTransport {
            child,
            stdin,
            stdout,
            stderr,
            host: host.to_string(),
            console: console.to_string(),
            ended: None,
        })
    }

    /// The writing half, for a caller that streams bytes itself (an
    /// upload) and ends them by dropping it.
    pub fn take_writer(&mut self) -> Option<ChildStdin> {
        self.stdin.take()
    }

    /// The child's exit status, waiting at most [`EXIT_WAIT`]; killed after.
    fn exit_status(&mut self) -> Option<ExitStatus> {
        let deadline = Instant::now() + EXIT_WAIT;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Ok(None) => {
                    let _ = self.child.kill();
                    return self.child.wait().ok();
                }
                Err(_) => return None,
            }
        }
    }
}

impl Transport for ChildTransport {
    fn take_reader(&mut self) -> Option<Box<dyn Read + Send>> {
        self.stdout
            .take()
            .map(|stdout| Box::new(stdout) as Box<dyn Read + Send>)
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.stdin {
            Some(stdin) => stdin.write_all(bytes).and_then(|()| stdin.flush()),
            None => Err(io::ErrorKind::BrokenPipe.into()),
        }
    }

    fn end_error(&mut self) -> Option<RemoteError> {
        if let Some(known) = &self.ended {
            return known.clone();
        }
        self.stdin = None;
        let status = self.exit_status();
        let stderr = self.stderr.text(Duration::from_secs(2));
        let error = failure::classify(&self.host, &self.console, status, &stderr);
        self.ended = Some(error.clone());
        error
    }

    fn idle_limit(&self) -> Option<Duration> {
        Some(REMOTE_IDLE_LIMIT)
    }

    fn peer(&self) -> String {
        self.host.clone()
    }

    fn close(&mut self) {
        self.stdin = None;
        let _ = self.child.kill();
    }
}

impl Drop for ChildTransport {
    /// Never leaves a zombie behind (a fleet opens many).
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
