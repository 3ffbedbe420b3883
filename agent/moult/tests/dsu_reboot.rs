//! Thread reboot (step3-ex4), switch of main, and rollback of both.
//! One process per test file; every test uses its own thread names and logs.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use moult::dsu::{Main, ThreadReboot};
use moult::protocol::{Outcome, ThreadState};
use moult::{Update, UpdateContext, UpdateError};

const WAIT: Duration = Duration::from_secs(20);

type Log = Arc<Mutex<Vec<String>>>;

fn push(log: &Log, line: impl Into<String>) {
    log.lock().unwrap().push(line.into());
}

fn position(log: &Log, line: &str) -> usize {
    let lines = log.lock().unwrap();
    lines
        .iter()
        .position(|l| l == line)
        .unwrap_or_else(|| panic!("`{line}` not in {lines:?}"))
}

fn wait_logged(log: &Log, line: &str) {
    let deadline = Instant::now() + WAIT;
    while !log.lock().unwrap().iter().any(|l| l == line) {
        assert!(Instant::now() < deadline, "`{line}` never logged");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn gettid() -> i32 {
    // SAFETY: no preconditions.
    unsafe { libc_gettid() }
}

unsafe extern "C" {
    #[link_name = "gettid"]
    fn libc_gettid() -> i32;
}

/// Logs `what` when dropped (on a stack, or in a thread-local).
struct Logged {
    log: Log,
    what: String,
}

impl Drop for Logged {
    fn drop(&mut self) {
        push(&self.log, format!("{} dropped", self.what));
    }
}

thread_local! {
    static OLD_MAIN_TLS: RefCell<Option<Logged>> = const { RefCell::new(None) };
}

/// A hello-style main: a thread-local and a stack value with destructors,
/// then a loop with an update point until `stop`.
fn hello_main(version: &'static str, log: Log, stop: Arc<AtomicBool>, tid: Arc<AtomicI32>) -> Main {
    Main::new(move || {
        OLD_MAIN_TLS.with(|t| {
            *t.borrow_mut() = Some(Logged {
                log: log.clone(),
                what: format!("tls {version}"),
            })
        });
        let _stack = Logged {
            log: log.clone(),
            what: format!("stack {version}"),
        };
        tid.store(gettid(), Ordering::SeqCst);
        push(&log, format!("main {version} start"));
        while !stop.load(Ordering::Relaxed) {
            moult::update_point!("hello");
            std::thread::sleep(Duration::from_micros(200));
        }
    })
}

#[test]
fn reboot_unwinds_drops_thread_locals_and_restarts_on_the_new_main() {
    let rt = moult::runtime();
    let log: Log = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let tid = Arc::new(AtomicI32::new(0));
    let v0 = hello_main("v0", log.clone(), stop.clone(), tid.clone());
    let t = moult::dsu::spawn_main("reboot-hello", v0).unwrap();
    wait_logged(&log, "main v0 start");
    let tid0 = tid.load(Ordering::SeqCst);

    let v1 = hello_main("v1", log.clone(), stop.clone(), tid.clone());
    let update = ThreadReboot::new("reboot-hello")
        .onto(v1)
        .tries(500, Duration::from_millis(2));
    let id = rt.submit(Box::new(update));
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
    wait_logged(&log, "main v1 start");

    // Stack destructors ran during the unwind, the old main's thread-locals
    // when its OS thread exited, and only then did the new main start.
    let stack = position(&log, "stack v0 dropped");
    let tls = position(&log, "tls v0 dropped");
    let start = position(&log, "main v1 start");
    assert!(stack < tls && tls < start, "{:?}", log.lock().unwrap());
    assert_ne!(
        tid.load(Ordering::SeqCst),
        tid0,
        "a new OS thread runs the record"
    );
    let info = t.info();
    assert_eq!((info.main_version, info.reboots), (1, 1));
    assert_eq!(info.state, ThreadState::Running);

    // Reboot onto the current main: same version, one more reboot.
    let id = rt.submit(Box::new(
        ThreadReboot::new("reboot-hello")
            .named("reboot hello again")
            .tries(500, Duration::from_millis(2)),
    ));
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
    let info = t.info();
    assert_eq!((info.main_version, info.reboots), (1, 2));
    // Over means the thread runs again; its main logs its start just after
    // (the wait-over wakes on the state change, so it may not have yet).
    let starts = || {
        log.lock()
            .unwrap()
            .iter()
            .filter(|l| *l == "main v1 start")
            .count()
    };
    let deadline = Instant::now() + WAIT;
    while starts() < 2 {
        assert!(Instant::now() < deadline, "main v1 never started again");
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(starts(), 2);

    stop.store(true, Ordering::SeqCst);
    assert!(t.join(WAIT));
    assert_eq!(t.state(), ThreadState::Finished);
}

/// Requests a switch of main (and optionally a reboot), then maybe fails.
struct SwitchUpdate {
    name: &'static str,
    thread: &'static str,
    main: Main,
    reboot: bool,
    fail: bool,
}

impl Update for SwitchUpdate {
    fn name(&self) -> &str {
        self.name
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.switch_main(self.thread, self.main.clone())?;
        if self.reboot {
            ctx.reboot(self.thread, None)?;
        }
        if self.fail {
            return Err(UpdateError::Failed("refused on purpose".into()));
        }
        Ok(())
    }
}

#[test]
fn switch_main_takes_effect_when_the_current_main_returns() {
    let rt = moult::runtime();
    let log: Log = Arc::default();
    let (go_a, tid_a, tid_b) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicI32::new(0)),
        Arc::new(AtomicI32::new(0)),
    );
    let (l, g, ta) = (log.clone(), go_a.clone(), tid_a.clone());
    let t = moult::dsu::spawn("switch", move || {
        ta.store(gettid(), Ordering::SeqCst);
        push(&l, "a start");
        while !g.load(Ordering::Relaxed) {
            moult::update_point!("a");
            std::thread::sleep(Duration::from_micros(200));
        }
        push(&l, "a end");
    })
    .unwrap();
    wait_logged(&log, "a start");
    let (l, tb) = (log.clone(), tid_b.clone());
    let b = Main::new(move || {
        tb.store(gettid(), Ordering::SeqCst);
        push(&l, "b ran");
    });
    let id = rt.submit(Box::new(SwitchUpdate {
        name: "switch a to b",
        thread: "switch",
        main: b,
        reboot: false,
        fail: false,
    }));
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
    // Nothing happens until main a returns by itself.
    assert!(!log.lock().unwrap().iter().any(|l| l == "b ran"));
    assert_eq!(t.info().main_version, 0);
    go_a.store(true, Ordering::SeqCst);
    assert!(t.join(WAIT));
    assert!(position(&log, "a end") < position(&log, "b ran"));
    assert_eq!(tid_a.load(Ordering::SeqCst), tid_b.load(Ordering::SeqCst));
    let info = t.info();
    assert_eq!((info.main_version, info.reboots), (1, 0));
}

#[test]
fn a_rolled_back_update_cancels_its_reboot_and_switch() {
    let rt = moult::runtime();
    let log: Log = Arc::default();
    let (stop, passes) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicU64::new(0)),
    );
    let (s, p, l) = (stop.clone(), passes.clone(), log.clone());
    let t = moult::dsu::spawn("rollback", move || {
        push(&l, "original start");
        while !s.load(Ordering::Relaxed) {
            moult::update_point!("spin");
            p.fetch_add(1, Ordering::Relaxed);
        }
    })
    .unwrap();
    wait_logged(&log, "original start");
    let l = log.clone();
    let id = rt.submit(Box::new(SwitchUpdate {
        name: "switch and reboot, then fail",
        thread: "rollback",
        main: Main::new(move || push(&l, "replacement ran")),
        reboot: true,
        fail: true,
    }));
    let outcome = rt.wait(id, WAIT).unwrap();
    let Outcome::RolledBack(why) = &outcome else {
        panic!("expected a rollback, got {outcome:?}")
    };
    assert!(
        why.contains("reboot of DSU thread rollback cancelled"),
        "{why}"
    );
    assert!(
        why.contains("main switch of DSU thread rollback cancelled"),
        "{why}"
    );

    // The thread goes on through many update points without rebooting...
    let base = passes.load(Ordering::SeqCst);
    let deadline = Instant::now() + WAIT;
    while passes.load(Ordering::SeqCst) < base + 10_000 {
        assert!(Instant::now() < deadline);
        std::thread::yield_now();
    }
    let info = t.info();
    assert_eq!(
        (info.state, info.main_version, info.reboots),
        (ThreadState::Running, 0, 0)
    );
    // ...and finishes when its main returns: no switch left pending.
    stop.store(true, Ordering::SeqCst);
    assert!(t.join(WAIT));
    assert_eq!(t.info().main_version, 0);
    assert_eq!(
        log.lock().unwrap().as_slice(),
        ["original start".to_string()]
    );
}

