//! A client writing new keys one after another while the update applies:
//! one `redis-cli` fed `SET <prefix>:<i> <prefix>-<i>` lines on its
//! standard input. Once stopped, every SET must have answered OK and every
//! key must read back — no write lost across the swap.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::tutorial::output_log::OutputLog;

use super::redis_cli::not_installed;

/// How long the writer waits between two SETs: a steady trickle that spans
/// the update, not a flood that would crowd out the benchmark.
const PACE: Duration = Duration::from_millis(2);

/// The most SETs it sends (about 40 s at its pace: far longer than an
/// update takes).
const MOST: usize = 20_000;

/// The running writer; killed when dropped.
#[derive(Debug)]
pub struct Writer {
    child: Child,
    answers: OutputLog,
    stop: Arc<AtomicBool>,
    sender: Option<JoinHandle<usize>>,
    prefix: String,
}

impl Writer {
    /// Starts writing keys `<prefix>:0`, `<prefix>:1`, … to `127.0.0.1:port`.
    pub fn start(port: u16, prefix: &str) -> Result<Writer, String> {
        let mut child = Command::new("redis-cli")
            .args(["-p", &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| not_installed("redis-cli", &e))?;
        let answers = OutputLog::capture(child.stdout.take().expect("stdout is piped"));
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let key = prefix.to_string();
        let sender = std::thread::spawn(move || {
            let mut sent = 0;
            while sent < MOST && !stopped.load(Ordering::Relaxed) {
                if writeln!(stdin, "SET {key}:{sent} {key}-{sent}").is_err() {
                    break;
                }
                sent += 1;
                std::thread::sleep(PACE);
            }
            sent
        });
        Ok(Writer {
            child,
            answers,
            stop,
            sender: Some(sender),
            prefix: prefix.to_string(),
        })
    }

    /// Stops writing and waits for every answer; `Ok` with the keys
    /// written, `Err` if a SET did not answer OK (or the writer's
    /// connection broke).
    pub fn stop(mut self, patience: Duration) -> Result<usize, String> {
        self.stop.store(true, Ordering::Relaxed);
        let sent = self.sender.take().and_then(|s| s.join().ok()).unwrap_or(0);
        // Its stdin closed with the thread: redis-cli ends once it answered.
        let deadline = Instant::now() + patience;
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) => break,
                _ if Instant::now() >= deadline => {
                    return Err(format!(
                        "the client writing keys got no answer to its last SETs within {}s: \
                         the server is stuck",
                        patience.as_secs()
                    ));
                }
                _ => std::thread::sleep(Duration::from_millis(5)),
            }
        }
        self.answers.wait_for(u64::MAX, patience, |_| false);
        let answers: Vec<String> = self.answers.since(0).into_iter().map(|l| l.text).collect();
        if let Some((i, bad)) = answers.iter().enumerate().find(|(_, a)| *a != "OK") {
            return Err(format!(
                "SET {}:{i}, sent while the update applied, answered {bad:?} instead of OK",
                self.prefix
            ));
        }
        if answers.len() != sent {
            return Err(format!(
                "the client writing keys sent {sent} SETs while the update applied and got \
                 {} answers: the server dropped its connection",
                answers.len()
            ));
        }
        Ok(sent)
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
