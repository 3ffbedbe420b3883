//! `redis-benchmark`, the load the update must not disturb: SETs and GETs
//! from 20 pipelining clients, round after round, until the check stops
//! it. redis-benchmark stops by itself at the first error answer or lost
//! connection, so one still running has seen no failed request.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::tutorial::output_log::OutputLog;

use super::deadline::wait_or_kill;
use super::redis_cli::not_installed;

/// Requests in one round of one test (SET, then GET).
const ROUND: &str = "10000";

/// What redis-benchmark `-q` prints at the end of each round.
const ROUND_END: &str = "requests per second";

/// A running `redis-benchmark -t set,get -c 20 -P 8 -q -l`; killed when
/// dropped.
#[derive(Debug)]
pub struct Benchmark {
    child: Child,
    output: OutputLog,
}

impl Benchmark {
    /// Starts the load on `127.0.0.1:port`.
    pub fn start(port: u16) -> Result<Benchmark, String> {
        let mut child = Command::new("redis-benchmark")
            .args(["-p", &port.to_string()])
            .args([
                "-t", "set,get", "-n", ROUND, "-c", "20", "-P", "8", "-q", "-l",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| not_installed("redis-benchmark", &e))?;
        let output = OutputLog::capture(child.stdout.take().expect("stdout is piped"));
        Ok(Benchmark { child, output })
    }

    /// Rounds finished so far.
    pub fn rounds(&self) -> usize {
        self.output
            .since(0)
            .iter()
            .filter(|l| l.text.contains(ROUND_END))
            .count()
    }

    /// `Err` if it stopped: it stops by itself only when a request failed.
    pub fn still_running(&mut self) -> Result<(), String> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(format!(
                "redis-benchmark stopped ({status}): a request failed or a connection was lost \
                 while it loaded the server. It said:\n{}",
                self.said()
            )),
            Err(e) => Err(format!("cannot tell whether redis-benchmark runs: {e}")),
        }
    }

    /// Waits until `n` more rounds than now are finished, checking it keeps
    /// running; `Err` after `patience` without them (a stuck server).
    pub fn wait_rounds(&mut self, n: usize, patience: Duration) -> Result<(), String> {
        let target = self.rounds() + n;
        let deadline = Instant::now() + patience;
        while self.rounds() < target {
            self.still_running()?;
            if Instant::now() >= deadline {
                return Err(format!(
                    "redis-benchmark finished no round of {ROUND} requests within {}s: \
                     the server stopped answering. It said:\n{}",
                    patience.as_secs(),
                    self.said()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// Stops it; `Err` if it had stopped on its own or reported an error.
    /// `Ok` with the rounds it finished.
    pub fn stop(mut self) -> Result<usize, String> {
        self.still_running()?;
        let _ = self.child.kill();
        let _ = self.child.wait();
        let said = self.said();
        if said.to_ascii_lowercase().contains("error") {
            return Err(format!("redis-benchmark reported errors:\n{said}"));
        }
        Ok(self.rounds())
    }

    /// Its last lines, progress reports split, for a message.
    fn said(&self) -> String {
        let text: Vec<String> = self
            .output
            .tail(8)
            .into_iter()
            .flat_map(|l| {
                l.text
                    .split('\r')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| format!("  | {s}"))
                    .collect::<Vec<_>>()
            })
            .collect();
        let keep = text.len().saturating_sub(6);
        text[keep..].join("\n")
    }
}

impl Drop for Benchmark {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `command` (split at spaces) `requests` times from `clients`
/// connections at once with `redis-benchmark`, to its end; `Err` if a
/// request failed or it did not end within `patience`.
pub fn hammer(
    port: u16,
    command: &str,
    requests: usize,
    clients: usize,
    patience: Duration,
) -> Result<(), String> {
    let mut child = Command::new("redis-benchmark")
        .args(["-p", &port.to_string()])
        .args([
            "-n",
            &requests.to_string(),
            "-c",
            &clients.to_string(),
            "-q",
        ])
        .args(command.split(' '))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| not_installed("redis-benchmark", &e))?;
    let output = OutputLog::capture(child.stdout.take().expect("stdout is piped"));
    let Some(status) = wait_or_kill(&mut child, patience) else {
        return Err(format!(
            "{requests} × {command} from {clients} clients did not end within {}s: the server is stuck",
            patience.as_secs()
        ));
    };
    output.wait_for(u64::MAX, patience, |_| false);
    let said: Vec<String> = output.since(0).into_iter().map(|l| l.text).collect();
    let said = said.join("\n");
    if !status.success() || said.to_ascii_lowercase().contains("error") {
        return Err(format!(
            "{requests} × {command} from {clients} clients failed ({status}): {}",
            said.replace('\r', "\n").trim()
        ));
    }
    Ok(())
}
