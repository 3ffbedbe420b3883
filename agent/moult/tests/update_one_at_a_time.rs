//! One update at a time per process, whichever manager runs it (issue #13,
//! finding 8): a polled manager installed while the manager thread runs an
//! update waits for it, and two threads polling at once take turns.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use moult::protocol::Outcome;
use moult::update::PolledManager;
use moult::{Update, UpdateContext, UpdateError, UpdateId};

const WAIT: Duration = Duration::from_secs(30);
/// How long an update's apply leaves for another update to start beside it:
/// a window for the bug to show, not a timed assertion.
const WINDOW: Duration = Duration::from_millis(800);

/// The tests below share the process's manager: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());
/// Updates in `apply` right now.
static RUNNING: AtomicU32 = AtomicU32::new(0);
/// Most updates ever seen in `apply` at once.
static MAX_RUNNING: AtomicU32 = AtomicU32::new(0);
/// Updates that entered `apply`.
static STARTED: AtomicU32 = AtomicU32::new(0);

fn reset() {
    RUNNING.store(0, Ordering::SeqCst);
    MAX_RUNNING.store(0, Ordering::SeqCst);
    STARTED.store(0, Ordering::SeqCst);
}

/// Stays in `apply` until another update starts or the window ends.
struct Lingers(&'static str);

impl Update for Lingers {
    fn name(&self) -> &str {
        self.0
    }
    fn apply(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        MAX_RUNNING.fetch_max(now, Ordering::SeqCst);
        let me = STARTED.fetch_add(1, Ordering::SeqCst) + 1;
        let end = Instant::now() + WINDOW;
        while STARTED.load(Ordering::SeqCst) == me && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(5));
        }
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        Ok(())
    }
}

fn done(rt: &moult::Runtime, id: UpdateId) -> bool {
    rt.wait(id, Duration::ZERO).is_some()
}

#[test]
fn installing_a_polled_manager_waits_for_the_update_the_manager_thread_runs() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    reset();
    let rt = moult::init();
    let first = rt.submit(Box::new(Lingers("threaded")));
    while STARTED.load(Ordering::SeqCst) == 0 {
        std::thread::sleep(Duration::from_millis(1));
    }
    let polled = PolledManager::install();
    let second = rt.submit(Box::new(Lingers("polled")));
    while !done(rt, second) {
        polled.poll();
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(rt.wait(first, WAIT), Some(Outcome::Applied));
    assert_eq!(rt.wait(second, WAIT), Some(Outcome::Applied));
    assert_eq!(
        MAX_RUNNING.load(Ordering::SeqCst),
        1,
        "two updates ran at once"
    );
    drop(polled);
}

#[test]
fn two_threads_polling_at_once_run_one_update_at_a_time() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    reset();
    let rt = moult::init();
    let polled = PolledManager::install();
    let ids = [
        rt.submit(Box::new(Lingers("polled a"))),
        rt.submit(Box::new(Lingers("polled b"))),
    ];
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                while !ids.iter().all(|&id| done(rt, id)) {
                    polled.poll();
                    std::thread::sleep(Duration::from_millis(1));
                }
            });
        }
    });
    for id in ids {
        assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
    }
    assert_eq!(
        MAX_RUNNING.load(Ordering::SeqCst),
        1,
        "two updates ran at once"
    );
    drop(polled);
}
