//! Hot async functions and tasks without an executor library: futures
//! polled by hand on plain threads, small enough for Miri (data races, use
//! after free in the activation counting, the awaited gate and the task
//! root) and sized up as a stress test under ThreadSanitizer and
//! `cargo test`: many threads calling while updates swap the version, no
//! caller sees half an update, no activation is lost, no waker forgotten.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use moult::protocol::Outcome;
use moult::update::{ImmediateRedefine, SafeRedefine};

const WAIT: Duration = Duration::from_secs(60);

/// Counts its wake-ups.
#[derive(Default)]
struct Counting(AtomicU64);

impl Wake for Counting {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Polls `f` to completion, spinning (with a yield) while it is pending.
fn block_on<T>(f: impl Future<Output = T>) -> T {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}

/// Pending until `open` is set.
struct Latch(Arc<AtomicBool>);

impl Future for Latch {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.0.load(Ordering::SeqCst) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

#[moult::hot]
async fn held(open: Arc<AtomicBool>) -> u32 {
    Latch(open).await;
    1
}

#[moult::async_version]
async fn held_v2(_open: Arc<AtomicBool>) -> u32 {
    2
}

fn gated(name: &str) -> bool {
    moult::init()
        .functions()
        .iter()
        .any(|f| f.name == name && f.gated)
}

#[test]
fn a_gated_async_caller_is_woken_when_the_old_activation_ends() {
    let rt = moult::init();
    let open = Arc::new(AtomicBool::new(false));
    let mut old = Box::pin(held(open.clone()));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(
        old.as_mut().poll(&mut cx).is_pending(),
        "one old activation"
    );
    let func = moult::hot_fn!(held).unwrap();
    let id = rt.submit(Box::new(
        SafeRedefine::new(func, held_v2).tries(10_000, Duration::from_millis(1)),
    ));
    while !gated("async_core::held") {
        std::thread::yield_now();
    }
    let counting = Arc::new(Counting::default());
    let waker = Waker::from(counting.clone());
    let mut newer = Box::pin(held(Arc::new(AtomicBool::new(true))));
    assert!(
        newer
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending(),
        "a new caller waits at the closed gate"
    );
    open.store(true, Ordering::SeqCst);
    assert_eq!(
        old.as_mut().poll(&mut cx),
        Poll::Ready(1),
        "old code to the end"
    );
    drop(old);
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
    assert!(
        counting.0.load(Ordering::SeqCst) >= 1,
        "the gate's opening woke it"
    );
    assert_eq!(
        newer.as_mut().poll(&mut Context::from_waker(&waker)),
        Poll::Ready(2)
    );
}

#[moult::hot]
async fn dropped_early(open: Arc<AtomicBool>) -> u32 {
    Latch(open).await;
    1
}

#[test]
fn dropping_a_pending_activation_ends_it() {
    let rt = moult::init();
    let mut f = Box::pin(dropped_early(Arc::new(AtomicBool::new(false))));
    assert!(
        f.as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
            .is_pending()
    );
    drop(f);
    let func = moult::hot_fn!(dropped_early).unwrap();
    let id = rt.submit(Box::new(
        SafeRedefine::new(func, held_v2).tries(10_000, Duration::from_millis(1)),
    ));
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
}

#[moult::hot]
async fn migrant(open: Arc<AtomicBool>) -> u32 {
    Latch(open).await;
    1
}

/// Async activations of `name` running, as the snapshot counts them.
fn async_active(name: &str) -> u32 {
    moult::init()
        .functions()
        .into_iter()
        .find(|f| f.name == name)
        .unwrap()
        .threads
        .iter()
        .filter(|t| t.thread == moult::hot::ASYNC_TASKS)
        .map(|t| t.active)
        .sum()
}

type Pending = Pin<Box<dyn Future<Output = u32> + Send>>;

/// Begins an activation of `migrant` on a thread of its own, which exits.
fn begun_elsewhere() -> Pending {
    std::thread::spawn(|| {
        let mut f: Pending = Box::pin(migrant(Arc::new(AtomicBool::new(false))));
        let pending = f
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
            .is_pending();
        assert!(pending);
        f
    })
    .join()
    .unwrap()
}

/// Ends an activation on a thread of its own, which exits.
fn end_elsewhere(f: Pending) {
    std::thread::spawn(move || drop(f)).join().unwrap();
}

/// An activation is counted where it begins and where it ends, which are
/// often different threads: the sum stays exact when both have exited.
#[test]
fn activations_moving_between_exiting_threads_are_counted_once() {
    let rt = moult::init();
    let first = begun_elsewhere();
    let second = begun_elsewhere();
    assert_eq!(async_active("async_core::migrant"), 2);
    end_elsewhere(first);
    assert_eq!(
        async_active("async_core::migrant"),
        1,
        "begun on one exited thread, ended on another"
    );
    let func = moult::hot_fn!(migrant).unwrap();
    let id = rt.submit(Box::new(
        SafeRedefine::new(func, held_v2).tries(100_000, Duration::from_millis(1)),
    ));
    while !gated("async_core::migrant") {
        std::thread::yield_now();
    }
    assert_eq!(
        rt.wait(id, Duration::from_millis(100)),
        None,
        "an activation whose first thread exited still holds the update"
    );
    end_elsewhere(second);
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
    assert_eq!(async_active("async_core::migrant"), 0);
}

/// Both halves of the answer come from one version.
#[moult::hot]
async fn pair(x: u64) -> (u64, u64) {
    (x, x)
}

#[moult::async_version]
async fn pair_v2(x: u64) -> (u64, u64) {
    (x + 1_000_000, x + 1_000_000)
}

#[test]
fn callers_on_many_threads_never_see_half_an_update() {
    let rt = moult::init();
    let (threads, calls, updates) = if cfg!(miri) {
        (2, 20, 2)
    } else {
        (8, 20_000, 40)
    };
    let func = moult::hot_fn!(pair).unwrap();
    let v0: fn(u64) -> moult::hot::BoxFuture<'static, (u64, u64)> = func.current().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let start = Arc::new(Barrier::new(threads + 1));
    let callers: Vec<_> = (0..threads)
        .map(|_| {
            let (stop, start) = (stop.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                let mut seen = 0u64;
                for i in 0..calls {
                    let (a, b) = block_on(pair(i));
                    assert_eq!(a, b, "one version answered both halves");
                    assert!(a == i || a == i + 1_000_000);
                    seen += 1;
                    if stop.load(Ordering::Relaxed) && seen > 10 {
                        break;
                    }
                }
                seen
            })
        })
        .collect();
    start.wait();
    for n in 0..updates {
        let next = if n % 2 == 0 { pair_v2 } else { v0 };
        let id = if n % 3 == 0 {
            rt.submit(Box::new(ImmediateRedefine::new(func, next)))
        } else {
            rt.submit(Box::new(
                SafeRedefine::new(func, next).tries(100_000, Duration::from_micros(100)),
            ))
        };
        assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied), "update {n}");
    }
    stop.store(true, Ordering::Relaxed);
    let total: u64 = callers.into_iter().map(|c| c.join().unwrap()).sum();
    assert!(total > 0);
    let active: u32 = rt
        .functions()
        .into_iter()
        .find(|f| f.name == "async_core::pair")
        .unwrap()
        .threads
        .iter()
        .filter(|t| t.thread == moult::hot::ASYNC_TASKS)
        .map(|t| t.active)
        .sum();
    assert_eq!(active, 0, "no activation left counted");
}

