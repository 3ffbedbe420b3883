//! Stress: threads call a hot function non-stop while it is redefined 20
//! times; no caller ever sees half an update and no call is lost.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use moult::protocol::Outcome;
use moult::{ThreadFilter, Update, UpdateContext, UpdateError};

const WAIT: Duration = Duration::from_secs(20);

/// Version installed most recently by an update's `apply` (while callers are held).
static INSTALLED: AtomicU32 = AtomicU32::new(0);
/// Calls that ran an older version than the one installed when they started or ended.
static VIOLATIONS: AtomicU32 = AtomicU32::new(0);
/// Calls counted inside the versions themselves.
static BODY_CALLS: AtomicU32 = AtomicU32::new(0);

fn versioned<const K: u32>(spin: u32) -> u32 {
    BODY_CALLS.fetch_add(1, Ordering::Relaxed);
    if INSTALLED.load(Ordering::SeqCst) > K {
        VIOLATIONS.fetch_add(1, Ordering::Relaxed);
    }
    for _ in 0..spin {
        std::hint::spin_loop();
    }
    if INSTALLED.load(Ordering::SeqCst) > K {
        VIOLATIONS.fetch_add(1, Ordering::Relaxed);
    }
    K
}

#[moult::hot]
fn work(spin: u32) -> u32 {
    versioned::<0>(spin)
}

/// Gate, wait for quiescence, swap, and publish the version while held.
struct Step {
    name: String,
    version: u32,
    new: fn(u32) -> u32,
}

impl Update for Step {
    fn name(&self) -> &str {
        &self.name
    }
    fn sleep_time(&self) -> Duration {
        Duration::from_millis(1)
    }
    fn max_tries(&self) -> u32 {
        1000
    }
    fn check_alterability(&mut self, ctx: &mut UpdateContext) -> moult::Alterability {
        let f = moult::hot_fn!(work).unwrap();
        ctx.close_gate(f).unwrap();
        moult::Alterability::from_blockers(ctx.quiescence(f, &ThreadFilter::All))
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.redefine(moult::hot_fn!(work)?, self.new);
        INSTALLED.store(self.version, Ordering::SeqCst);
        Ok(())
    }
}

macro_rules! versions {
    ($($k:literal),*) => { [$(versioned::<$k> as fn(u32) -> u32),*] };
}

#[test]
fn stress_no_caller_sees_half_an_update_and_no_call_is_lost() {
    let rt = moult::init();
    let table = versions!(
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20
    );
    const THREADS: usize = 6;
    let stop = Arc::new(AtomicBool::new(false));
    let start = Arc::new(Barrier::new(THREADS + 1));
    // Callers stay alive until their per-thread counters were read (a thread's
    // table leaves the registry when it exits).
    let finish = Arc::new(Barrier::new(THREADS + 1));
    let callers: Vec<_> = (0..THREADS)
        .map(|i| {
            let (stop, start, finish) = (stop.clone(), start.clone(), finish.clone());
            std::thread::Builder::new()
                .name(format!("caller-{i}"))
                .spawn(move || {
                    start.wait();
                    let (mut calls, mut regressions) = (0u32, 0u32);
                    let mut last = 0;
                    while !stop.load(Ordering::Relaxed) {
                        let reported = INSTALLED.load(Ordering::SeqCst);
                        let v = work((calls % 7) * 50);
                        // A call started after version `reported` was installed never runs an older one,
                        // and versions seen by one thread never go backwards.
                        if v < reported || v < last {
                            regressions += 1;
                        }
                        last = v;
                        calls += 1;
                    }
                    finish.wait();
                    finish.wait();
                    (calls, regressions)
                })
                .unwrap()
        })
        .collect();
    start.wait();
    for (k, new) in table.iter().enumerate() {
        let version = k as u32 + 1;
        let id = rt.submit(Box::new(Step {
            name: format!("work v{version}"),
            version,
            new: *new,
        }));
        assert_eq!(
            rt.wait(id, WAIT),
            Some(Outcome::Applied),
            "update to v{version}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    stop.store(true, Ordering::Relaxed);
    finish.wait();
    let info = rt
        .functions()
        .into_iter()
        .find(|f| f.name == "hot_stress::work")
        .unwrap();
    let counted: u64 = info
        .threads
        .iter()
        .filter(|t| t.thread.starts_with("caller-"))
        .map(|t| t.calls)
        .sum();
    finish.wait();
    let mut total = 0;
    for c in callers {
        let (calls, regressions) = c.join().unwrap();
        assert_eq!(
            regressions, 0,
            "a caller saw an older version after an update was reported"
        );
        assert!(calls > 0);
        total += calls;
    }
    assert_eq!(
        VIOLATIONS.load(Ordering::SeqCst),
        0,
        "an old version ran while a newer one was installed"
    );
    assert_eq!(
        BODY_CALLS.load(Ordering::SeqCst),
        total,
        "calls lost or duplicated"
    );
    assert_eq!(work(0), 20);
    let f = moult::hot_fn!(work).unwrap();
    assert_eq!(f.version(), 20);
    assert_eq!(
        counted,
        u64::from(total),
        "per-thread call counters match the callers' own counts"
    );
}
