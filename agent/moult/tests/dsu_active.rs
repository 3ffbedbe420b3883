//! Active update functions (`run_in_thread`), the registry of DSU threads,
//! and update points outside DSU threads. One process per test file; every
//! test uses its own thread names.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use moult::dsu::{AtUpdatePoints, DsuThread};
use moult::protocol::{EventKind, Outcome, ThreadState};
use moult::{Error, ThreadFilter, Update, UpdateContext, UpdateError};

const WAIT: Duration = Duration::from_secs(20);

fn gettid() -> i32 {
    // SAFETY: no preconditions.
    unsafe { libc_gettid() }
}

unsafe extern "C" {
    #[link_name = "gettid"]
    fn libc_gettid() -> i32;
}

thread_local! {
    /// Set by each test thread's main: proves a closure ran in its context.
    static WHO: Cell<u32> = const { Cell::new(0) };
}

/// A DSU thread that sets `WHO = who`, records its tid, and loops over an
/// update point, counting passes, until `stop`.
fn worker(
    name: &str,
    who: u32,
    stop: Arc<AtomicBool>,
) -> (DsuThread, Arc<AtomicI32>, Arc<AtomicU64>) {
    let tid = Arc::new(AtomicI32::new(0));
    let passes = Arc::new(AtomicU64::new(0));
    let (t, p) = (tid.clone(), passes.clone());
    let thread = moult::dsu::spawn(name, move || {
        WHO.with(|w| w.set(who));
        t.store(gettid(), Ordering::SeqCst);
        while !stop.load(Ordering::Relaxed) {
            moult::update_point!("work");
            p.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(Duration::from_micros(100));
        }
    })
    .unwrap();
    assert!(thread.wait_for(WAIT, |i| i.last_point.is_some()));
    (thread, tid, passes)
}

/// An update whose `apply` runs a closure of the test.
struct Apply<F>(&'static str, F);

impl<F> Update for Apply<F>
where
    F: FnMut(&mut UpdateContext) -> Result<(), UpdateError> + Send + 'static,
{
    fn name(&self) -> &str {
        self.0
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        (self.1)(ctx)
    }
}

fn run(update: impl Update) -> Outcome {
    let rt = moult::runtime();
    let id = rt.submit(Box::new(update));
    rt.wait(id, WAIT).expect("the update ends")
}

#[test]
fn run_in_thread_returns_a_value_computed_on_the_target_thread() {
    let stop = Arc::new(AtomicBool::new(false));
    let (t, tid, _) = worker("active-value", 7, stop.clone());
    let got = Arc::new(Mutex::new(None));
    let g = got.clone();
    let outcome = run(Apply(
        "read thread context",
        move |ctx: &mut UpdateContext| {
            let r = ctx.run_in_thread("active-value", || (WHO.with(Cell::get), gettid()))?;
            *g.lock().unwrap() = Some(r);
            Ok(())
        },
    ));
    assert_eq!(outcome, Outcome::Applied);
    let (who, on) = got.lock().unwrap().take().unwrap();
    assert_eq!(who, 7, "the closure did not see the thread's thread-local");
    assert_eq!(on, tid.load(Ordering::SeqCst));
    assert_ne!(on, gettid());
    stop.store(true, Ordering::SeqCst);
    assert!(t.join(WAIT));
}

#[test]
fn a_panicking_active_function_is_an_error_and_the_thread_keeps_running() {
    let stop = Arc::new(AtomicBool::new(false));
    let (t, _, passes) = worker("active-panic", 8, stop.clone());
    let got = Arc::new(Mutex::new(None));
    let g = got.clone();
    let outcome = run(Apply("panic in thread", move |ctx: &mut UpdateContext| {
        let r: Result<u32, UpdateError> =
            ctx.run_in_thread("active-panic", || panic!("boom in the thread"));
        *g.lock().unwrap() = Some(r);
        Ok(())
    }));
    assert_eq!(outcome, Outcome::Applied);
    let r = got.lock().unwrap().take().unwrap();
    assert!(
        matches!(&r, Err(UpdateError::Panicked(m)) if m.contains("boom in the thread")),
        "{r:?}"
    );
    let base = passes.load(Ordering::SeqCst);
    assert!(t.wait_for(WAIT, |i| i.state == ThreadState::Running));
    let deadline = Instant::now() + WAIT;
    while passes.load(Ordering::SeqCst) < base + 20 {
        assert!(Instant::now() < deadline, "the thread stopped");
        std::thread::sleep(Duration::from_millis(1));
    }
    stop.store(true, Ordering::SeqCst);
    assert!(t.join(WAIT));
}

#[test]
fn a_parked_thread_runs_active_functions_and_stays_parked() {
    let stop = Arc::new(AtomicBool::new(false));
    let (t, _, passes) = worker("active-parked", 9, stop.clone());
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    let update = AtUpdatePoints::new("run while parked", move |ctx: &mut UpdateContext| {
        let before = passes.load(Ordering::SeqCst);
        for i in 0..3 {
            let who = ctx.run_in_thread("active-parked", move || WHO.with(Cell::get) * 10 + i)?;
            g.lock().unwrap().push(who);
        }
        let state = moult::dsu::thread("active-parked").unwrap().state();
        assert_eq!(state, ThreadState::Parked("work".into()));
        assert_eq!(
            passes.load(Ordering::SeqCst),
            before,
            "left the update point"
        );
        Ok(())
    })
    .on_threads(ThreadFilter::Named(vec!["active-parked".into()]))
    .tries(500, Duration::from_millis(2));
    assert_eq!(run(update), Outcome::Applied);
    assert_eq!(*got.lock().unwrap(), vec![90, 91, 92]);
    stop.store(true, Ordering::SeqCst);
    assert!(t.join(WAIT));
}

#[test]
fn an_active_function_times_out_on_a_thread_without_update_points() {
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    let t = moult::dsu::spawn("active-stuck", move || {
        while !s.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(1));
        }
    })
    .unwrap();
    let got = Arc::new(Mutex::new(None));
    let g = got.clone();
    run(Apply(
        "run on a stuck thread",
        move |ctx: &mut UpdateContext| {
            let r = ctx.run_in_thread_within("active-stuck", Duration::from_millis(50), || 1);
            *g.lock().unwrap() = Some(r);
            Ok(())
        },
    ));
    let r = got.lock().unwrap().take().unwrap();
    assert!(
        matches!(&r, Err(UpdateError::Failed(m)) if m.contains("withdrawn")),
        "{r:?}"
    );
    stop.store(true, Ordering::SeqCst);
    assert!(t.join(WAIT));
    // On a finished thread it fails at once.
    let r = run(Apply(
        "run on a finished thread",
        |ctx: &mut UpdateContext| ctx.run_in_thread("active-stuck", || 1).map(drop),
    ));
    assert!(
        matches!(&r, Outcome::RolledBack(m) if m.contains("has finished")),
        "{r:?}"
    );
}

