//! The agent's cost in a busy app: CPU share of the agent's own threads
//! (`moult-agent`, `moult-conn-N`, `moult-conn-N-w`, `moult-conn-N-sub`,
//! `moult-manager`) with a subscriber attached that also asks for a full
//! `snapshot` at 10 Hz, against the same app with no client at all; and the
//! size of a full snapshot.
//!
//! The app is this process: 1 000 hot functions (100 macro-generated modules
//! of 10), 100 000 tracked instances of one class, two load threads calling
//! the hot functions round-robin without pause, and the agent started with
//! `moult::agent::start`. The subscriber is a plain `UnixStream` speaking
//! JSON lines (as `tests/src/client.rs` does): `hello`, `subscribe`, then a
//! `snapshot` request every 100 ms, reading everything the agent sends.
//!
//! CPU time per thread comes from `/proc/self/task/*/schedstat` (ns on CPU),
//! summed over the agent's threads across a fixed window, as % of one core.
//!
//! `cargo bench -p moult --bench agent_overhead` — prints the table "case |
//! median | spread | ratio to baseline | target | met?" (target: ≤ 2 % of a
//! core with the subscriber). Under `cargo test` (no `--bench` argument) it
//! runs once with 1 000 instances and short windows, as a smoke test.

use std::collections::HashMap;
use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use moult::protocol::{ClientMessage, PROTOCOL_VERSION, Request};

/// Writes one module per name with ten hot functions and their table.
macro_rules! hot_modules {
    ($($m:ident)*) => {
        $(mod $m {
            hot_modules!(@fns f0 1 f1 2 f2 3 f3 4 f4 5 f5 6 f6 7 f7 8 f8 9 f9 10);
        })*
        /// Every hot function, module by module.
        const HOT: &[[fn(u64) -> u64; 10]] = &[$($m::ALL),*];
    };
    (@fns $($f:ident $k:literal)*) => {
        $(
            #[moult::hot]
            #[inline(never)]
            pub fn $f(x: u64) -> u64 {
                x.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left($k)
            }
        )*
        pub const ALL: [fn(u64) -> u64; 10] = [$($f),*];
    };
}

hot_modules!(
    m00 m01 m02 m03 m04 m05 m06 m07 m08 m09 m10 m11 m12 m13 m14 m15 m16 m17 m18 m19
    m20 m21 m22 m23 m24 m25 m26 m27 m28 m29 m30 m31 m32 m33 m34 m35 m36 m37 m38 m39
    m40 m41 m42 m43 m44 m45 m46 m47 m48 m49 m50 m51 m52 m53 m54 m55 m56 m57 m58 m59
    m60 m61 m62 m63 m64 m65 m66 m67 m68 m69 m70 m71 m72 m73 m74 m75 m76 m77 m78 m79
    m80 m81 m82 m83 m84 m85 m86 m87 m88 m89 m90 m91 m92 m93 m94 m95 m96 m97 m98 m99
);

/// The tracked class: a 3-field value behind a trait object.
pub trait Item: std::any::Any + Send + Sync {}
struct ItemV0 {
    _a: u64,
    _b: u64,
    _c: u64,
}
impl Item for ItemV0 {}
moult::class!(static ITEMS: dyn Item, u64 = "Item" as ItemV0, |a| Box::new(ItemV0 { _a: a, _b: a + 1, _c: a + 2 }));

/// Load threads calling hot functions.
const LOAD_THREADS: usize = 2;
/// Target: the agent's CPU share with the subscriber, % of one core.
const TARGET_PERCENT: f64 = 2.0;

/// Run sizes: the real figure under `cargo bench`, a smoke run under `cargo test`.
struct Plan {
    instances: u64,
    window: Duration,
    windows: usize,
}

/// Nanoseconds on CPU of every thread of this process, by tid, with its name.
fn thread_cpu() -> HashMap<u32, (String, u64)> {
    let mut out = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return out;
    };
    for entry in dir.flatten() {
        let Ok(tid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let path = entry.path();
        let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        let ns = std::fs::read_to_string(path.join("schedstat"))
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok());
        if let Some(ns) = ns {
            out.insert(tid, (name.trim().to_string(), ns));
        }
    }
    out
}

