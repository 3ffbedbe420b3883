//! Stress: several DSU threads, hundreds of park / reboot / rolled-back
//! reboot / active-function updates queued in batches; invariants checked
//! after every batch and at the end.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use moult::dsu::{AtUpdatePoints, DsuThread, Main, ThreadReboot};
use moult::protocol::{Outcome, ThreadState};
use moult::{ThreadFilter, Update, UpdateContext, UpdateError};

const WAIT: Duration = Duration::from_secs(30);
const THREADS: usize = 4;
/// Fewer under Miri, whose every step is interpreted (still every kind, twice).
const UPDATES: usize = if cfg!(miri) { 32 } else { 400 };
const BATCH: usize = 8;

/// A main that counts its passes through an update point on `counter`.
fn counting(counter: Arc<AtomicU64>, stop: Arc<AtomicBool>) -> Main {
    Main::new(move || {
        while !stop.load(Ordering::Relaxed) {
            moult::update_point!("stress");
            counter.fetch_add(1, Ordering::Relaxed);
            std::thread::yield_now();
        }
    })
}

/// Requests a reboot, then fails: the reboot must never happen.
struct FailingReboot(String);

impl Update for FailingReboot {
    fn name(&self) -> &str {
        "failing reboot"
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.reboot(&self.0, None)?;
        Err(UpdateError::Failed("on purpose".into()))
    }
}

/// Runs a closure in a thread and checks its result.
struct Probe(String);

impl Update for Probe {
    fn name(&self) -> &str {
        "probe"
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        let n = ctx.run_in_thread(&self.0, || 6 * 7)?;
        if n == 42 {
            Ok(())
        } else {
            Err(UpdateError::Failed(format!("probe returned {n}")))
        }
    }
}

#[test]
fn hundreds_of_park_and_reboot_updates_leave_no_thread_parked() {
    let rt = moult::runtime();
    let stop = Arc::new(AtomicBool::new(false));
    let names: Vec<String> = (0..THREADS).map(|i| format!("stress-{i}")).collect();
    let counters: Vec<Arc<AtomicU64>> = (0..THREADS).map(|_| Arc::default()).collect();
    let threads: Vec<DsuThread> = names
        .iter()
        .zip(&counters)
        .map(|(n, c)| moult::dsu::spawn_main(n, counting(c.clone(), stop.clone())).unwrap())
        .collect();
    let all = ThreadFilter::Named(names.clone());
    let frozen_violations = Arc::new(Mutex::new(Vec::new()));
    let mut expected_reboots = [0u32; THREADS];
    let mut expected_versions = [0u32; THREADS];
    let mut kinds = [0usize; 4];

    let mut n = 0;
    while n < UPDATES {
        let mut ids = Vec::new();
        for _ in 0..BATCH {
            let target = n % THREADS;
            let name = names[target].clone();
            let update: Box<dyn Update> = match (n / THREADS) % 4 {
                0 => {
                    let (counters, v) = (counters.clone(), frozen_violations.clone());
                    Box::new(
                        AtUpdatePoints::new(format!("park {n}"), move |_: &mut UpdateContext| {
                            let a: Vec<u64> =
                                counters.iter().map(|c| c.load(Ordering::SeqCst)).collect();
                            for _ in 0..50 {
                                std::thread::yield_now();
                            }
                            let b: Vec<u64> =
                                counters.iter().map(|c| c.load(Ordering::SeqCst)).collect();
                            if a != b {
                                v.lock().unwrap().push((a, b));
                            }
                            Ok(())
                        })
                        .on_threads(all.clone())
                        .tries(1000, Duration::from_millis(1)),
                    )
                }
                1 => {
                    expected_reboots[target] += 1;
                    let mut r = ThreadReboot::new(name)
                        .named(format!("reboot {n}"))
                        .tries(1000, Duration::from_millis(1));
                    if n % 3 == 0 {
                        expected_versions[target] += 1;
                        r = r.onto(counting(counters[target].clone(), stop.clone()));
                    }
                    if n % 2 == 0 {
                        r = r.without_park();
                    }
                    Box::new(r)
                }
                2 => Box::new(FailingReboot(name)),
                _ => Box::new(Probe(name)),
            };
            kinds[(n / THREADS) % 4] += 1;
            ids.push((n, rt.submit(update)));
            n += 1;
        }
        for (n, id) in ids {
            let outcome = rt
                .wait(id, WAIT)
                .unwrap_or_else(|| panic!("update {n} hung"));
            let expected = if (n / THREADS) % 4 == 2 {
                matches!(outcome, Outcome::RolledBack(_))
            } else {
                outcome == Outcome::Applied
            };
            assert!(expected, "update {n}: {outcome:?}");
        }
        // Between batches nothing holds a thread: none is parked.
        for t in &threads {
            assert!(
                t.wait_for(WAIT, |i| !matches!(i.state, ThreadState::Parked(_))),
                "{} left parked",
                t.name()
            );
        }
    }
    assert!(kinds.iter().all(|&k| k >= UPDATES / 4 - BATCH), "{kinds:?}");
    assert!(frozen_violations.lock().unwrap().is_empty());

    for (i, t) in threads.iter().enumerate() {
        assert!(t.wait_for(WAIT, |info| info.state == ThreadState::Running));
        let info = t.info();
        assert_eq!(info.reboots, expected_reboots[i], "{}", t.name());
        assert_eq!(info.main_version, expected_versions[i], "{}", t.name());
        let base = counters[i].load(Ordering::SeqCst);
        let deadline = Instant::now() + WAIT;
        while counters[i].load(Ordering::SeqCst) < base + 100 {
            assert!(Instant::now() < deadline, "{} stopped", t.name());
            std::thread::yield_now();
        }
    }
    stop.store(true, Ordering::SeqCst);
    for t in &threads {
        assert!(t.join(WAIT));
    }
}
