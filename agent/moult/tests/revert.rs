//! Reverting applied updates, in process (issue 14): on demand and by a
//! watch; refused, before anything changes, when it cannot be done.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use moult::dsu::{Main, ThreadReboot};
use moult::protocol::{EventKind, Outcome};
use moult::update::{SafeRedefine, Watch};
use moult::{Update, UpdateContext, UpdateError};

const WAIT: Duration = Duration::from_secs(30);

/// The tests share the one runtime and its history: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn run(update: impl Update) -> (u64, Outcome) {
    let rt = moult::runtime();
    let id = rt.submit(Box::new(update));
    (id, rt.wait(id, WAIT).expect("the update ends"))
}

fn revert(target: Option<u64>) -> (u64, Outcome) {
    let rt = moult::runtime();
    let id = rt.revert(target, "test").expect("revert queued");
    (id, rt.wait(id, WAIT).expect("the revert ends"))
}

#[moult::hot]
fn answer(x: u64) -> u64 {
    x + 1
}

fn answer_v2(x: u64) -> u64 {
    x + 2
}

#[test]
fn a_redefine_is_reverted_under_load_without_losing_or_mixing_a_call() {
    let _s = serial();
    let stop = Arc::new(AtomicBool::new(false));
    let after_revert = Arc::new(AtomicBool::new(false));
    let callers: Vec<_> = (0..8)
        .map(|_| {
            let (stop, after) = (stop.clone(), after_revert.clone());
            std::thread::spawn(move || {
                let (mut old, mut new, mut late_new) = (0u64, 0u64, 0u64);
                while !stop.load(Ordering::Relaxed) {
                    let reverted = after.load(Ordering::SeqCst);
                    match answer(10) {
                        11 => old += 1,
                        12 if reverted => late_new += 1,
                        12 => new += 1,
                        other => panic!("answer(10) = {other}: half an update"),
                    }
                }
                (old, new, late_new)
            })
        })
        .collect();
    let f = moult::hot_fn!(answer).unwrap();
    let (applied, outcome) = run(SafeRedefine::new(f, answer_v2 as fn(u64) -> u64));
    assert_eq!(outcome, Outcome::Applied);
    std::thread::sleep(Duration::from_millis(30));
    let (_, outcome) = revert(Some(applied));
    assert_eq!(outcome, Outcome::Applied);
    after_revert.store(true, Ordering::SeqCst);
    assert_eq!(f.version(), 0, "back to the version before");
    std::thread::sleep(Duration::from_millis(30));
    stop.store(true, Ordering::SeqCst);
    let (mut old, mut new, mut late) = (0, 0, 0);
    for c in callers {
        let (o, n, l) = c.join().expect("no caller panicked");
        (old, new, late) = (old + o, new + n, late + l);
    }
    assert!(old > 0 && new > 0, "both versions ran: {old} {new}");
    assert_eq!(late, 0, "after the revert only the old version runs");
    assert_eq!(answer(10), 11);
    let calls: u64 = moult::runtime()
        .functions()
        .into_iter()
        .find(|i| i.name.ends_with("::answer"))
        .unwrap()
        .health
        .iter()
        .map(|h| h.calls)
        .sum();
    assert!(
        calls >= old + new,
        "every call counted: {calls} < {}",
        old + new
    );
}

#[moult::hot]
fn twice(x: u64) -> u64 {
    x * 2
}

fn twice_v2(x: u64) -> u64 {
    x * 20
}

fn twice_v3(x: u64) -> u64 {
    x * 200
}

