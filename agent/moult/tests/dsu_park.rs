//! DSU threads parking at update points: alterability reached, never
//! reached, and the clock exercise (step3-ex3) invariant. One process per
//! test file; every test uses its own thread names.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use moult::dsu::{AtUpdatePoints, DsuThread};
use moult::protocol::{EventKind, Outcome, ThreadState};
use moult::{Alterability, ThreadFilter, Update, UpdateContext, UpdateError};

const WAIT: Duration = Duration::from_secs(20);

fn named(names: &[String]) -> ThreadFilter {
    ThreadFilter::Named(names.to_vec())
}

/// Spawns a DSU thread that bumps `counter` and passes `update_point!("loop")` until `stop`.
fn looping(name: &str, counter: Arc<AtomicU64>, stop: Arc<AtomicBool>) -> DsuThread {
    moult::dsu::spawn(name, move || {
        while !stop.load(Ordering::Relaxed) {
            counter.fetch_add(1, Ordering::Relaxed);
            moult::update_point!("loop");
        }
    })
    .unwrap()
}

fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn running(t: &DsuThread) -> bool {
    t.wait_for(WAIT, |i| i.state == ThreadState::Running)
}

#[test]
fn threads_park_while_the_update_applies_and_resume_after() {
    let names: Vec<String> = (0..4).map(|i| format!("park-{i}")).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let counters: Vec<Arc<AtomicU64>> = (0..4).map(|_| Arc::new(AtomicU64::new(0))).collect();
    let threads: Vec<DsuThread> = names
        .iter()
        .zip(&counters)
        .map(|(n, c)| looping(n, c.clone(), stop.clone()))
        .collect();
    for t in &threads {
        assert!(t.wait_for(WAIT, |i| i.last_point.as_deref() == Some("loop")));
    }

    let seen = Arc::new(Mutex::new(None));
    let (seen2, counters2, names2) = (seen.clone(), counters.clone(), names.clone());
    let update = AtUpdatePoints::new("park four", move |ctx: &mut UpdateContext| {
        let before: Vec<u64> = counters2.iter().map(|c| c.load(Ordering::SeqCst)).collect();
        std::thread::sleep(Duration::from_millis(30)); // a window for a stray increment
        let after: Vec<u64> = counters2.iter().map(|c| c.load(Ordering::SeqCst)).collect();
        let states: Vec<ThreadState> = ctx
            .runtime()
            .threads()
            .into_iter()
            .filter(|i| names2.contains(&i.name))
            .map(|i| i.state)
            .collect();
        *seen2.lock().unwrap() = Some((before, after, states));
        Ok(())
    })
    .on_threads(named(&names))
    .at_point("loop")
    .tries(200, Duration::from_millis(2));
    let rt = moult::runtime();
    let id = rt.submit(Box::new(update));
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));

    let (before, after, states) = seen.lock().unwrap().take().expect("apply ran");
    assert_eq!(before, after, "a parked thread moved during apply");
    assert_eq!(states, vec![ThreadState::Parked("loop".into()); 4]);

    for (t, c) in threads.iter().zip(&counters) {
        assert!(running(t), "{} stayed parked", t.name());
        let base = c.load(Ordering::SeqCst);
        wait_until("the counter to move again", || {
            c.load(Ordering::SeqCst) > base + 100
        });
    }
    stop.store(true, Ordering::SeqCst);
    for t in &threads {
        assert!(t.join(WAIT));
        assert_eq!(t.state(), ThreadState::Finished);
    }
}

/// Parks the named threads at any point; `apply` only counts that it ran.
struct ParkAll {
    threads: ThreadFilter,
    applied: Arc<AtomicU32>,
}

impl Update for ParkAll {
    fn name(&self) -> &str {
        "park including a stuck thread"
    }
    fn max_tries(&self) -> u32 {
        3
    }
    fn sleep_time(&self) -> Duration {
        Duration::from_millis(10)
    }
    fn preupdate_setup(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.request_park(&self.threads, None).map(drop)
    }
    fn check_alterability(&mut self, ctx: &mut UpdateContext) -> Alterability {
        Alterability::from_blockers(ctx.parked(&self.threads, None))
    }
    fn clean_failed_alterability(&mut self, ctx: &mut UpdateContext) {
        ctx.clean_failed_park();
        ctx.clean_failed_park(); // idempotent
    }
    fn apply(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        self.applied.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[test]
fn a_thread_that_never_reaches_its_point_aborts_the_update_and_frees_the_others() {
    let rt = moult::runtime();
    let stop = Arc::new(AtomicBool::new(false));
    let stuck_stop = Arc::new(AtomicBool::new(false));
    let s = stuck_stop.clone();
    let stuck = moult::dsu::spawn("never-stuck", move || {
        while !s.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(1));
        }
        moult::update_point!("end");
    })
    .unwrap();
    let counters: Vec<Arc<AtomicU64>> = (0..2).map(|_| Arc::new(AtomicU64::new(0))).collect();
    let ok: Vec<DsuThread> = ["never-ok-0", "never-ok-1"]
        .iter()
        .zip(&counters)
        .map(|(n, c)| looping(n, c.clone(), stop.clone()))
        .collect();
    let mut names = vec!["never-stuck".to_string()];
    names.extend(ok.iter().map(|t| t.name().to_string()));

