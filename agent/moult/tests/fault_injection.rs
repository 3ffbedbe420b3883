//! Fault injection in the update lifecycle, in process (issue 7):
//!
//! - a transformer that panics at instance k of 1 000 000, converted on one
//!   thread and on two: every instance is counted and read back in its old
//!   version, the constructor of record is the old one;
//! - a panicking `preresume_setup` while the function's entry gate is closed
//!   and callers are held at it: rolled back with its reason, the held callers
//!   are released onto the old version, no call is lost (counted);
//! - a panicking `cleanup`: reported as failed with its reason, the update
//!   stays applied (DESIGN/update docs: nothing is rolled back after resume),
//!   no gate stays closed.
//!
//! Run: `cargo test -p moult --test fault_injection` (about 1 s in release;
//! the million instances take a few seconds in debug).

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use moult::class::EagerConversion;
use moult::protocol::Outcome;
use moult::{Update, UpdateContext, UpdateError};

const WAIT: Duration = Duration::from_secs(60);

/// Instances converted by the panicking transformer test.
const INSTANCES: u64 = 1_000_000;
/// The transformer panics when it reaches this (0-based) instance.
const PANIC_AT: u64 = 765_432;

trait Cell: Any + Send + Sync {
    fn value(&self) -> u64;
    fn is_new(&self) -> bool;
}

struct CellV1(u64);
impl Cell for CellV1 {
    fn value(&self) -> u64 {
        self.0
    }
    fn is_new(&self) -> bool {
        false
    }
}

struct CellV2(u64);
impl Cell for CellV2 {
    fn value(&self) -> u64 {
        self.0
    }
    fn is_new(&self) -> bool {
        true
    }
}

moult::class!(static CELLS: dyn Cell, u64 = "Cell" as CellV1, |v| Box::new(CellV1(v)));

fn run(update: impl Update) -> Outcome {
    let rt = moult::runtime();
    let id = rt.submit(Box::new(update));
    rt.wait(id, WAIT).expect("the update ends")
}

moult::class!(static CELLS_PAR: dyn Cell, u64 = "CellPar" as CellV1, |v| Box::new(CellV1(v)));

/// The transformer panics at instance `PANIC_AT` of a million, converted on
/// one thread: the outcome names the panic, the transformer ran no further,
/// and afterwards every one of the million is back in version 0 with its own
/// value (each read), and new instances are version 0.
#[test]
#[cfg_attr(miri, ignore = "Miri: a million instances take hours")]
fn a_transformer_panicking_at_instance_k_of_a_million_leaves_all_in_the_old_version() {
    let seen = panicking_at_k(&CELLS, 1);
    assert_eq!(seen, PANIC_AT + 1, "stopped at k");
}

/// The same with the million converted on two threads at once: the other
/// thread stops within a few instances of the panic (it cannot know of it
/// sooner), and the rollback restores what both converted.
#[test]
#[cfg_attr(miri, ignore = "Miri: a million instances take hours")]
fn a_panic_at_instance_k_of_a_parallel_conversion_rolls_both_threads_back() {
    let seen = panicking_at_k(&CELLS_PAR, 2);
    assert!(
        (PANIC_AT + 1..INSTANCES).contains(&seen),
        "stopped soon after k: {seen}"
    );
}

/// Runs the panicking conversion of `class` on `workers` threads, checks
/// the rollback; returns how many times the transformer ran.
fn panicking_at_k(class: &'static moult::class::Class<dyn Cell, u64>, workers: usize) -> u64 {
    class.handle().unwrap().set_conversion_workers(workers);
    let all: Vec<_> = (0..INSTANCES).map(|i| class.create(i)).collect();
    assert_eq!(class.live(), INSTANCES);
    let seen = Arc::new(AtomicU64::new(0));
    let counter = seen.clone();
    let started = Instant::now();
    let outcome = run(EagerConversion::new(
        class,
        |v| Box::new(CellV2(v)),
        move |old: &dyn Cell| {
            if counter.fetch_add(1, Ordering::Relaxed) == PANIC_AT {
                panic!("transformer bug at instance {PANIC_AT}");
            }
            Box::new(CellV2(old.value())) as Box<dyn Cell>
        },
    ));
    let elapsed = started.elapsed();
    let Outcome::RolledBack(reason) = outcome else {
        panic!("expected a rollback, got {outcome:?}")
    };
    assert!(
        reason.contains(&format!("transformer bug at instance {PANIC_AT}")),
        "{reason}"
    );
    // Every instance, counted and read: old version, old type, own value.
    let mut old = 0u64;
    for (i, cell) in all.iter().enumerate() {
        assert_eq!(cell.version(), 0, "instance {i}");
        let read = cell.read();
        assert!(!read.is_new(), "instance {i} holds a CellV1 again");
        assert_eq!(read.value(), i as u64, "instance {i} kept its value");
        old += 1;
    }
    assert_eq!(old, INSTANCES);
    assert_eq!(class.live(), INSTANCES);
    let info = class.handle().unwrap().info();
    assert_eq!(info.versions[0].live, INSTANCES, "all counted in version 0");
    assert!(info.versions[1..].iter().all(|v| v.live == 0), "{info:?}");
    assert_eq!(class.version(), 0, "constructor of record restored");
    let fresh = class.create(7);
    assert!(!fresh.read().is_new());
    eprintln!(
        "fault_injection: {INSTANCES} instances on {workers} threads, panic at {PANIC_AT}, \
         converted and rolled back in {elapsed:?}"
    );
    seen.load(Ordering::Relaxed)
}

