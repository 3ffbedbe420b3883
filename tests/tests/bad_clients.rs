//! Bad clients all at once against a live e2e-app, while a good client keeps
//! asking: random bytes, truncated JSON, a 100 MiB line, thousands of
//! connections opened and dropped, a subscriber that never reads (with the
//! app emitting events). Measured: the app's own pace (calls its background
//! thread makes, `ticks`, per second) before and during the attack, printed
//! with the figures sent (connections, bytes). Asserted: only invariants — the
//! app keeps ticking, every good request gets its exact reply, and afterwards
//! the agent serves again with its threads back to where they were.
//! (socket.rs covers each bad client alone; this is the combined load.)
//!
//! Run: `cargo test -p moult-e2e --test bad_clients -- --nocapture` (figures
//! on stderr). Scale with `MOULT_BAD_CONNECTIONS` (default 5000) and
//! `MOULT_BAD_LINE_MB` (default 100).

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use moult_e2e::{App, Client, build};
use moult_protocol::{ErrorCode, Request, Response, ServerMessage};

fn app_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| build(&["e2e-app"]).join("e2e-app"))
        .clone()
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `(background calls, worker rounds)` so far.
fn ticks(app: &mut App) -> u64 {
    let reply = app.ask("ticks");
    reply
        .strip_prefix("ticks ")
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("bad ticks reply {reply:?}"))
}

/// Bytes every attacker sent and connections they opened.
#[derive(Default)]
struct Sent {
    bytes: AtomicU64,
    connections: AtomicU64,
}

impl Sent {
    fn connect(&self, socket: &Path) -> Option<UnixStream> {
        let s = UnixStream::connect(socket).ok()?;
        self.connections.fetch_add(1, Ordering::Relaxed);
        Some(s)
    }
    fn write(&self, s: &mut UnixStream, bytes: &[u8]) -> bool {
        let ok = s.write_all(bytes).is_ok();
        if ok {
            self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        }
        ok
    }
}