#[test]
fn a_task_parks_at_its_point_and_goes_on_when_released() {
    let rt = moult::init();
    let turns = Arc::new(AtomicU64::new(0));
    let t = turns.clone();
    let mut task = Box::pin(moult::task::root("hand-polled", async move {
        loop {
            t.fetch_add(1, Ordering::SeqCst);
            moult::update_point!("turn").await;
            YieldOnce(false).await;
        }
    }));
    let counting = Arc::new(Counting::default());
    let waker = Waker::from(counting.clone());
    let mut cx = Context::from_waker(&waker);
    let parked = Arc::new(AtomicBool::new(false));
    let release = Arc::new(AtomicBool::new(false));
    let (p, r) = (parked.clone(), release.clone());
    let id = rt.submit(Box::new(ParkHandPolled {
        applied: p,
        release: r,
    }));
    // Poll until the update sees the task parked and applies.
    while !parked.load(Ordering::SeqCst) {
        assert!(task.as_mut().poll(&mut cx).is_pending());
        std::thread::yield_now();
    }
    let before = turns.load(Ordering::SeqCst);
    for _ in 0..5 {
        assert!(task.as_mut().poll(&mut cx).is_pending());
    }
    assert_eq!(
        turns.load(Ordering::SeqCst),
        before,
        "parked: no turn taken"
    );
    release.store(true, Ordering::SeqCst);
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
    assert!(
        counting.0.load(Ordering::SeqCst) >= 1,
        "the release woke the task"
    );
    for _ in 0..3 {
        assert!(task.as_mut().poll(&mut cx).is_pending());
    }
    assert!(
        turns.load(Ordering::SeqCst) > before,
        "released: turns again"
    );
    drop(task);
    assert!(rt.task_infos().iter().all(|t| t.group != "hand-polled"));
}

/// Pending once, then ready: a task's turn ends.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            Poll::Pending
        }
    }
}

/// Parks the group `hand-polled` at `turn`; its apply says it runs, then
/// waits for the test's release.
struct ParkHandPolled {
    applied: Arc<AtomicBool>,
    release: Arc<AtomicBool>,
}

impl moult::Update for ParkHandPolled {
    fn name(&self) -> &str {
        "park hand-polled"
    }
    fn max_tries(&self) -> u32 {
        100_000
    }
    fn sleep_time(&self) -> Duration {
        Duration::from_micros(100)
    }
    fn preupdate_setup(
        &mut self,
        ctx: &mut moult::UpdateContext,
    ) -> Result<(), moult::UpdateError> {
        ctx.request_task_park("hand-polled", Some("turn"))?;
        Ok(())
    }
    fn check_alterability(&mut self, ctx: &mut moult::UpdateContext) -> moult::Alterability {
        moult::Alterability::from_blockers(ctx.tasks_parked("hand-polled"))
    }
    fn apply(&mut self, _: &mut moult::UpdateContext) -> Result<(), moult::UpdateError> {
        self.applied.store(true, Ordering::SeqCst);
        while !self.release.load(Ordering::SeqCst) {
            std::thread::yield_now();
        }
        Ok(())
    }
}
