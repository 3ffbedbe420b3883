//! Hot functions: macro forms, registry, safe and immediate redefinition,
//! rollback, manager behaviours. One process per test file, so the runtime
//! and its manager queue are shared by the tests below (each uses its own
//! functions).

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use moult::protocol::{EventKind, Outcome};
use moult::update::{ImmediateRedefine, PolledManager, SafeRedefine};
use moult::{Requirements, ThreadFilter, Update, UpdateContext, UpdateError};

const WAIT: Duration = Duration::from_secs(20);

/// Waits until `thread` has an activation of hot function `function` running.
fn wait_active(function: &str, thread: &str) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let info = moult::runtime()
            .functions()
            .into_iter()
            .find(|f| f.name == function)
            .unwrap();
        if info
            .threads
            .iter()
            .any(|t| t.thread == thread && t.active > 0)
        {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{thread} never entered {function}"
        );
        std::thread::yield_now();
    }
}

#[moult::hot]
fn greet(name: &str) -> String {
    format!("hello {name}")
}

fn greet_v2(name: &str) -> String {
    format!("hi {name}")
}

#[moult::hot]
fn never_called(x: u64) -> u64 {
    x
}

#[moult::hot]
fn first<'a>(a: &'a str, _b: &str) -> &'a str {
    a
}

struct Counter {
    n: u32,
}

#[moult::hot_impl]
impl Counter {
    #[hot]
    fn describe(&self) -> String {
        format!("counter at {}", self.n)
    }

    #[hot]
    fn bump(&mut self, by: u32) {
        self.n += by;
    }

    fn plain(&self) -> u32 {
        self.n
    }
}

fn describe_v2(c: &Counter) -> String {
    format!("Counter<{}>", c.plain())
}

#[test]
fn every_hot_function_is_registered_at_start_with_name_and_signature() {
    let rt = moult::init();
    let names: Vec<String> = rt.functions().into_iter().map(|f| f.name).collect();
    for expected in [
        "hot_functions::never_called",
        "hot_functions::greet",
        "hot_functions::Counter::describe",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
    let info = rt
        .functions()
        .into_iter()
        .find(|f| f.name == "hot_functions::never_called")
        .unwrap();
    assert_eq!(info.signature, "fn(u64) -> u64");
    assert_eq!(info.version, 0);
    assert!(
        info.threads.is_empty(),
        "never called, so no thread activity"
    );
    assert_eq!(never_called(7), 7);
    assert_eq!(first("a", "b"), "a");
}

#[test]
fn safe_redefine_swaps_a_free_function_and_counts_calls() {
    let rt = moult::init();
    assert_eq!(greet("ana"), "hello ana");
    let func = moult::hot_fn!(greet).unwrap();
    assert_eq!(func.version(), 0);
    let id = rt.submit(Box::new(SafeRedefine::new(
        func,
        greet_v2 as fn(&str) -> String,
    )));
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
    assert_eq!(greet("ana"), "hi ana");
    assert_eq!(func.version(), 1);
    assert!(rt.is_applied("redefine hot_functions::greet"));
    let info = rt
        .functions()
        .into_iter()
        .find(|f| f.name == "hot_functions::greet")
        .unwrap();
    let calls: u64 = info.threads.iter().map(|t| t.calls).sum();
    assert_eq!(calls, 2);
    assert!(info.threads.iter().all(|t| t.active == 0));
}

#[test]
fn methods_are_hot_through_hot_impl() {
    let rt = moult::init();
    let mut c = Counter { n: 1 };
    c.bump(2);
    assert_eq!(c.describe(), "counter at 3");
    let func = moult::hot_fn!(Counter::describe).unwrap();
    assert_eq!(
        func.signature(),
        "fn(&'_ hot_functions::Counter) -> alloc::string::String"
    );
    let id = rt.submit(Box::new(SafeRedefine::new(
        func,
        describe_v2 as fn(&Counter) -> String,
    )));
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
    assert_eq!(c.describe(), "Counter<3>");
}

#[test]
fn lookup_by_name_checks_the_signature() {
    moult::init();
    let err = moult::Func::<fn(u32) -> u32>::by_name("hot_functions::never_called").unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("fn(u64) -> u64") && msg.contains("fn(u32) -> u32"),
        "{msg}"
    );
    let err = moult::Func::<fn(u64) -> u64>::by_name("hot_functions::nope").unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown hot function `hot_functions::nope`"),
        "{err}"
    );
    assert!(
        err.to_string().contains("hot_functions::never_called"),
        "lists known names: {err}"
    );
}

// ---- stress: no caller sees half an update, no call lost -------------------

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
        let blockers = ctx.quiescence(f, &ThreadFilter::All);
        if blockers.is_empty() {
            moult::Alterability::Ready
        } else {
            moult::Alterability::Blocked(blockers)
        }
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
        .find(|f| f.name == "hot_functions::work")
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

