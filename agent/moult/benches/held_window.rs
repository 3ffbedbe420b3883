//! How long a parked thread waits for the updater (issue 16).
//!
//! `cargo bench -p moult --bench held_window` — a DSU thread passes its
//! update point only when the bench says so. Each iteration submits an
//! [`AtUpdatePoints`] update (the threaded manager, as in an app), waits
//! until its first alterability attempt found the thread not parked, then
//! lets the thread go on to its point:
//!
//! - `parked_to_apply`: from just before the thread's `update_point!` (where
//!   it parks) to the first line of the update's `apply` — the park, its
//!   event, the wake-up of the manager thread, the second check, the
//!   attempt's event, the pause hook and the apply step's event. Before
//!   issue 16 this was the rest of `sleep_time` (100 ms here);
//! - `baseline/condvar_round_trip`: one thread sets a flag under a mutex and
//!   notifies a `Condvar`; the time until the waiting thread runs again.
//!   The floor of any wake-up of one thread by another.
//!
//! Target: ≤ 100 µs absolute; the table also gives the ratio to the
//! baseline measured in the same run. Under `cargo test` each case runs once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use moult::dsu::AtUpdatePoints;
use moult::protocol::Outcome;
use moult::{ThreadFilter, UpdateContext};

mod common;
use common::{Row, estimate, print_table};

/// The manager's poll interval in this bench: what the window was before.
const SLEEP_TIME: Duration = Duration::from_millis(100);
/// For waits that are not measured.
const WAIT: Duration = Duration::from_secs(30);

/// Instants one iteration records: the thread's, just before its point,
/// and the update's, at the start of `apply`; and whether the thread left
/// its point (the next update must not find it still parked there).
#[derive(Default)]
struct Marks {
    before_point: Option<Instant>,
    apply: Option<Instant>,
    left_point: bool,
}

/// The DSU thread: passes its point each time `go` is set, marking the instant.
fn spawn_parker(go: Arc<AtomicBool>, marks: Arc<Mutex<Marks>>) {
    moult::dsu::spawn("held-window-bench", move || {
        loop {
            while !go.swap(false, Ordering::SeqCst) {
                std::thread::sleep(Duration::from_micros(50));
            }
            marks.lock().unwrap().before_point = Some(Instant::now());
            moult::update_point!("bench point");
            marks.lock().unwrap().left_point = true;
        }
    })
    .expect("spawn the bench's DSU thread");
}

/// One update that parks the thread: returns parked → apply.
fn one_window(go: &AtomicBool, marks: &Arc<Mutex<Marks>>, n: u64) -> Duration {
    let rt = moult::runtime();
    *marks.lock().unwrap() = Marks::default();
    let marks2 = marks.clone();
    let update = AtUpdatePoints::new(format!("held window {n}"), move |_: &mut UpdateContext| {
        marks2.lock().unwrap().apply = Some(Instant::now());
        Ok(())
    })
    .on_threads(ThreadFilter::Named(vec!["held-window-bench".into()]))
    .at_point("bench point")
    // Many tries: a window lost to a loaded machine must not postpone it
    // (the thread passes its point once per `go`).
    .tries(1000, SLEEP_TIME);
    let id = rt.submit(Box::new(update));
    let deadline = Instant::now() + WAIT;
    while !rt.updates().iter().any(|u| u.id == id && u.attempts > 0) {
        assert!(Instant::now() < deadline, "no first attempt");
        std::thread::sleep(Duration::from_micros(100));
    }
    go.store(true, Ordering::SeqCst);
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
    while !marks.lock().unwrap().left_point {
        assert!(Instant::now() < deadline, "the thread stayed at its point");
        std::thread::sleep(Duration::from_micros(50));
    }
    let m = marks.lock().unwrap();
    m.apply.expect("apply ran") - m.before_point.expect("the thread passed its point")
}

/// The baseline's shared state: (asked to wake, instant it ran again).
type Shared = Arc<(Mutex<(bool, Option<Instant>)>, Condvar)>;

/// A waiter thread woken through a `Condvar`: returns notify → running.
struct Waker {
    /// What the two threads share.
    state: Shared,
}

impl Waker {
    fn new() -> Waker {
        let state: Shared = Arc::new((Mutex::new((false, None)), Condvar::new()));
        let s = state.clone();
        std::thread::spawn(move || {
            let (lock, cv) = &*s;
            let mut g = lock.lock().unwrap();
            loop {
                while !g.0 {
                    g = cv.wait(g).unwrap();
                }
                g.0 = false;
                g.1 = Some(Instant::now());
                cv.notify_all();
            }
        });
        Waker { state }
    }

    fn round_trip(&self) -> Duration {
        let (lock, cv) = &*self.state;
        let t0 = Instant::now();
        {
            let mut g = lock.lock().unwrap();
            g.0 = true;
            g.1 = None;
        }
        cv.notify_all();
        let mut g = lock.lock().unwrap();
        while g.1.is_none() {
            g = cv.wait(g).unwrap();
        }
        g.1.take().expect("woken") - t0
    }
}

fn bench(c: &mut Criterion) {
    moult::init();
    let go = Arc::new(AtomicBool::new(false));
    let marks = Arc::new(Mutex::new(Marks::default()));
    spawn_parker(go.clone(), marks.clone());
    let mut n = 0u64;
    let mut g = c.benchmark_group("held_window");
    g.warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20);
    g.bench_function("parked_to_apply", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    n += 1;
                    one_window(&go, &marks, n)
                })
                .sum()
        })
    });
    let waker = Waker::new();
    g.bench_function("baseline/condvar_round_trip", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| waker.round_trip()).sum())
    });
    g.finish();
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}

/// Prints the table: the window, its ratio to the baseline, the target.
fn summary() {
    let Some((base, _)) = estimate("held_window", "baseline/condvar_round_trip") else {
        return;
    };
    let mut rows = Vec::new();
    if let (Some(row), Some((m, _))) = (
        Row::timed("held_window", "parked_to_apply"),
        estimate("held_window", "parked_to_apply"),
    ) {
        rows.push(
            row.ratio(m / base, "Condvar round trip")
                .target("≤ 100 µs", m <= 100_000.0),
        );
    }
    if let Some(row) = Row::timed("held_window", "baseline/condvar_round_trip") {
        rows.push(row.ratio(1.0, "Condvar round trip"));
    }
    print_table(
        &format!(
            "held_window: a parked thread waiting for the updater (sleep_time {} ms)",
            SLEEP_TIME.as_millis()
        ),
        &rows,
    );
}
