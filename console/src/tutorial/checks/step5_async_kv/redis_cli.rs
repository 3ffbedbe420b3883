//! `redis-cli`, run as a process against the exercise's server: the check
//! talks to it with Redis's own client, as the learner does, never with a
//! protocol of its own. Every call has a hang guard: a server an update
//! left stuck is a failure to report, not a check that never ends.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::deadline::wait_or_kill;
use crate::tutorial::output_log::OutputLog;

/// What to say when a Redis tool does not start.
pub fn not_installed(tool: &str, e: &std::io::Error) -> String {
    format!(
        "cannot run {tool} ({e}): this exercise talks to the server with Redis's own \
         clients; install them (Debian and Ubuntu: `apt-get install redis-tools`)"
    )
}

/// `redis-cli -p <port>` against 127.0.0.1.
#[derive(Debug, Clone, Copy)]
pub struct RedisCli {
    /// The server's port.
    pub port: u16,
    /// How long one call may wait for its answers before the check gives
    /// up on the server.
    pub patience: Duration,
}

impl RedisCli {
    /// `redis-cli -p <port> <args…>`: its one answer, as redis-cli prints
    /// it without a terminal (`OK`, `5`, `ERR …`, empty for nil; the
    /// empty line it prints after an error left out).
    pub fn call(&self, args: &[&str]) -> Result<String, String> {
        let lines = self.run(args, None)?;
        Ok(lines.join("\n").trim_end_matches('\n').to_string())
    }

    /// Sends `commands` (one a line) through one redis-cli reading its
    /// standard input: their answers, one line each.
    pub fn batch(&self, commands: &[String]) -> Result<Vec<String>, String> {
        let input = commands.join("\n") + "\n";
        let answers = self.run(&[], Some(input))?;
        if answers.len() != commands.len() {
            return Err(format!(
                "redis-cli sent {} commands and read {} answers: the server closed a connection or answered twice",
                commands.len(),
                answers.len()
            ));
        }
        Ok(answers)
    }

    /// Waits until the server answers PING (it binds its port just after
    /// its agent starts).
    pub fn wait_ready(&self) -> Result<(), String> {
        let deadline = Instant::now() + self.patience;
        loop {
            match self.call(&["PING"]) {
                Ok(answer) if answer == "PONG" => return Ok(()),
                Ok(_) | Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Ok(answer) => {
                    return Err(format!(
                        "the server on port {} answers PING with {answer:?}, not PONG",
                        self.port
                    ));
                }
                Err(why) => return Err(why),
            }
        }
    }

    fn run(&self, args: &[&str], input: Option<String>) -> Result<Vec<String>, String> {
        let mut child = Command::new("redis-cli")
            .args(["-p", &self.port.to_string()])
            .args(args)
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| not_installed("redis-cli", &e))?;
        let output = OutputLog::capture(child.stdout.take().expect("stdout is piped"));
        if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
            // A thread: redis-cli answers while it reads, and a full pipe
            // either way must not stop the other.
            std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        }
        let Some(status) = wait_or_kill(&mut child, self.patience) else {
            let what = if args.is_empty() {
                "a batch of commands".to_string()
            } else {
                args.join(" ")
            };
            return Err(format!(
                "redis-cli got no answer to {what} within {}s: the server on port {} is stuck",
                self.patience.as_secs(),
                self.port
            ));
        };
        // The reader thread takes the last lines once the pipe closes.
        output.wait_for(u64::MAX, self.patience, |_| false);
        if !status.success() {
            return Err(format!(
                "redis-cli {} exited with {status}: is the server on port {} down?",
                args.join(" "),
                self.port
            ));
        }
        Ok(output.since(0).into_iter().map(|l| l.text).collect())
    }
}