// ---- alterability never reached ---------------------------------------------

#[moult::hot]
fn busy(release: &AtomicBool) -> u32 {
    while !release.load(Ordering::Acquire) {
        std::thread::sleep(Duration::from_millis(1));
    }
    0
}

fn busy_v2(_: &AtomicBool) -> u32 {
    2
}

#[test]
fn an_always_active_function_postpones_then_aborts_and_releases_every_caller() {
    let rt = moult::init();
    let release: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let holder = std::thread::Builder::new()
        .name("holder".into())
        .spawn(move || busy(release))
        .unwrap();
    wait_active("hot_functions::busy", "holder");
    let cursor = rt.events().cursor();
    let func = moult::hot_fn!(busy).unwrap();
    let update = SafeRedefine::new(func, busy_v2 as fn(&AtomicBool) -> u32)
        .tries(3, Duration::from_millis(5));
    let id = rt.submit(Box::new(update));
    let outcome = rt.wait(id, WAIT).expect("finishes");
    let Outcome::Aborted(reason) = outcome else {
        panic!("expected abort, got {outcome:?}")
    };
    assert!(reason.contains("postponed 4 times"), "{reason}");
    assert!(
        reason.contains("holder in hot_functions::busy (depth 1)"),
        "names the blocker: {reason}"
    );
    // An alterability event named the blocking thread and function.
    let events = rt.events().since(cursor).events;
    assert!(events.iter().any(|e| matches!(&e.kind, EventKind::Alterability { blockers, .. }
        if blockers.iter().any(|b| b.thread == "holder" && b.function.as_deref() == Some("hot_functions::busy") && b.depth == 1))));
    // The gate is open again: another thread's call is not held, and still runs version 0.
    let info = rt
        .functions()
        .into_iter()
        .find(|f| f.name == "hot_functions::busy")
        .unwrap();
    assert!(!info.gated, "gate left closed");
    let done = AtomicBool::new(true);
    assert_eq!(busy(&done), 0);
    release.store(true, Ordering::Release);
    holder.join().unwrap();
    assert_eq!(func.version(), 0);
}

#[test]
fn a_thread_filter_ignores_activations_on_other_threads() {
    let rt = moult::init();
    let release: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let entered = Arc::new(Barrier::new(2));
    let e = entered.clone();
    let other = std::thread::Builder::new()
        .name("other".into())
        .spawn(move || {
            e.wait();
            filtered(release)
        })
        .unwrap();
    entered.wait();
    wait_active("hot_functions::filtered", "other");
    let func = moult::hot_fn!(filtered).unwrap();
    let update = SafeRedefine::new(func, busy_v2 as fn(&AtomicBool) -> u32)
        .on_threads(ThreadFilter::Named(vec!["somebody-else".into()]));
    let id = rt.submit(Box::new(update));
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
    release.store(true, Ordering::Release);
    assert_eq!(
        other.join().unwrap(),
        0,
        "the running activation finished in its old version"
    );
    assert_eq!(filtered(release), 2);
}

#[moult::hot]
fn filtered(release: &AtomicBool) -> u32 {
    busy(release)
}

// ---- immediate redefine and wait-over ---------------------------------------

#[moult::hot]
fn long_call(release: &AtomicBool) -> u32 {
    while !release.load(Ordering::Acquire) {
        std::thread::sleep(Duration::from_millis(1));
    }
    1
}

fn long_call_v2(_: &AtomicBool) -> u32 {
    2
}

#[test]
fn immediate_redefine_swaps_at_once_and_is_over_when_old_calls_return() {
    let rt = moult::init();
    let release: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let old = std::thread::Builder::new()
        .name("old-caller".into())
        .spawn(move || long_call(release))
        .unwrap();
    wait_active("hot_functions::long_call", "old-caller");
    let func = moult::hot_fn!(long_call).unwrap();
    let id = rt.submit(Box::new(
        ImmediateRedefine::new(func, long_call_v2 as fn(&AtomicBool) -> u32)
            .tries(2000, Duration::from_millis(2)),
    ));
    // New calls get v2 at once, while the old activation still runs.
    let fresh = AtomicBool::new(true);
    let deadline = std::time::Instant::now() + WAIT;
    while long_call(&fresh) != 2 {
        assert!(std::time::Instant::now() < deadline, "swap never happened");
        std::thread::yield_now();
    }
    assert_eq!(
        rt.wait(id, Duration::from_millis(50)),
        None,
        "not over while the old call runs"
    );
    release.store(true, Ordering::Release);
    assert_eq!(old.join().unwrap(), 1);
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
}