/// Deterministic pseudo-random bytes (xorshift64).
fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[test]
fn every_bad_client_at_once_leaves_the_app_at_pace_and_the_good_client_answered() {
    let connections = env_or("MOULT_BAD_CONNECTIONS", 5000);
    let line_mb = env_or("MOULT_BAD_LINE_MB", 100);
    let mut app = App::start(&app_binary());
    let socket = app.socket();
    let pid = app.pid();
    let threads_before = thread_count(pid);
    let rss_before = status_kib(pid, "VmRSS:");
    let mut good = Client::hello(&socket);
    let mut never_reads = Client::hello(&socket);
    assert!(matches!(
        never_reads.request(Request::Subscribe),
        ServerMessage::Ok {
            result: Response::Subscribed { .. },
            ..
        }
    ));
    // The 100 MiB line's and the random bytes' connections say hello first,
    // so they hold slots during the storm.
    let mut long_line = Client::hello(&socket);
    let random_clients: Vec<Client> = (0..8).map(|_| Client::hello(&socket)).collect();

    // Pace before: background calls over one second.
    let (t0, at0) = (ticks(&mut app), Instant::now());
    std::thread::sleep(Duration::from_secs(1));
    let pace_before = (ticks(&mut app) - t0) as f64 / at0.elapsed().as_secs_f64();

    let sent = Arc::new(Sent::default());
    let done = Arc::new(AtomicBool::new(false));
    let (t1, at1) = (ticks(&mut app), Instant::now());
    let mut attackers = Vec::new();
    // Random bytes: 8 connections (admitted: hello first) × 1 MiB each, in
    // 4 KiB writes, never reading the error replies; counted as accepted.
    let random_accepted = Arc::new(AtomicU64::new(0));
    for (seed, mut c) in (0..8u64).zip(random_clients) {
        let (sent, accepted) = (sent.clone(), random_accepted.clone());
        sent.connections.fetch_add(1, Ordering::Relaxed);
        attackers.push(std::thread::spawn(move || {
            for chunk in random_bytes(seed + 1, 1 << 20).chunks(4096) {
                if c.send_raw(chunk).is_err() {
                    break;
                }
                sent.bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                accepted.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            }
        }));
    }
    // Truncated JSON: 1 000 connections hanging up mid-message.
    {
        let (sent, socket) = (sent.clone(), socket.clone());
        attackers.push(std::thread::spawn(move || {
            for _ in 0..1000 {
                if let Some(mut s) = sent.connect(&socket) {
                    sent.write(&mut s, b"{\"id\":1,\"cmd\":\"snaps");
                }
            }
        }));
    }
    // Connections opened and dropped, from two threads.
    for _ in 0..2 {
        let (sent, socket) = (sent.clone(), socket.clone());
        attackers.push(std::thread::spawn(move || {
            for _ in 0..connections / 2 {
                drop(sent.connect(&socket));
            }
        }));
    }
    // The 100 MiB line, refused as too long; the connection goes on.
    let long = {
        let sent = sent.clone();
        std::thread::spawn(move || {
            let chunk = vec![b'x'; 1 << 20];
            for _ in 0..line_mb {
                long_line.send_raw(&chunk).expect("send the long line");
                sent.bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            }
            long_line.send_raw(b"\n").unwrap();
            let ServerMessage::Error { id, error } = long_line.reply() else {
                panic!("the long line was not refused")
            };
            assert_eq!((id, error.code), (None, ErrorCode::TooLong), "{error:?}");
            matches!(
                long_line.request(Request::Snapshot),
                ServerMessage::Ok {
                    result: Response::Snapshot { .. },
                    ..
                }
            )
        })
    };
    // The good client, asking throughout: every answer exact.
    let asker = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut answered = 0u64;
            while !done.load(Ordering::Acquire) || answered == 0 {
                match good.request(Request::Snapshot) {
                    ServerMessage::Ok {
                        result: Response::Snapshot { snapshot },
                        ..
                    } => assert_eq!(snapshot.agent.pid, pid),
                    other => panic!("the good client got {other:?}"),
                }
                answered += 1;
            }
            (answered, good)
        })
    };
    // The app's main thread meanwhile emits events for the never-reading
    // subscriber and answers on stdin.
    let mut greets = 0;
    let mut spammed = 0;
    while !attackers.iter().all(|a| a.is_finished()) || !long.is_finished() {
        assert_eq!(app.ask("spam 5000"), "spam 5000");
        spammed += 5000;
        assert_eq!(app.ask("greet"), "greet hello world");
        greets += 1;
    }
    for a in attackers {
        a.join().expect("an attacker panicked");
    }
    let long_line_served_after = long.join().expect("the long-line client panicked");
    let during = at1.elapsed();
    let pace_during = (ticks(&mut app) - t1) as f64 / during.as_secs_f64();
    done.store(true, Ordering::Release);
    let (answered, mut good) = asker.join().expect("the good client panicked");

    assert!(long_line_served_after, "served after the long line");
    assert!(pace_during > 0.0, "the app's own thread kept calling");
    assert!(answered > 0 && greets > 0);
    // Afterwards: the same good connection still answers exactly, and once
    // every client hung up the agent's threads go back to what they were.
    match good.request(Request::Snapshot) {
        ServerMessage::Ok {
            result: Response::Snapshot { snapshot },
            ..
        } => assert_eq!(snapshot.agent.pid, pid),
        other => panic!("after the attack the good client got {other:?}"),
    }
    drop((never_reads, good));
    let settled = (0..200).any(|_| {
        std::thread::sleep(Duration::from_millis(50));
        thread_count(pid) <= threads_before
    });
    assert!(
        settled,
        "threads back to {threads_before}: {}",
        thread_count(pid)
    );
    assert_eq!(app.ask("greet"), "greet hello world");
    assert!(app.alive());
    eprintln!(
        "bad_clients: app memory: VmRSS {rss_before} KiB before, {} KiB after, peak VmHWM {} KiB",
        status_kib(pid, "VmRSS:"),
        status_kib(pid, "VmHWM:")
    );
    eprintln!(
        "bad_clients: random bytes accepted {} of {}",
        random_accepted.load(Ordering::Relaxed),
        8u64 << 20
    );
    eprintln!(
        "bad_clients: {} connections, {} bytes sent in {:.2} s; {spammed} events emitted; \
         good client: {answered} snapshots + {greets} stdin greets answered exactly; \
         app pace {pace_before:.0}/s before, {pace_during:.0}/s during (ratio {:.2})",
        sent.connections.load(Ordering::Relaxed) + 3,
        sent.bytes.load(Ordering::Relaxed),
        during.as_secs_f64(),
        pace_during / pace_before
    );
}

/// A numeric field of `/proc/<pid>/status` (e.g. `Threads:`, `VmRSS:` in KiB).
fn status_field(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

fn thread_count(pid: u32) -> usize {
    status_field(pid, "Threads:") as usize
}

fn status_kib(pid: u32, field: &str) -> u64 {
    status_field(pid, field)
}
