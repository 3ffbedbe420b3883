//! An eager conversion whose instance is held by a thread that waits for the
//! update itself (parked at an update point, or at an entry gate the update
//! closed) gives up in bounded time: every instance goes back, the error
//! names the class, the instance and the probable holder, and the app goes
//! on. Each test waits at most `WATCHDOG` for the update, so a deadlock fails
//! the test instead of hanging it.

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use moult::dsu::AtUpdatePoints;
use moult::protocol::{EventKind, Outcome};
use moult::{ThreadFilter, Update, UpdateContext, UpdateError};

const WATCHDOG: Duration = Duration::from_secs(30);

trait Item: Any + Send + Sync {
    fn id(&self) -> u64;
}
struct V1(u64);
impl Item for V1 {
    fn id(&self) -> u64 {
        self.0
    }
}
struct V2(u64);
impl Item for V2 {
    fn id(&self) -> u64 {
        self.0
    }
}
fn v1(id: u64) -> Box<dyn Item> {
    Box::new(V1(id))
}
fn v2(id: u64) -> Box<dyn Item> {
    Box::new(V2(id))
}
fn to_v2(old: &dyn Item) -> Box<dyn Item> {
    Box::new(V2(old.id()))
}
fn is_v1(d: &dyn Item) -> bool {
    (d as &dyn Any).is::<V1>()
}

fn live(name: &str, version: u32) -> u64 {
    let info = moult::runtime()
        .classes()
        .into_iter()
        .find(|c| c.name == name)
        .expect("class registered");
    info.versions
        .iter()
        .find(|v| v.version == version)
        .map_or(0, |v| v.live)
}

fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + WATCHDOG;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Runs `update`; fails the test (instead of hanging) if it never ends.
fn run(update: impl Update) -> (Outcome, Vec<EventKind>) {
    let rt = moult::runtime();
    let cursor = rt.events().cursor();
    let id = rt.submit(Box::new(update));
    let outcome = rt
        .wait(id, WATCHDOG)
        .expect("the update never finished: the conversion deadlocked");
    let events = rt
        .events()
        .since(cursor)
        .events
        .into_iter()
        .map(|e| e.kind)
        .collect();
    (outcome, events)
}

/// Every instance back in version 0 with its old value; the constructor too.
fn all_back(all: &[moult::class::Tracked<dyn Item>], name: &str) {
    for (i, d) in all.iter().enumerate() {
        assert_eq!(d.version(), 0, "instance {i} back to version 0");
        assert!(is_v1(&*d.read()), "instance {i} holds its V1 again");
        assert_eq!(d.read().id(), i as u64);
    }
    assert_eq!(live(name, 0), all.len() as u64);
    assert_eq!(live(name, 1), 0);
}

moult::class!(static PARKED: dyn Item, u64 = "Parked", v1);

#[test]
fn a_reader_parked_at_an_update_point_makes_the_conversion_roll_back_and_is_named() {
    let all: Vec<_> = (0..6).map(|i| PARKED.create(i)).collect();
    let held = all[3].clone();
    let (stop, laps) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicU64::new(0)),
    );
    let (stop2, laps2) = (stop.clone(), laps.clone());
    let holder = moult::dsu::spawn("holder", move || {
        while !stop2.load(Ordering::Relaxed) {
            let guard = held.read(); // kept across the update point
            moult::update_point!("holding");
            assert_eq!(guard.id(), 3);
            drop(guard);
            laps2.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(1));
        }
    })
    .unwrap();
    assert!(holder.wait_for(WATCHDOG, |i| i.last_point.as_deref() == Some("holding")));

    let update = AtUpdatePoints::new("convert parked", |ctx: &mut UpdateContext| {
        ctx.convert_eager(&PARKED, v2, |old: &dyn Item| to_v2(old))?;
        Ok(())
    })
    .on_threads(ThreadFilter::Named(vec!["holder".into()]))
    .at_point("holding")
    .tries(2000, Duration::from_millis(1));
    let (outcome, events) = run(update);

    let Outcome::RolledBack(message) = outcome else {
        panic!("expected a rollback, got {outcome:?}");
    };
    assert!(message.contains("class_blocked::Parked"), "{message}");
    assert!(message.contains("instance"), "{message}");
    assert!(message.contains("holder"), "{message}");
    assert!(message.contains("read-locked by 1 reader"), "{message}");
    let blocker = events
        .iter()
        .find_map(|e| match e {
            EventKind::Alterability {
                update, blockers, ..
            } if update == "convert parked" => blockers
                .iter()
                .find(|b| b.thread == "holder" && b.detail.contains("stayed")),
            _ => None,
        })
        .expect("an alterability event names the holder");
    assert!(
        blocker.detail.contains("class_blocked::Parked"),
        "{blocker:?}"
    );
    all_back(&all, PARKED.name());
    assert_eq!(PARKED.version(), 0, "constructor of record restored");

    // The app goes on: the holder is released and keeps looping.
    let before = laps.load(Ordering::Relaxed);
    wait_until("the holder to loop again", || {
        laps.load(Ordering::Relaxed) > before + 2
    });
    stop.store(true, Ordering::Relaxed);
    assert!(holder.join(WATCHDOG), "the holder finished");
}

moult::class!(static GATED: dyn Item, u64 = "Gated", v1);

#[moult::hot]
fn gated_step(x: u64) -> u64 {
    x + 1
}

/// Closes `gated_step`'s gate, lets the holder arrive at it, then converts.
struct GateThenConvert {
    closed: Arc<AtomicBool>,
}
impl Update for GateThenConvert {
    fn name(&self) -> &str {
        "gate then convert"
    }
    fn apply(&mut self, ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        ctx.close_gate(moult::hot_fn!(gated_step)?)?;
        self.closed.store(true, Ordering::SeqCst);
        ctx.convert_eager(&GATED, v2, |old: &dyn Item| to_v2(old))?;
        Ok(())
    }
}

#[test]
fn a_reader_waiting_at_a_closed_gate_makes_the_conversion_roll_back() {
    let all: Vec<_> = (0..4).map(|i| GATED.create(i)).collect();
    let held = all[1].clone();
    let closed = Arc::new(AtomicBool::new(false));
    let (closed2, holding) = (closed.clone(), Arc::new(AtomicBool::new(false)));
    let holding2 = holding.clone();
    let app = std::thread::spawn(move || {
        let guard = held.read();
        holding2.store(true, Ordering::SeqCst);
        while !closed2.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        let next = gated_step(guard.id()); // waits at the gate, guard held
        drop(guard);
        next
    });
    wait_until("the app thread to hold its guard", || {
        holding.load(Ordering::SeqCst)
    });
    let (outcome, _) = run(GateThenConvert { closed });
    let Outcome::RolledBack(message) = outcome else {
        panic!("expected a rollback, got {outcome:?}");
    };
    assert!(message.contains("class_blocked::Gated"), "{message}");
    assert!(message.contains("instance"), "{message}");
    assert_eq!(app.join().unwrap(), 2, "the app thread went on");
    all_back(&all, GATED.name());
    assert_eq!(GATED.version(), 0);
}
