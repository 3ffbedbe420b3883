//! moult in one program: a multi-threaded app updated live, in-process, by
//! the four kinds of update — a safe redefine, an eager conversion, a lazy
//! conversion and a thread reboot — while its threads keep working.
//!
//! `cargo run -p moult --example quickstart`

use std::any::Any;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use moult::class::{EagerConversion, LazyConversion};
use moult::dsu::{Main, ThreadReboot};
use moult::protocol::Outcome;
use moult::update::SafeRedefine;

// ---- the app -----------------------------------------------------------------

/// A hot function three worker threads call in a loop.
#[moult::hot]
fn greeting(worker: usize) -> String {
    format!("hello from worker {worker}")
}

/// Temperatures, converted eagerly from Celsius to Fahrenheit.
trait Temperature: Any + Send + Sync + fmt::Display {}

struct Celsius(f64);
impl Temperature for Celsius {}
impl fmt::Display for Celsius {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1}°C", self.0)
    }
}

moult::class!(static TEMPERATURES: dyn Temperature, f64 = "Temperature" as Celsius, |c| Box::new(Celsius(c)));

/// Points, converted lazily from 2-D to 3-D (10 000 of them: apply is O(1)).
trait Point: Any + Send + Sync {
    fn describe(&self) -> String;
}

struct P2 {
    x: i64,
    y: i64,
}
impl Point for P2 {
    fn describe(&self) -> String {
        format!("({}, {})", self.x, self.y)
    }
}

moult::class!(static POINTS: dyn Point, (i64, i64) = "Point" as P2, |(x, y)| Box::new(P2 { x, y }));

static STOP: AtomicBool = AtomicBool::new(false);
static CALLS: AtomicU64 = AtomicU64::new(0);

/// The DSU thread `ticker`'s first main.
fn ticker_v1() {
    while !STOP.load(Ordering::Relaxed) {
        moult::update_point!("tick");
        std::thread::sleep(Duration::from_millis(5));
    }
}

// ---- the new versions, as an update crate would ship them -----------------------

fn greeting_v2(worker: usize) -> String {
    format!("hi, worker {worker} here (v2)")
}

struct Fahrenheit(f64);
impl Temperature for Fahrenheit {}
impl fmt::Display for Fahrenheit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1}°F", self.0)
    }
}

fn to_fahrenheit(old: &dyn Temperature) -> Box<dyn Temperature> {
    let any: &dyn Any = old;
    let c = any
        .downcast_ref::<Celsius>()
        .expect("version 0 values are Celsius");
    Box::new(Fahrenheit(c.0 * 9.0 / 5.0 + 32.0))
}

struct P3 {
    x: i64,
    y: i64,
    z: i64,
}
impl Point for P3 {
    fn describe(&self) -> String {
        format!("({}, {}, {})", self.x, self.y, self.z)
    }
}

fn to_3d(old: &dyn Point) -> Box<dyn Point> {
    let any: &dyn Any = old;
    let p = any.downcast_ref::<P2>().expect("version 0 values are P2");
    Box::new(P3 {
        x: p.x,
        y: p.y,
        z: 0,
    })
}

fn ticker_v2() {
    println!("  [ticker] rebooted onto main v2");
    while !STOP.load(Ordering::Relaxed) {
        moult::update_point!("tick");
        std::thread::sleep(Duration::from_millis(5));
    }
}

// ---- driving it ------------------------------------------------------------------

fn main() {
    let rt = moult::init();
    let workers: Vec<_> = (0..3)
        .map(|w| {
            std::thread::Builder::new()
                .name(format!("worker-{w}"))
                .spawn(move || {
                    let mut last = String::new();
                    while !STOP.load(Ordering::Relaxed) {
                        let g = greeting(w);
                        if g != last {
                            println!("  [worker-{w}] {g}");
                            last = g;
                        }
                        CALLS.fetch_add(1, Ordering::Relaxed);
                    }
                })
                .expect("spawn worker")
        })
        .collect();
    let temps: Vec<_> = [18.5, 21.0, 36.6]
        .into_iter()
        .map(|c| TEMPERATURES.create(c))
        .collect();
    let points: Vec<_> = (0..10_000).map(|i| POINTS.create((i, 2 * i))).collect();
    let ticker = moult::dsu::spawn("ticker", ticker_v1).expect("spawn ticker");
    println!(
        "quickstart: 3 workers calling greeting(), a DSU thread `ticker`, 3 temperatures, 10000 points"
    );
    let show_temps = || {
        temps
            .iter()
            .map(|t| t.read().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!("  temperatures: {}", show_temps());
    std::thread::sleep(Duration::from_millis(50));

    let mut outcomes = Vec::new();
    let mut run = |what: &str, update: Box<dyn moult::Update>| {
        println!("-> {what}");
        let id = rt.submit(update);
        let outcome = rt
            .wait(id, Duration::from_secs(30))
            .unwrap_or(Outcome::Failed("timed out".into()));
        println!("   {outcome:?}");
        outcomes.push(outcome);
    };

    let greeting_fn = moult::hot_fn!(greeting).expect("greeting is registered");
    run(
        "safe redefine of greeting: gate closed, running calls drained, swapped",
        Box::new(SafeRedefine::new(
            greeting_fn,
            greeting_v2 as fn(usize) -> String,
        )),
    );
    std::thread::sleep(Duration::from_millis(20));

    run(
        "eager conversion of every Temperature to Fahrenheit",
        Box::new(EagerConversion::new(
            &TEMPERATURES,
            |c| Box::new(Fahrenheit(c * 9.0 / 5.0 + 32.0)),
            to_fahrenheit,
        )),
    );
    println!(
        "  temperatures: {}; a new one: {}",
        show_temps(),
        &*TEMPERATURES.create(100.0).read()
    );

    run(
        "lazy conversion of the 10000 Points to 3-D (O(1) now, each on its next access)",
        Box::new(LazyConversion::new(
            &POINTS,
            |(x, y)| Box::new(P3 { x, y, z: 0 }),
            to_3d,
        )),
    );
    let pending = |rt: &moult::Runtime| {
        rt.classes()
            .into_iter()
            .find(|c| c.name.ends_with("::Point"))
            .map_or(0, |c| c.pending_lazy)
    };
    println!("  pending after apply: {}", pending(rt));
    println!("  point 7 on access: {}", points[7].read().describe());
    println!("  pending after one access: {}", pending(rt));
    let converted = POINTS.handle().expect("registered").convert_pending();
    println!(
        "  converted the remaining {converted} at once; pending: {}",
        pending(rt)
    );

    run(
        "reboot of DSU thread `ticker` onto a new main at its update point",
        Box::new(ThreadReboot::new("ticker").onto(Main::new(ticker_v2))),
    );

    STOP.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().expect("worker");
    }
    ticker.join(Duration::from_secs(10));
    let applied = outcomes.iter().filter(|o| **o == Outcome::Applied).count();
    println!(
        "  {} greeting calls while updating",
        CALLS.load(Ordering::Relaxed)
    );
    println!(
        "quickstart: {applied} updates applied, {} failed",
        outcomes.len() - applied
    );
}