#[test]
fn a_switch_followed_by_a_reboot_restarts_on_the_switched_main() {
    let rt = moult::runtime();
    let log: Log = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let (s, l) = (stop.clone(), log.clone());
    let t = moult::dsu::spawn("switch-reboot", move || {
        push(&l, "first start");
        while !s.load(Ordering::Relaxed) {
            moult::update_point!("p");
            std::thread::sleep(Duration::from_micros(200));
        }
    })
    .unwrap();
    wait_logged(&log, "first start");
    let (s, l) = (stop.clone(), log.clone());
    let id = rt.submit(Box::new(SwitchUpdate {
        name: "switch then reboot",
        thread: "switch-reboot",
        main: Main::new(move || {
            push(&l, "second start");
            while !s.load(Ordering::Relaxed) {
                moult::update_point!("p");
                std::thread::sleep(Duration::from_micros(200));
            }
        }),
        reboot: true,
        fail: false,
    }));
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
    wait_logged(&log, "second start");
    assert!(t.wait_for(WAIT, |i| i.reboots == 1 && i.state == ThreadState::Running));
    assert_eq!(t.info().main_version, 1);
    stop.store(true, Ordering::SeqCst);
    assert!(t.join(WAIT));
}

#[test]
fn a_panicking_main_finishes_its_thread_and_is_reported() {
    let rt = moult::runtime();
    let cursor = rt.events().cursor();
    let t = moult::dsu::spawn("panicky", || panic!("main gave up")).unwrap();
    assert!(t.join(WAIT));
    assert_eq!(t.state(), ThreadState::Finished);
    let events = rt.events().since(cursor).events;
    assert!(events.iter().any(|e| matches!(&e.kind,
        moult::protocol::EventKind::Log { message, .. }
            if message.contains("panicky") && message.contains("main gave up"))));
    // A finished thread's name can be used again.
    let again = moult::dsu::spawn("panicky", || {}).unwrap();
    assert!(again.join(WAIT));
}
