//! Tasks on tokio: update points that cost nothing when no update asks,
//! parking a group at a point (the tasks wait, their threads go on),
//! rebooting a group onto a new main with the state each old main hands
//! over, cancellation, and the snapshot.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use moult::protocol::{Outcome, ThreadState};
use moult::task::{Handover, TaskMain, TaskReboot};
use moult::{Alterability, Update, UpdateContext, UpdateError};

const WAIT: Duration = Duration::from_secs(20);

/// An update applied while every task of a group is parked at a point; its
/// apply checks the tasks do not move, while a task of another group does.
struct ParkAndLook {
    group: &'static str,
    counter: Arc<AtomicU64>,
    other: Arc<AtomicU64>,
    seen: Seen,
    sleep_time: Duration,
}

/// The parked group's counter and the other group's, before and after the
/// pause inside `apply`.
type Seen = Arc<Mutex<Option<(u64, u64, u64, u64)>>>;

impl Update for ParkAndLook {
    fn name(&self) -> &str {
        "park tasks and look"
    }
    fn max_tries(&self) -> u32 {
        400
    }
    fn sleep_time(&self) -> Duration {
        self.sleep_time
    }
    fn preupdate_setup(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.request_task_park(self.group, Some("tick"))?;
        Ok(())
    }
    fn check_alterability(&mut self, ctx: &mut UpdateContext) -> Alterability {
        Alterability::from_blockers(ctx.tasks_parked(self.group))
    }
    fn apply(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        let (c0, o0) = (
            self.counter.load(Ordering::SeqCst),
            self.other.load(Ordering::SeqCst),
        );
        std::thread::sleep(Duration::from_millis(100));
        let (c1, o1) = (
            self.counter.load(Ordering::SeqCst),
            self.other.load(Ordering::SeqCst),
        );
        *self.seen.lock().unwrap() = Some((c0, c1, o0, o1));
        Ok(())
    }
}