#[moult::hot]
fn gated_fn(x: u64) -> u64 {
    x + 1
}

fn gated_fn_v2(x: u64) -> u64 {
    x + 1000
}

/// Closes `gated_fn`'s gate, lets callers pile up at it, redefines it, then
/// fails in the hook named by `panic_in`.
struct GateThenPanic {
    panic_in: &'static str,
    /// Set once the gate is closed: the callers' loop counts held calls.
    closed: Arc<AtomicBool>,
}

impl Update for GateThenPanic {
    fn name(&self) -> &str {
        self.panic_in
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        let f = moult::hot_fn!(gated_fn)?;
        ctx.close_gate(f)?;
        ctx.redefine(f, gated_fn_v2 as fn(u64) -> u64);
        self.closed.store(true, Ordering::SeqCst);
        // Give the callers time to arrive at the closed gate.
        std::thread::sleep(Duration::from_millis(50));
        Ok(())
    }
    fn preresume_setup(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        if self.panic_in == "preresume" {
            panic!("preresume bug");
        }
        Ok(())
    }
    fn cleanup(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        if self.panic_in == "cleanup" {
            panic!("cleanup bug");
        }
        Ok(())
    }
}

/// Callers that keep calling `gated_fn(1)`; returns (calls made, answers seen
/// as old, answers seen as new).
fn callers(n: usize, stop: Arc<AtomicBool>) -> Vec<std::thread::JoinHandle<(u64, u64, u64)>> {
    (0..n)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let (mut calls, mut old, mut new) = (0, 0, 0);
                while !stop.load(Ordering::Relaxed) {
                    calls += 1;
                    match gated_fn(1) {
                        2 => old += 1,
                        1001 => new += 1,
                        other => panic!("gated_fn(1) = {other}"),
                    }
                }
                (calls, old, new)
            })
        })
        .collect()
}

fn gated_info() -> moult::protocol::FunctionInfo {
    moult::runtime()
        .functions()
        .into_iter()
        .find(|f| f.name.ends_with("gated_fn"))
        .expect("gated_fn registered")
}

/// One test for both hooks: they share `gated_fn`, so they must not run at once.
#[test]
fn panicking_preresume_rolls_back_and_panicking_cleanup_keeps_the_update() {
    let _rt = moult::init();
    // preresume: rolled back while callers wait at the gate.
    let stop = Arc::new(AtomicBool::new(false));
    let threads = callers(4, stop.clone());
    let closed = Arc::new(AtomicBool::new(false));
    let outcome = run(GateThenPanic {
        panic_in: "preresume",
        closed: closed.clone(),
    });
    assert!(closed.load(Ordering::SeqCst));
    let Outcome::RolledBack(reason) = outcome else {
        panic!("expected a rollback, got {outcome:?}")
    };
    assert!(
        reason.contains("preresume_setup failed: panicked: preresume bug"),
        "{reason}"
    );
    assert!(reason.contains("gated_fn back to version 0"), "{reason}");
    let info = gated_info();
    assert_eq!((info.version, info.gated), (0, false), "{info:?}");
    // Calls keep flowing after the rollback, all on the old version.
    std::thread::sleep(Duration::from_millis(50));
    stop.store(true, Ordering::SeqCst);
    let (mut calls, mut old, mut new) = (0, 0, 0);
    for t in threads {
        let (c, o, n) = t.join().expect("a caller panicked");
        (calls, old, new) = (calls + c, old + o, new + n);
    }
    assert_eq!(calls, old + new, "every call answered");
    assert_eq!(new, 0, "no caller ever saw the rolled-back version");
    assert!(calls > 0);
    assert_eq!(gated_fn(1), 2);
    eprintln!("fault_injection: preresume panic: {calls} calls, all answered by version 0");

    // cleanup: the update stays applied, reported as failed with its reason.
    let stop = Arc::new(AtomicBool::new(false));
    let threads = callers(4, stop.clone());
    let outcome = run(GateThenPanic {
        panic_in: "cleanup",
        closed: Arc::new(AtomicBool::new(false)),
    });
    let Outcome::Failed(reason) = outcome else {
        panic!("expected a failure, got {outcome:?}")
    };
    assert!(
        reason.contains("cleanup failed (the update stays applied): panicked: cleanup bug"),
        "{reason}"
    );
    let info = gated_info();
    assert_eq!((info.version, info.gated), (1, false), "{info:?}");
    assert!(moult::runtime().is_applied("cleanup"));
    std::thread::sleep(Duration::from_millis(50));
    stop.store(true, Ordering::SeqCst);
    let (mut calls, mut answered) = (0, 0);
    for t in threads {
        let (c, o, n) = t.join().expect("a caller panicked");
        (calls, answered) = (calls + c, answered + o + n);
    }
    assert_eq!(calls, answered, "every call answered");
    assert_eq!(gated_fn(1), 1001, "the new version stays");
    eprintln!("fault_injection: cleanup panic: {calls} calls, all answered");
}
