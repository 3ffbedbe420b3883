//! What a demo app printed: its stdout, line by line, numbered, kept in a
//! bounded ring so checks can wait for a line and the output pane can show
//! the tail, while the app runs for hours.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Lines kept; older ones are forgotten (a check reads lines within seconds
/// of their printing, the pane shows a screenful).
pub const CAPACITY: usize = 20_000;

/// One printed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Position in everything the app printed (0 = its first line): a check
    /// asks for the lines after a mark, even when older ones are gone.
    pub seq: u64,
    /// When the console read it.
    pub at: Instant,
    /// The text, without its newline (invalid UTF-8 replaced).
    pub text: String,
}

#[derive(Debug, Default)]
struct Inner {
    lines: VecDeque<Line>,
    next: u64,
    /// The app closed its stdout (it exited).
    closed: bool,
}

/// The output of one app process, shared by its reader thread, the checks and
/// the view. Cloning shares it.
#[derive(Debug, Clone, Default)]
pub struct OutputLog {
    inner: Arc<(Mutex<Inner>, Condvar)>,
}

impl OutputLog {
    /// An empty log.
    pub fn new() -> OutputLog {
        OutputLog::default()
    }

    /// Reads `stream` line by line into a new log, on a thread of its own.
    pub fn capture(stream: impl Read + Send + 'static) -> OutputLog {
        let log = OutputLog::new();
        let writer = log.clone();
        std::thread::Builder::new()
            .name("moult-app-output".into())
            .spawn(move || {
                let mut reader = BufReader::new(stream);
                let mut buf = Vec::new();
                loop {
                    buf.clear();
                    match reader.read_until(b'\n', &mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {
                            let text = String::from_utf8_lossy(&buf);
                            writer.push(text.trim_end_matches(['\n', '\r']).to_string());
                        }
                    }
                }
                writer.close();
            })
            .expect("spawn the output reader");
        log
    }

    /// Appends a line (what the reader thread does; tests feed logs this way).
    pub fn push(&self, text: String) {
        let (lock, cond) = &*self.inner;
        let mut inner = lock.lock().unwrap_or_else(|p| p.into_inner());
        let seq = inner.next;
        inner.next += 1;
        if inner.lines.len() == CAPACITY {
            inner.lines.pop_front();
        }
        inner.lines.push_back(Line {
            seq,
            at: Instant::now(),
            text,
        });
        cond.notify_all();
    }

    /// Marks the end of the output (the app exited).
    pub fn close(&self) {
        let (lock, cond) = &*self.inner;
        lock.lock().unwrap_or_else(|p| p.into_inner()).closed = true;
        cond.notify_all();
    }

    /// `true` once the app closed its stdout.
    pub fn is_closed(&self) -> bool {
        self.inner
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .closed
    }

    /// The sequence number the next line will get: a mark for
    /// [`OutputLog::since`].
    pub fn mark(&self) -> u64 {
        self.inner.0.lock().unwrap_or_else(|p| p.into_inner()).next
    }

    /// The kept lines numbered `mark` or later.
    pub fn since(&self, mark: u64) -> Vec<Line> {
        let inner = self.inner.0.lock().unwrap_or_else(|p| p.into_inner());
        inner
            .lines
            .iter()
            .filter(|l| l.seq >= mark)
            .cloned()
            .collect()
    }

    /// The last `n` lines.
    pub fn tail(&self, n: usize) -> Vec<Line> {
        let inner = self.inner.0.lock().unwrap_or_else(|p| p.into_inner());
        let skip = inner.lines.len().saturating_sub(n);
        inner.lines.iter().skip(skip).cloned().collect()
    }

    /// Waits until a line numbered `mark` or later satisfies `found`, and
    /// returns it; `None` at `timeout` or when the app closed its output.
    pub fn wait_for(
        &self,
        mark: u64,
        timeout: Duration,
        mut found: impl FnMut(&str) -> bool,
    ) -> Option<Line> {
        let deadline = Instant::now() + timeout;
        let (lock, cond) = &*self.inner;
        let mut inner = lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut from = mark;
        loop {
            if let Some(line) = inner
                .lines
                .iter()
                .filter(|l| l.seq >= from)
                .find(|l| found(&l.text))
            {
                return Some(line.clone());
            }
            from = from.max(inner.next);
            let now = Instant::now();
            if inner.closed || now >= deadline {
                return None;
            }
            inner = cond
                .wait_timeout(inner, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Waits until at least `count` lines numbered `mark` or later exist (or
    /// `timeout`), and returns the lines from `mark`.
    pub fn wait_count(&self, mark: u64, count: usize, timeout: Duration) -> Vec<Line> {
        let deadline = Instant::now() + timeout;
        let (lock, cond) = &*self.inner;
        let mut inner = lock.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            let have = inner.next.saturating_sub(mark) as usize;
            let now = Instant::now();
            if have >= count || inner.closed || now >= deadline {
                break;
            }
            inner = cond
                .wait_timeout(inner, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        inner
            .lines
            .iter()
            .filter(|l| l.seq >= mark)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_numbered_and_waited_for_from_a_mark() {
        let log = OutputLog::new();
        log.push("a".into());
        let mark = log.mark();
        assert_eq!(mark, 1);
        let writer = log.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            writer.push("b".into());
            writer.push("a".into());
        });
        let found = log.wait_for(mark, Duration::from_secs(5), |l| l == "a");
        t.join().unwrap();
        assert_eq!(
            found.map(|l| l.seq),
            Some(2),
            "the `a` before the mark is not seen"
        );
        let texts: Vec<_> = log.since(mark).into_iter().map(|l| l.text).collect();
        assert_eq!(texts, ["b", "a"]);
    }

    #[test]
    fn a_closed_log_stops_waiting_and_the_ring_forgets_the_oldest() {
        let log = OutputLog::capture(&b"x\ny\r\nz"[..]);
        assert!(
            log.wait_for(0, Duration::from_secs(5), |l| l == "nothing")
                .is_none()
        );
        assert!(log.is_closed());
        let texts: Vec<_> = log.tail(2).into_iter().map(|l| l.text).collect();
        assert_eq!(texts, ["y", "z"]);
        for i in 0..CAPACITY {
            log.push(i.to_string());
        }
        assert_eq!(log.since(0).len(), CAPACITY);
        assert_eq!(log.since(0)[0].text, "0");
    }
}
