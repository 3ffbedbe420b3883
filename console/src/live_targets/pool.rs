//! The connections of a live table: a bounded pool of worker threads that
//! keep one connection per target and poll it.
//!
//! Why a pool of threads and not tokio: the console's [`Client`] is
//! synchronous (its reader thread decodes lines, `recv` takes a deadline)
//! and a remote target's transport is an ssh child process, so an async
//! runtime would wrap the same blocking calls and buy nothing. What must
//! not happen is one slow or dead host holding up the others, or a
//! thousand targets making a thousand pollers: so a fixed number of
//! workers ([`Probes::workers`]) take due targets from one queue; a target
//! that blocks (ssh's 15 s connect timeout) occupies one worker while the
//! others keep the rest of the table live, and each connection is kept
//! open between polls, so a poll is one request, not one ssh handshake.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::member::Member;
use super::report::{News, Report};
use crate::client::Client;
use crate::remote::failure;

/// How often a connected target is polled.
pub const REFRESH: Duration = Duration::from_secs(1);
/// How long after a failure a target is tried again.
pub const RETRY: Duration = Duration::from_secs(3);
/// Workers unless told otherwise: enough that a few dead hosts (each
/// holding a worker up to ssh's connect timeout) leave the rest live.
pub const DEFAULT_WORKERS: usize = 16;

/// What the workers ask each target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probes {
    /// Keep a connection to the target's agent and poll its snapshot.
    pub snapshots: bool,
    /// Run the remote console with these arguments on the target's host
    /// each poll and report its output (the leader's view asks for the
    /// learner's `tutorial progress --json`).
    pub command: Option<Vec<String>>,
    /// How many worker threads at most (fewer when there are fewer targets).
    pub workers: usize,
    /// How long between two polls of a reachable target.
    pub every: Duration,
}

/// The running workers; dropping the pool stops them (each ends after the
/// call it is in, and none reports again once the table is gone).
#[derive(Debug)]
pub struct Pool {
    /// Shared with the workers.
    shared: Arc<Shared>,
}

/// What the workers share.
#[derive(Debug)]
struct Shared {
    /// Targets waiting for their next poll, soonest first.
    due: Mutex<BinaryHeap<Reverse<(Instant, usize)>>>,
    /// Wakes a worker when the queue changes or the pool stops.
    changed: Condvar,
    /// The pool was dropped.
    stop: AtomicBool,
}

/// One target as a worker holds it: its connection between polls.
struct Slot {
    /// The target.
    member: Member,
    /// Its agent's connection, while it lasts.
    client: Option<Client>,
}

impl Pool {
    /// Starts polling `members` as `probes` says; news goes to `reports`.
    pub fn start(members: Vec<Member>, probes: Probes, reports: Sender<Report>) -> Pool {
        let now = Instant::now();
        let shared = Arc::new(Shared {
            due: Mutex::new((0..members.len()).map(|i| Reverse((now, i))).collect()),
            changed: Condvar::new(),
            stop: AtomicBool::new(false),
        });
        let workers = probes.workers.clamp(1, members.len().max(1));
        let slots: Arc<Vec<Mutex<Slot>>> = Arc::new(
            members
                .into_iter()
                .map(|member| {
                    Mutex::new(Slot {
                        member,
                        client: None,
                    })
                })
                .collect(),
        );
        let probes = Arc::new(probes);
        for n in 0..workers {
            let (shared, slots, probes, reports) = (
                shared.clone(),
                slots.clone(),
                probes.clone(),
                reports.clone(),
            );
            let spawned = std::thread::Builder::new()
                .name(format!("moult-console poll {n}"))
                .spawn(move || work(&shared, &slots, &probes, &reports));
            if spawned.is_err() {
                // Fewer workers than asked: the others share the queue.
                break;
            }
        }
        Pool { shared }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.changed.notify_all();
    }
}