/// CPU ns the agent's threads used between `before` and `after` (threads
/// started in between count from zero).
fn agent_ns(before: &HashMap<u32, (String, u64)>, after: &HashMap<u32, (String, u64)>) -> u64 {
    after
        .iter()
        .filter(|(_, (name, _))| name.starts_with("moult-"))
        .map(|(tid, (_, ns))| ns - before.get(tid).map_or(0, |b| b.1.min(*ns)))
        .sum()
}

/// One window: (agent CPU % of a core, hot calls per second by the load threads).
fn window(len: Duration, calls: &AtomicU64) -> (f64, f64) {
    let before = thread_cpu();
    let c0 = calls.load(Ordering::Relaxed);
    let t0 = Instant::now();
    std::thread::sleep(len);
    let wall = t0.elapsed();
    let c1 = calls.load(Ordering::Relaxed);
    let after = thread_cpu();
    let pct = agent_ns(&before, &after) as f64 / wall.as_nanos() as f64 * 100.0;
    (pct, (c1 - c0) as f64 / wall.as_secs_f64())
}

/// Sends one request line.
fn send(stream: &mut UnixStream, id: u64, request: Request) {
    let mut line = serde_json::to_string(&ClientMessage { id, request }).unwrap();
    line.push('\n');
    stream.write_all(line.as_bytes()).expect("send to agent");
}

/// What the subscriber saw.
#[derive(Default)]
struct Seen {
    /// Bytes of each `snapshot` reply line.
    snapshot_bytes: Vec<usize>,
    /// Round trip of each `snapshot` request.
    round_trips: Vec<Duration>,
    /// Every line received (replies, states, events).
    lines: u64,
}

/// Connects, subscribes, and asks for a snapshot every 100 ms until `stop`.
fn subscriber(socket: std::path::PathBuf, stop: Arc<AtomicBool>, seen: Arc<Mutex<Seen>>) {
    let mut stream = UnixStream::connect(&socket).expect("connect to the agent");
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let hello = Request::Hello {
        protocol: PROTOCOL_VERSION,
        client: "agent_overhead bench".into(),
    };
    send(&mut stream, 1, hello);
    send(&mut stream, 2, Request::Subscribe);
    // Reader: every line the agent sends; snapshot replies carry id ≥ 100
    // (matched by prefix: parsing megabytes of JSON would load the machine).
    let sent: Arc<Mutex<HashMap<u64, Instant>>> = Arc::default();
    let reader_thread = {
        let (sent, seen) = (sent.clone(), seen.clone());
        std::thread::Builder::new()
            .name("bench-reader".into())
            .spawn(move || {
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                    let mut s = seen.lock().unwrap();
                    s.lines += 1;
                    if let Some(rest) = line.strip_prefix("{\"type\":\"ok\",\"id\":") {
                        let id: u64 = rest
                            .split(|c: char| !c.is_ascii_digit())
                            .next()
                            .and_then(|d| d.parse().ok())
                            .unwrap_or(0);
                        if let Some(t) = sent.lock().unwrap().remove(&id) {
                            s.round_trips.push(t.elapsed());
                            s.snapshot_bytes.push(line.len());
                        }
                    }
                    line.clear();
                }
            })
            .unwrap()
    };
    let mut id = 100;
    while !stop.load(Ordering::Relaxed) {
        sent.lock().unwrap().insert(id, Instant::now());
        send(&mut stream, id, Request::Snapshot);
        id += 1;
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let _ = reader_thread.join();
}