#[test]
fn a_revert_is_refused_when_a_later_update_changed_the_same_function_and_reverts_revert() {
    let _s = serial();
    let f = moult::hot_fn!(twice).unwrap();
    let (first, _) = run(SafeRedefine::new(f, twice_v2 as fn(u64) -> u64));
    let (second, _) = run(SafeRedefine::new(f, twice_v3 as fn(u64) -> u64).named("twice v3"));
    let refused = moult::runtime().revert(Some(first), "test").unwrap_err();
    assert!(
        refused.contains(&format!("update #{second} (twice v3) applied later")),
        "{refused}"
    );
    assert_eq!(twice(1), 200, "nothing changed");
    // The newest first, then the first one.
    let (r2, outcome) = revert(None);
    assert_eq!(outcome, Outcome::Applied);
    assert_eq!(twice(1), 20);
    // Reverting the revert applies `twice v3` again.
    let (_, outcome) = revert(Some(r2));
    assert_eq!(outcome, Outcome::Applied);
    assert_eq!(twice(1), 200);
    let again = moult::runtime().revert(Some(r2), "test").unwrap_err();
    assert!(again.contains("already reverted"), "{again}");
}

/// A custom update that says nothing about reverting.
struct Custom;

impl Update for Custom {
    fn name(&self) -> &str {
        "custom"
    }
    fn apply(&mut self, _ctx: &mut UpdateContext) -> Result<(), UpdateError> {
        Ok(())
    }
}

#[test]
fn a_custom_update_is_not_revertible_unless_it_says_so() {
    let _s = serial();
    let (id, outcome) = run(Custom);
    assert_eq!(outcome, Outcome::Applied);
    let refused = moult::runtime().revert(Some(id), "test").unwrap_err();
    assert!(
        refused.contains("`custom` does not say it can be reverted"),
        "{refused}"
    );
}

static SAYS: Mutex<&str> = Mutex::new("");