/// A worker: takes the next due target, polls it, puts it back with its
/// next due time, until the pool stops or the table is gone.
fn work(shared: &Shared, slots: &[Mutex<Slot>], probes: &Probes, reports: &Sender<Report>) {
    loop {
        let Some(index) = next_due(shared) else {
            return;
        };
        let reports_of = |news: News| reports.send(Report { index, news }).is_ok();
        let mut slot = slots[index].lock().unwrap_or_else(|p| p.into_inner());
        let (alive, ok) = poll(&mut slot, probes, &reports_of);
        drop(slot);
        if !alive {
            return;
        }
        let wait = if ok { probes.every } else { RETRY };
        let mut due = shared.due.lock().unwrap_or_else(|p| p.into_inner());
        due.push(Reverse((Instant::now() + wait, index)));
        shared.changed.notify_one();
    }
}

/// Waits for the soonest target to be due and takes it; `None` once the
/// pool stopped.
fn next_due(shared: &Shared) -> Option<usize> {
    let mut due = shared.due.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return None;
        }
        let now = Instant::now();
        let wait = match due.peek() {
            Some(Reverse((at, _))) if *at <= now => {
                let Reverse((_, index)) = due.pop()?;
                return Some(index);
            }
            Some(Reverse((at, _))) => *at - now,
            None => Duration::from_secs(1),
        };
        due = shared
            .changed
            .wait_timeout(due, wait)
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
}

/// Polls one target; `(alive, ok)`: `alive` is false once the table is
/// gone, `ok` false when the target could not be reached (retried later).
fn poll(slot: &mut Slot, probes: &Probes, report: &dyn Fn(News) -> bool) -> (bool, bool) {
    let mut ok = true;
    if probes.snapshots {
        let (alive, reached) = poll_agent(slot, report);
        if !alive {
            return (false, false);
        }
        ok &= reached;
    }
    if let Some(args) = &probes.command {
        let news = match run_command(&slot.member, args) {
            Ok(out) => News::Output(out),
            Err(why) => {
                ok = false;
                News::Unreachable(why)
            }
        };
        if !report(news) {
            return (false, false);
        }
    }
    (true, ok)
}

/// Connects if need be, then asks for a snapshot.
fn poll_agent(slot: &mut Slot, report: &dyn Fn(News) -> bool) -> (bool, bool) {
    if slot.client.is_none() {
        match slot.member.route.open() {
            Ok((client, hello)) => {
                slot.client = Some(client);
                if !report(News::Connected(Box::new(hello.agent))) {
                    return (false, false);
                }
            }
            Err(why) => return (report(News::Unreachable(why.to_string())), false),
        }
    }
    let Some(client) = slot.client.as_mut() else {
        return (true, false);
    };
    match client.snapshot() {
        Ok(snapshot) => (report(News::Snapshot(Box::new(snapshot))), true),
        Err(why) => {
            slot.client = None;
            (report(News::Unreachable(why.to_string())), false)
        }
    }
}

/// Runs the console with `args` where `member` is (over its link, or this
/// console's own program for a local target); its stdout, or why not.
fn run_command(member: &Member, args: &[String]) -> Result<String, String> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let (argv, label, console) = match member.route.link() {
        Some(link) => (
            link.argv(&words),
            link.label().to_string(),
            link.console().to_string(),
        ),
        None => {
            let me = std::env::current_exe()
                .map_err(|e| format!("cannot find this console's program: {e}"))?;
            let mut argv = vec![me.display().to_string()];
            argv.extend(args.iter().cloned());
            (argv, "this host".into(), me.display().to_string())
        }
    };
    let (program, rest) = argv.split_first().ok_or("an empty command")?;
    let out = Command::new(program)
        .args(rest)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    match failure::classify(&label, &console, Some(out.status), &stderr) {
        None => Ok(String::from_utf8_lossy(&out.stdout).into_owned()),
        Some(why) => Err(why.to_string()),
    }
}