async fn ticker(counter: Arc<AtomicU64>) {
    loop {
        counter.fetch_add(1, Ordering::SeqCst);
        moult::update_point!("tick").await;
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// One worker thread: were parked tasks to block it, the other group's
/// task could not move either.
#[tokio::test(flavor = "current_thread")]
async fn a_group_parks_at_its_point_while_other_tasks_run_on_the_same_thread() {
    let rt = moult::init();
    let counter = Arc::new(AtomicU64::new(0));
    let other = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..50)
        .map(|_| tokio::spawn(moult::task::root("parkers", ticker(counter.clone()))))
        .collect();
    let lone = tokio::spawn(moult::task::root("others", {
        let other = other.clone();
        async move {
            loop {
                other.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    }));
    while counter.load(Ordering::SeqCst) < 100 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let seen = Arc::new(Mutex::new(None));
    let id = rt.submit(Box::new(ParkAndLook {
        group: "parkers",
        counter: counter.clone(),
        other: other.clone(),
        seen: seen.clone(),
        sleep_time: Duration::from_millis(5),
    }));
    let outcome = loop {
        // Keep this (only) worker free for the tasks while the update runs.
        tokio::time::sleep(Duration::from_millis(5)).await;
        if let Some(o) = rt.wait(id, Duration::ZERO) {
            break o;
        }
    };
    assert_eq!(outcome, Outcome::Applied);
    let (c0, c1, o0, o1) = seen.lock().unwrap().expect("apply ran");
    assert_eq!(c0, c1, "no parked task moved while the update applied");
    assert!(
        o1 > o0,
        "the other group's task ran meanwhile (on the same thread)"
    );
    let after = counter.load(Ordering::SeqCst);
    while counter.load(Ordering::SeqCst) < after + 50 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    for t in tasks {
        t.abort();
    }
    lone.abort();
}

/// The state the v0 main of `rebooters` carries through its point.
#[derive(Debug, Clone, PartialEq)]
struct Count {
    task: u32,
    n: u64,
}

/// What the v1 main is handed (the update's transformer makes it).
#[derive(Debug, Clone, PartialEq)]
struct CountV2 {
    task: u32,
    n: u64,
    note: String,
}

struct DropFlag(Arc<AtomicU64>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_reboots_onto_a_new_main_with_the_state_each_task_hands_over() {
    let rt = moult::init();
    let dropped = Arc::new(AtomicU64::new(0));
    let received: Arc<Mutex<Vec<CountV2>>> = Arc::default();
    let handles: Vec<_> = (0..8)
        .map(|task| {
            let dropped = dropped.clone();
            tokio::spawn(moult::task::root("rebooters", async move {
                let _guard = DropFlag(dropped);
                let mut state = Count { task, n: 0 };
                loop {
                    state.n += 1;
                    state = moult::task::point_with(&"step", state).await;
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }))
        })
        .collect();
    let sink = received.clone();
    let main = TaskMain::new(move |mut handover: Handover| {
        let sink = sink.clone();
        async move {
            let got = handover.take::<CountV2>().expect("the transformed state");
            sink.lock().unwrap().push(got);
        }
    });
    let update = TaskReboot::new("rebooters", main)
        .at_point("step")
        .with_state(|mut h| {
            let old = h.take::<Count>().expect("the old main's state");
            Handover::new(CountV2 {
                task: old.task,
                n: old.n,
                note: format!("from v0 after {}", old.n),
            })
        })
        .tries(400, Duration::from_millis(5));
    let id = rt.submit(Box::new(update));
    let outcome = tokio::task::spawn_blocking(move || moult::init().wait(id, WAIT))
        .await
        .unwrap();
    assert_eq!(outcome, Some(Outcome::Applied));
    for h in handles {
        h.await.expect("each task ends on its new main");
    }
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        8,
        "every old future was dropped"
    );
    let mut got = received.lock().unwrap().clone();
    got.sort_by_key(|c| c.task);
    assert_eq!(got.len(), 8);
    for (i, c) in got.iter().enumerate() {
        assert_eq!(c.task, i as u32);
        assert!(c.n >= 1);
        assert_eq!(c.note, format!("from v0 after {}", c.n));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_show_in_the_snapshot_and_a_cancelled_one_leaves_it() {
    let rt = moult::init();
    let started = Arc::new(AtomicBool::new(false));
    let flag = started.clone();
    let task = tokio::spawn(moult::task::root("shown", async move {
        loop {
            flag.store(true, Ordering::SeqCst);
            moult::update_point!("shown point").await;
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }));
    while !started.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    tokio::time::sleep(Duration::from_millis(5)).await;
    let shown = rt.task_infos();
    let mine: Vec<_> = shown.iter().filter(|t| t.group == "shown").collect();
    assert_eq!(mine.len(), 1, "{shown:?}");
    assert_eq!(mine[0].last_point.as_deref(), Some("shown point"));
    assert_eq!(mine[0].state, ThreadState::Running);
    task.abort();
    let _ = task.await;
    assert!(rt.task_infos().iter().all(|t| t.group != "shown"));
}

/// The update polls every 10 s, twice: it can only finish within the
/// test's bound if the tasks' parking wakes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_reaching_their_point_wake_the_waiting_update() {
    let rt = moult::init();
    let counter = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..20)
        .map(|_| tokio::spawn(moult::task::root("wakers", ticker(counter.clone()))))
        .collect();
    while counter.load(Ordering::SeqCst) < 40 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let update = ParkAndLook {
        group: "wakers",
        counter: counter.clone(),
        other: Arc::new(AtomicU64::new(0)),
        seen: Arc::default(),
        sleep_time: Duration::from_secs(10),
    };
    let id = rt.submit(Box::new(update));
    let outcome =
        tokio::task::spawn_blocking(move || moult::init().wait(id, Duration::from_secs(8)))
            .await
            .unwrap();
    assert_eq!(
        outcome,
        Some(Outcome::Applied),
        "woken by the parking, not the 10 s poll"
    );
    for t in tasks {
        t.abort();
    }
}