    let cursor = rt.events().cursor();
    let applied = Arc::new(AtomicU32::new(0));
    let id = rt.submit(Box::new(ParkAll {
        threads: named(&names),
        applied: applied.clone(),
    }));
    let outcome = rt.wait(id, WAIT).expect("the update ends");
    let Outcome::Aborted(why) = outcome else {
        panic!("expected an abort, got {outcome:?}")
    };
    assert!(why.contains("never-stuck"), "{why}");
    assert!(why.contains("not at an update point"), "{why}");
    assert!(!why.contains("never-ok"), "{why}");
    assert_eq!(applied.load(Ordering::SeqCst), 0);

    // The healthy threads did park during the attempts...
    let events = rt.events().since(cursor).events;
    for t in &ok {
        assert!(
            events.iter().any(|e| matches!(&e.kind,
                EventKind::ThreadState { thread, state: ThreadState::Parked(_) } if thread == t.name())),
            "{} never parked",
            t.name()
        );
    }
    // ...and none stays parked: they run again.
    for (t, c) in ok.iter().zip(&counters) {
        assert!(running(t), "{} left parked", t.name());
        let base = c.load(Ordering::SeqCst);
        wait_until("a released thread to move", || {
            c.load(Ordering::SeqCst) > base + 100
        });
    }
    // (Other tests of this file park their own threads concurrently.)
    assert!(
        rt.threads()
            .iter()
            .filter(|i| names.contains(&i.name))
            .all(|i| !matches!(i.state, ThreadState::Parked(_)))
    );
    // The stuck thread is not parked when it finally reaches its point.
    stuck_stop.store(true, Ordering::SeqCst);
    assert!(stuck.join(WAIT));
    assert_eq!(stuck.info().last_point.as_deref(), Some("end"));
    stop.store(true, Ordering::SeqCst);
    for t in &ok {
        assert!(t.join(WAIT));
    }
}

// ----- step3-ex3: the clock never stops ticking ---------------------------

#[moult::hot]
fn tic() -> u32 {
    0
}

#[moult::hot]
fn tac() -> u32 {
    0
}

fn tic_even() -> u32 {
    0
}
fn tac_even() -> u32 {
    0
}
fn tic_odd() -> u32 {
    1
}
fn tac_odd() -> u32 {
    1
}

/// A clock hand's fn type.
type Hand = fn() -> u32;

/// The exercise's custom update: park at the loop head, then redefine both.
struct ClockUpdate {
    odd: bool,
}

impl Update for ClockUpdate {
    fn name(&self) -> &str {
        if self.odd { "clock odd" } else { "clock even" }
    }
    fn max_tries(&self) -> u32 {
        2000
    }
    fn sleep_time(&self) -> Duration {
        Duration::from_micros(200)
    }
    fn preupdate_setup(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        let clock = ThreadFilter::Named(vec!["clock".into()]);
        ctx.request_park(&clock, Some("loop head")).map(drop)
    }
    fn check_alterability(&mut self, ctx: &mut UpdateContext) -> Alterability {
        let clock = ThreadFilter::Named(vec!["clock".into()]);
        Alterability::from_blockers(ctx.parked(&clock, Some("loop head")))
    }
    fn clean_failed_alterability(&mut self, ctx: &mut UpdateContext) {
        ctx.clean_failed_park();
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        let (tic_new, tac_new): (Hand, Hand) = if self.odd {
            (tic_odd, tac_odd)
        } else {
            (tic_even, tac_even)
        };
        ctx.redefine(moult::hot_fn!(tic)?, tic_new);
        ctx.redefine(moult::hot_fn!(tac)?, tac_new);
        Ok(())
    }
}

#[test]
#[cfg_attr(miri, ignore = "Miri: too slow (over 5 minutes)")]
fn the_clock_never_mixes_an_old_tic_with_a_new_tac() {
    const UPDATES: u32 = 200;
    let iterations = Arc::new(AtomicU64::new(0));
    let mixed = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (it, mx, st) = (iterations.clone(), mixed.clone(), stop.clone());
    let clock = moult::dsu::spawn("clock", move || {
        while !st.load(Ordering::Relaxed) {
            moult::update_point!("loop head");
            let a = tic();
            std::thread::yield_now(); // widen the tic..tac window
            moult::update_point!("between"); // a point the update must not use
            let b = tac();
            if a != b {
                mx.fetch_add(1, Ordering::Relaxed);
            }
            it.fetch_add(1, Ordering::Relaxed);
        }
    })
    .unwrap();

    let rt = moult::runtime();
    for n in 1..=UPDATES {
        let id = rt.submit(Box::new(ClockUpdate { odd: n % 2 == 1 }));
        assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied), "update {n}");
        let base = iterations.load(Ordering::SeqCst);
        wait_until("the clock to tick after an update", || {
            iterations.load(Ordering::SeqCst) > base
        });
    }
    stop.store(true, Ordering::SeqCst);
    assert!(clock.join(WAIT));
    assert_eq!(
        mixed.load(Ordering::SeqCst),
        0,
        "a tic and a tac of different versions ran in one iteration"
    );
    assert_eq!(moult::hot_fn!(tic).unwrap().version(), UPDATES);
    assert_eq!(moult::hot_fn!(tac).unwrap().version(), UPDATES);
}