#[test]
fn names_are_unique_and_lookups_list_the_known_threads() {
    let stop = Arc::new(AtomicBool::new(false));
    let (t, _, _) = worker("registry-a", 1, stop.clone());
    let dup = moult::dsu::spawn("registry-a", || {});
    assert_eq!(
        dup.unwrap_err(),
        Error::DuplicateThread("registry-a".into())
    );
    let Err(Error::UnknownThread { name, known }) = moult::dsu::thread("registry-typo") else {
        panic!("lookup of an unknown name succeeded")
    };
    assert_eq!(name, "registry-typo");
    assert!(known.contains("registry-a"), "{known}");
    // Updates naming an unknown thread fail with the same message.
    let r = run(Apply("park a typo", |ctx: &mut UpdateContext| {
        ctx.request_park(&ThreadFilter::Named(vec!["registry-typo".into()]), None)
            .map(drop)
    }));
    assert!(
        matches!(&r, Outcome::RolledBack(m) if m.contains("unknown DSU thread `registry-typo`")),
        "{r:?}"
    );
    let info = moult::runtime()
        .threads()
        .into_iter()
        .find(|i| i.name == "registry-a")
        .unwrap();
    assert_eq!(info.state, ThreadState::Running);
    assert_eq!(info.last_point.as_deref(), Some("work"));
    assert_eq!((info.main_version, info.reboots), (0, 0));
    stop.store(true, Ordering::SeqCst);
    assert!(t.join(WAIT));
}

#[test]
fn state_changes_are_on_the_event_stream() {
    let rt = moult::runtime();
    let cursor = rt.events().cursor();
    let stop = Arc::new(AtomicBool::new(false));
    let (t, _, _) = worker("events", 2, stop.clone());
    let update = AtUpdatePoints::new("park for events", |_: &mut UpdateContext| Ok(()))
        .on_threads(ThreadFilter::Named(vec!["events".into()]))
        .tries(500, Duration::from_millis(2));
    assert_eq!(run(update), Outcome::Applied);
    assert!(t.wait_for(WAIT, |i| i.state == ThreadState::Running));
    stop.store(true, Ordering::SeqCst);
    assert!(t.join(WAIT));
    let states: Vec<ThreadState> = rt
        .events()
        .since(cursor)
        .events
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::ThreadState { thread, state } if thread == "events" => Some(state),
            _ => None,
        })
        .collect();
    assert_eq!(
        states,
        vec![
            ThreadState::Running,
            ThreadState::Parked("work".into()),
            ThreadState::Running,
            ThreadState::Finished
        ]
    );
}

#[test]
fn update_points_do_nothing_outside_dsu_threads() {
    // Not a DSU thread: passes even while every DSU thread is asked to park.
    for _ in 0..1000 {
        moult::update_point!("plain thread");
    }
    let h = std::thread::spawn(|| moult::update_point!("other plain thread"));
    h.join().unwrap();
    assert!(
        !moult::runtime()
            .threads()
            .iter()
            .any(|i| i.last_point.as_deref() == Some("plain thread"))
    );
}

#[test]
fn a_name_the_os_refuses_is_an_error_not_a_panic() {
    let err = moult::dsu::spawn("bad\0name", || {}).unwrap_err();
    assert!(
        matches!(&err, moult::Error::Spawn { name, .. } if name == "bad\0name"),
        "{err}"
    );
    assert!(
        err.to_string().contains("could not start DSU thread"),
        "{err}"
    );
}