fn main_v1() {
    loop {
        moult::update_point!("loop");
        *SAYS.lock().unwrap() = "v1";
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn main_v2() {
    loop {
        moult::update_point!("loop");
        *SAYS.lock().unwrap() = "v2";
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn says(what: &str) -> bool {
    for _ in 0..2000 {
        if *SAYS.lock().unwrap() == what {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}

#[test]
fn a_reboot_onto_a_new_main_is_reverted_onto_the_old_main() {
    let _s = serial();
    let thread = moult::dsu::spawn("looper", main_v1).unwrap();
    assert!(says("v1"));
    let (_, outcome) = run(ThreadReboot::new("looper").onto(Main::new(main_v2)));
    assert_eq!(outcome, Outcome::Applied);
    assert!(says("v2"));
    let (_, outcome) = revert(None);
    assert_eq!(outcome, Outcome::Applied);
    assert!(says("v1"), "the old main runs again");
    assert!(
        thread.wait_for(WAIT, |i| i.reboots == 2),
        "{:?}",
        thread.info()
    );
}

#[moult::hot]
fn flaky(x: u64) -> u64 {
    x
}

/// Panics on every third call.
fn flaky_v2(x: u64) -> u64 {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    if CALLS.fetch_add(1, Ordering::Relaxed) % 3 == 2 {
        panic!("flaky v2 fails call {x}");
    }
    x + 1000
}

#[test]
fn a_watch_reverts_an_update_whose_new_version_panics_too_often() {
    let _s = serial();
    let rt = moult::init();
    let cursor = rt.events().cursor();
    let f = moult::hot_fn!(flaky).unwrap();
    let id = rt.submit_watched(
        Box::new(SafeRedefine::new(f, flaky_v2 as fn(u64) -> u64)),
        Some(Watch::new(Duration::from_secs(10), 3)),
    );
    assert_eq!(rt.wait(id, WAIT), Some(Outcome::Applied));
    std::panic::set_hook(Box::new(|_| {}));
    // The app keeps serving; after the revert, every call is the old version.
    let mut served = 0;
    let mut reverted_at = None;
    for i in 0..20_000u64 {
        if let Ok(v) = std::panic::catch_unwind(|| flaky(i)) {
            served += 1;
            if v == i && reverted_at.is_none() {
                reverted_at = Some(i);
            }
        }
        if reverted_at.is_some_and(|at| i > at + 100) {
            break;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let _ = std::panic::take_hook();
    assert!(
        reverted_at.is_some(),
        "the old version came back ({served} served)"
    );
    assert_eq!(f.version(), 0);
    let events = rt.events().since(cursor).events;
    let reason = events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::UpdateReverted { target, reason, .. } if *target == id => {
                Some(reason.clone())
            }
            _ => None,
        })
        .expect("an update_reverted event");
    assert!(
        reason.contains("panics in") && reason.contains("flaky v1 within 10 s"),
        "{reason}"
    );
    assert!(events.iter().any(|e| matches!(&e.kind,
        EventKind::WatchEnded { id: w, reverted: true, .. } if *w == id)));
}

trait Temp: std::any::Any + Send + Sync {
    fn celsius(&self) -> f64;
    fn unit(&self) -> &'static str;
}

struct Celsius(f64);
impl Temp for Celsius {
    fn celsius(&self) -> f64 {
        self.0
    }
    fn unit(&self) -> &'static str {
        "C"
    }
}

struct Kelvin(f64);
impl Temp for Kelvin {
    fn celsius(&self) -> f64 {
        self.0 - 273.15
    }
    fn unit(&self) -> &'static str {
        "K"
    }
}

moult::class!(static TEMPS: dyn Temp, f64 = "Temp" as Celsius, |c| Box::new(Celsius(c)));

fn up(t: &dyn Temp) -> Box<dyn Temp> {
    Box::new(Kelvin(t.celsius() + 273.15))
}

fn down(t: &dyn Temp) -> Box<dyn Temp> {
    Box::new(Celsius(t.celsius()))
}

fn readings(all: &[moult::class::Tracked<dyn Temp>]) -> Vec<(String, &'static str)> {
    all.iter()
        .map(|t| {
            let t = t.read();
            (format!("{:.2}", t.celsius()), t.unit())
        })
        .collect()
}

#[test]
fn conversions_revert_with_their_down_transformer_and_are_refused_without_one() {
    use moult::class::{EagerConversion, LazyConversion};
    let _s = serial();
    let temps: Vec<_> = (0..50)
        .map(|i| TEMPS.create(i as f64 * 1.5 - 10.0))
        .collect();
    let before = readings(&temps);
    assert!(before.iter().all(|(_, u)| *u == "C"));

    // Without a down transformer: applied, but a revert is refused, naming the class.
    let (id, outcome) = run(EagerConversion::new(
        &TEMPS,
        |c| Box::new(Kelvin(c + 273.15)),
        up,
    ));
    assert_eq!(outcome, Outcome::Applied);
    let refused = moult::runtime().revert(Some(id), "test").unwrap_err();
    assert!(
        refused.contains("class `")
            && refused.contains("Temp`: its conversion has no down transformer"),
        "{refused}"
    );
    assert!(
        readings(&temps).iter().all(|(_, u)| *u == "K"),
        "nothing changed"
    );
    // Put Celsius back by hand (another conversion) for the next cases.
    let (_, outcome) =
        run(EagerConversion::new(&TEMPS, |c| Box::new(Celsius(c)), down).named("back"));
    assert_eq!(outcome, Outcome::Applied);

    // Eager, with a down transformer: every value restored exactly.
    let (_, outcome) = run(
        EagerConversion::new(&TEMPS, |c| Box::new(Kelvin(c + 273.15)), up)
            .down(down)
            .named("to kelvin"),
    );
    assert_eq!(outcome, Outcome::Applied);
    assert!(readings(&temps).iter().all(|(_, u)| *u == "K"));
    assert_eq!(TEMPS.create(1.0).read().unit(), "K");
    let (_, outcome) = revert(None);
    assert_eq!(outcome, Outcome::Applied);
    assert_eq!(readings(&temps), before, "every value back, exactly");
    assert_eq!(
        TEMPS.create(1.0).read().unit(),
        "C",
        "the old constructor of record"
    );

    // Lazy, with instances still pending: reverted all the same.
    let (_, outcome) = run(
        LazyConversion::new(&TEMPS, |c| Box::new(Kelvin(c + 273.15)), up)
            .down(down)
            .named("to kelvin, lazily"),
    );
    assert_eq!(outcome, Outcome::Applied);
    let _ = temps[0].read(); // one converted, the others pending
    let (_, outcome) = revert(None);
    assert_eq!(outcome, Outcome::Applied);
    assert_eq!(readings(&temps), before);
}