// ---- rollback -----------------------------------------------------------------

#[moult::hot]
fn fragile(x: i32) -> i32 {
    x
}

fn fragile_v2(x: i32) -> i32 {
    -x
}

struct Failing {
    name: &'static str,
    panic: bool,
}

impl Update for Failing {
    fn name(&self) -> &str {
        self.name
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.redefine(moult::hot_fn!(fragile)?, fragile_v2 as fn(i32) -> i32);
        assert_eq!(fragile(3), -3, "the swap took effect inside apply");
        if self.panic {
            panic!("boom in apply");
        }
        Err(UpdateError::Failed("refusing on purpose".into()))
    }
}

#[test]
fn a_failing_or_panicking_apply_is_rolled_back() {
    let rt = moult::init();
    for (name, panic, expect) in [
        ("fails", false, "refusing on purpose"),
        ("panics", true, "panicked: boom in apply"),
    ] {
        let id = rt.submit(Box::new(Failing { name, panic }));
        let outcome = rt.wait(id, WAIT).unwrap();
        let Outcome::RolledBack(reason) = outcome else {
            panic!("expected rollback, got {outcome:?}")
        };
        assert!(reason.contains(expect), "{reason}");
        assert!(
            reason.contains("hot_functions::fragile back to version 0"),
            "{reason}"
        );
        assert_eq!(fragile(3), 3);
        assert_eq!(moult::hot_fn!(fragile).unwrap().version(), 0);
        assert!(!rt.is_applied(name));
    }
}

// ---- requirements, ordering, operator control, polled manager -----------------

struct Needs {
    name: &'static str,
    after: Option<&'static str>,
    applied: Arc<AtomicU32>,
    order: &'static AtomicU32,
}

impl Update for Needs {
    fn name(&self) -> &str {
        self.name
    }
    fn check_requirements(&mut self, ctx: &mut UpdateContext) -> Requirements {
        match self.after {
            Some(dep) if !ctx.is_applied(dep) => Requirements::No(format!("waiting for {dep}")),
            _ => Requirements::Yes,
        }
    }
    fn apply(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        self.applied.store(
            self.order.fetch_add(1, Ordering::SeqCst) + 1,
            Ordering::SeqCst,
        );
        Ok(())
    }
}

#[test]
fn is_applied_requirements_order_updates_and_polled_manager_runs_only_on_poll() {
    let rt = moult::init();
    let polled = PolledManager::install();
    static ORDER: AtomicU32 = AtomicU32::new(0);
    let (a, b) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
    let second = rt.submit(Box::new(Needs {
        name: "second",
        after: Some("first"),
        applied: b.clone(),
        order: &ORDER,
    }));
    let first = rt.submit(Box::new(Needs {
        name: "first",
        after: None,
        applied: a.clone(),
        order: &ORDER,
    }));
    std::thread::sleep(Duration::from_millis(30));
    assert_eq!(
        rt.wait(first, Duration::ZERO),
        None,
        "nothing runs before poll"
    );
    let mut polls = 0;
    while rt.wait(second, Duration::ZERO).is_none() {
        polls += polled.poll();
        std::thread::sleep(Duration::from_millis(50));
        assert!(polls < 20, "second never applied");
    }
    assert_eq!(rt.wait(first, Duration::ZERO), Some(Outcome::Applied));
    assert_eq!(rt.wait(second, Duration::ZERO), Some(Outcome::Applied));
    assert_eq!(
        (a.load(Ordering::SeqCst), b.load(Ordering::SeqCst)),
        (1, 2),
        "first applied before second"
    );
    drop(polled);
}

#[test]
fn an_operator_can_abort_an_update_waiting_for_alterability() {
    let rt = moult::init();
    let release: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let holder = std::thread::Builder::new()
        .name("stuck".into())
        .spawn(move || stuck(release))
        .unwrap();
    wait_active("hot_functions::stuck", "stuck");
    let func = moult::hot_fn!(stuck).unwrap();
    let id = rt.submit(Box::new(
        SafeRedefine::new(func, busy_v2 as fn(&AtomicBool) -> u32)
            .tries(100_000, Duration::from_millis(5)),
    ));
    while !rt.updates().iter().any(|u| u.id == id && u.attempts > 0) {
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(rt.abort(id));
    assert_eq!(
        rt.wait(id, WAIT),
        Some(Outcome::Aborted("aborted by operator".into()))
    );
    assert!(
        !rt.functions()
            .iter()
            .find(|f| f.name == "hot_functions::stuck")
            .unwrap()
            .gated
    );
    release.store(true, Ordering::Release);
    assert_eq!(holder.join().unwrap(), 0);
}

#[moult::hot]
fn stuck(release: &AtomicBool) -> u32 {
    busy(release)
}
