//! The last lines a child wrote to its stderr: ssh says there why it could
//! not connect or why the connection ended, and the bridge says why it could
//! not reach the agent.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Lines kept: ssh's reasons are a line or two, after a few warnings.
const KEEP: usize = 40;

/// A thread collecting a stream's lines, keeping the last forty.
pub struct StderrTail {
    /// The lines so far, oldest first.
    lines: Arc<Mutex<VecDeque<String>>>,
    /// The collecting thread; it ends when the stream does.
    thread: Option<JoinHandle<()>>,
}

impl StderrTail {
    /// Starts collecting `stream`.
    pub fn collect(stream: impl Read + Send + 'static) -> StderrTail {
        let lines = Arc::new(Mutex::new(VecDeque::new()));
        let kept = Arc::clone(&lines);
        let thread = std::thread::Builder::new()
            .name("moult-console remote stderr".into())
            .spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { return };
                    let mut kept = kept.lock().unwrap_or_else(|p| p.into_inner());
                    if kept.len() == KEEP {
                        kept.pop_front();
                    }
                    kept.push_back(line);
                }
            })
            .ok();
        StderrTail { lines, thread }
    }

    /// Everything kept, once the stream ended or `within` passed (a
    /// process the child left behind may hold the stream open).
    pub fn text(&mut self, within: Duration) -> String {
        if let Some(thread) = self.thread.take() {
            let deadline = Instant::now() + within;
            while !thread.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
        let lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        lines.iter().cloned().collect::<Vec<_>>().join("\n")
    }
}