fn median_spread(mut xs: Vec<f64>) -> (f64, f64, f64) {
    xs.sort_by(f64::total_cmp);
    (xs[xs.len() / 2], xs[0], xs[xs.len() - 1])
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let plan = if bench {
        Plan {
            instances: 100_000,
            window: Duration::from_secs(3),
            windows: 5,
        }
    } else {
        Plan {
            instances: 1_000,
            window: Duration::from_millis(300),
            windows: 1,
        }
    };
    let info = moult::agent::start("agent-overhead-bench").expect("start the agent");
    let socket = std::path::PathBuf::from(&info.socket);
    let items: Vec<_> = (0..plan.instances).map(|i| ITEMS.create(i)).collect();

    let stop = Arc::new(AtomicBool::new(false));
    let calls = Arc::new(AtomicU64::new(0));
    let load: Vec<_> = (0..LOAD_THREADS)
        .map(|t| {
            let (stop, calls) = (stop.clone(), calls.clone());
            std::thread::Builder::new()
                .name(format!("load-{t}"))
                .spawn(move || {
                    let mut acc = t as u64;
                    while !stop.load(Ordering::Relaxed) {
                        for module in HOT {
                            for f in module {
                                acc = f(black_box(acc));
                            }
                        }
                        calls.fetch_add(1000, Ordering::Relaxed);
                    }
                    black_box(acc);
                })
                .unwrap()
        })
        .collect();
    std::thread::sleep(plan.window / 3);

    // Baseline: no client connected.
    let idle: Vec<(f64, f64)> = (0..plan.windows)
        .map(|_| window(plan.window, &calls))
        .collect();

    // With the subscriber (after it settled).
    let sub_stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let sub = {
        let (s, st, se) = (socket.clone(), sub_stop.clone(), seen.clone());
        std::thread::Builder::new()
            .name("bench-subscriber".into())
            .spawn(move || subscriber(s, st, se))
            .unwrap()
    };
    std::thread::sleep(plan.window / 3);
    let busy: Vec<(f64, f64)> = (0..plan.windows)
        .map(|_| window(plan.window, &calls))
        .collect();
    sub_stop.store(true, Ordering::Relaxed);
    sub.join().unwrap();
    stop.store(true, Ordering::Relaxed);
    for t in load {
        t.join().unwrap();
    }
    black_box(&items);

    let seen = seen.lock().unwrap();
    assert!(
        !seen.snapshot_bytes.is_empty(),
        "the subscriber got no snapshot reply ({} lines)",
        seen.lines
    );
    let (idle_cpu, idle_lo, idle_hi) = median_spread(idle.iter().map(|w| w.0).collect());
    let (busy_cpu, busy_lo, busy_hi) = median_spread(busy.iter().map(|w| w.0).collect());
    let (idle_calls, idle_c_lo, idle_c_hi) = median_spread(idle.iter().map(|w| w.1).collect());
    let (busy_calls, busy_c_lo, busy_c_hi) = median_spread(busy.iter().map(|w| w.1).collect());
    let (rtt, rtt_lo, rtt_hi) = median_spread(
        seen.round_trips
            .iter()
            .map(|d| d.as_secs_f64() * 1e3)
            .collect(),
    );
    let bytes = *seen.snapshot_bytes.iter().max().unwrap();
    println!(
        "agent_overhead: {} instances, {} hot functions, {LOAD_THREADS} load threads, {} windows of {:?}{}",
        plan.instances,
        HOT.len() * 10,
        plan.windows,
        plan.window,
        if bench { "" } else { " (smoke run)" },
    );
    println!("case | median | spread (min..max) | ratio to baseline | target | met?");
    println!(
        "agent CPU, no client (baseline) | {idle_cpu:.3} % of a core | {idle_lo:.3}..{idle_hi:.3} | 1.0x | - | -"
    );
    println!(
        "agent CPU, subscriber + snapshot at 10 Hz | {busy_cpu:.3} % of a core | {busy_lo:.3}..{busy_hi:.3} | +{:.3} points | ≤ {TARGET_PERCENT} % | {}",
        busy_cpu - idle_cpu,
        match (bench, busy_cpu <= TARGET_PERCENT) {
            (false, _) => "n/a (smoke run)",
            (true, true) => "yes",
            (true, false) => "NO",
        }
    );
    println!(
        "hot calls/s, no client (baseline) | {idle_calls:.3e} | {idle_c_lo:.3e}..{idle_c_hi:.3e} | 1.0x | - | -"
    );
    println!(
        "hot calls/s, with the subscriber | {busy_calls:.3e} | {busy_c_lo:.3e}..{busy_c_hi:.3e} | {:.3}x | - | -",
        busy_calls / idle_calls
    );
    println!("snapshot request round trip | {rtt:.2} ms | {rtt_lo:.2}..{rtt_hi:.2} ms | - | - | -");
    println!(
        "full snapshot reply | {bytes} bytes ({:.1} KiB) | - | - | - | -",
        bytes as f64 / 1024.0
    );
    println!("lines received by the subscriber: {}", seen.lines);
}
