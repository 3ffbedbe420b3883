//! End-to-end apply latency: from spawning `moult-console apply <pid>
//! <prebuilt .so>` until the running app prints what the new version prints
//! (target ≤ 20 ms), against spawning `moult-console --version` (the cost of
//! starting the CLI process) and `moult-console status <pid>` (the CLI plus
//! one round trip to the agent) in the same run.
//!
//! The app is the tutorial's step1-hello printing every 1 ms
//! (`MOULT_DEMO_PERIOD_MS=1`), a fresh process per apply (an applied update
//! stays applied); the update is its solution crate, built alone into a
//! `.so` beforehand. Everything is built in the bench's own profile:
//! `cargo bench` builds release. Supersedes `tests/scripts/apply-latency.py`.
//!
//! `cargo bench -p moult-e2e --bench apply_latency` — criterion measures each
//! case, then the bench prints "case | median | spread | ratio to baseline |
//! target | met?". Under `cargo test` each case runs once (a smoke run).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group};
use moult_e2e::{build, library_path, private_runtime_dir};
use moult_protocol::discovery;

/// Target from spawning the CLI until the new version runs, in ns.
const TARGET_NS: f64 = 20e6;
/// What the solution's `hello` prints.
const NEW_LINE: &str = "hello moult";

/// Time from spawning the CLI until it exited, per apply (reported beside
/// criterion's figure for "until the new version runs").
/// Per apply: (until the new version printed, until the CLI exited), both
/// from spawning the CLI; criterion keeps only sums of the first.
static APPLIES: Mutex<Vec<(Duration, Duration)>> = Mutex::new(Vec::new());

/// A step1-hello process printing every 1 ms; killed on drop.
struct Hello {
    child: Child,
    runtime_dir: PathBuf,
    /// When the app's first new-version line was read.
    new_version: Receiver<Instant>,
}

impl Hello {
    /// Starts the app and waits until its agent listens and it printed.
    fn start(bin_dir: &Path) -> Hello {
        let runtime_dir = private_runtime_dir();
        let mut child = Command::new(bin_dir.join("step1-hello"))
            .env("MOULT_DEMO_PERIOD_MS", "1")
            .env(discovery::DIR_ENV, &runtime_dir)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start step1-hello");
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (first_tx, first_rx) = channel();
        let (tx, new_version) = channel();
        // Drains stdout all along (a full pipe would stall the app).
        std::thread::spawn(move || {
            let mut sent = false;
            for line in stdout.lines().map_while(Result::ok) {
                let _ = first_tx.send(());
                if !sent && line == NEW_LINE {
                    let _ = tx.send(Instant::now());
                    sent = true;
                }
            }
        });
        let app = Hello {
            child,
            runtime_dir,
            new_version,
        };
        let socket = discovery::socket_path(&app.runtime_dir, app.child.id());
        let deadline = Instant::now() + Duration::from_secs(20);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "no agent socket {socket:?}");
            std::thread::sleep(Duration::from_millis(2));
        }
        first_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("step1-hello prints");
        std::thread::sleep(Duration::from_millis(20));
        app
    }

    /// `moult-console <args>` pointed at this app's runtime directory.
    fn console(&self, bin_dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin_dir.join("moult-console"));
        cmd.args(args)
            .env(discovery::DIR_ENV, &self.runtime_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd
    }
}

impl Drop for Hello {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.runtime_dir);
    }
}

/// One apply on a fresh app: time until the new version printed.
fn apply_once(bin_dir: &Path, lib: &Path) -> Duration {
    let app = Hello::start(bin_dir);
    let pid = app.child.id().to_string();
    let lib = lib.to_str().unwrap();
    let t0 = Instant::now();
    let mut cli = app
        .console(bin_dir, &["apply", &pid, lib])
        .spawn()
        .expect("spawn moult-console apply");
    let seen = app
        .new_version
        .recv_timeout(Duration::from_secs(10))
        .expect("the new version runs");
    let status = cli.wait().unwrap();
    APPLIES.lock().unwrap().push((seen - t0, t0.elapsed()));
    assert!(status.success(), "moult-console apply failed: {status}");
    seen - t0
}

fn bench(c: &mut Criterion) {
    // Each alone, as a learner builds them: built together, cargo's feature
    // unification could change the app crate's hash and the update would
    // not match the app (README, "Build the app on its own").
    build(&["moult-console"]);
    let bin_dir = build(&["step1-hello"]);
    build(&["step1-hello-solution"]);
    let lib = library_path("step1-hello-solution");

    let mut g = c.benchmark_group("apply_latency");
    g.sampling_mode(SamplingMode::Flat);
    g.bench_function("cli_version", |b| {
        b.iter(|| {
            let status = Command::new(bin_dir.join("moult-console"))
                .arg("--version")
                .stdout(Stdio::null())
                .status()
                .unwrap();
            assert!(status.success());
        })
    });
    {
        let app = Hello::start(&bin_dir);
        let pid = app.child.id().to_string();
        g.bench_function("cli_status", |b| {
            b.iter(|| {
                let status = app.console(&bin_dir, &["status", &pid]).status().unwrap();
                assert!(status.success(), "moult-console status failed");
            })
        });
    }
    g.bench_function("apply_until_new_version_runs", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| apply_once(&bin_dir, &lib)).sum())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    targets = bench
}

/// Median and median absolute deviation (ns) criterion saved for `id`.
fn estimate(id: &str) -> Option<(f64, f64)> {
    moult_bench_support::estimate("apply_latency", id)
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // Only a real measurement run has fresh estimates to summarise.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!("\napply_latency ({profile} builds)");
    println!("case | median | spread (MAD) | ratio to --version | ratio to status | target | met?");
    let version = estimate("cli_version").map_or(f64::NAN, |e| e.0);
    let status = estimate("cli_status").map_or(f64::NAN, |e| e.0);
    for id in ["cli_version", "cli_status", "apply_until_new_version_runs"] {
        let Some((m, mad)) = estimate(id) else {
            continue;
        };
        let target = id.starts_with("apply");
        println!(
            "{id} | {:.2} ms | ±{:.2} ms | {:.2}x | {:.2}x | {} | {}",
            m / 1e6,
            mad / 1e6,
            m / version,
            m / status,
            if target { "≤ 20 ms" } else { "baseline" },
            match (target, m <= TARGET_NS) {
                (false, _) => "-",
                (true, true) => "yes",
                (true, false) => "NO",
            }
        );
    }
    let applies = APPLIES.lock().unwrap().clone();
    let spread = |what: &str, mut d: Vec<Duration>| {
        if d.is_empty() {
            return;
        }
        d.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "apply: {what} | {:.2} ms | {:.2}..{:.2} ms (n={}) | - | - | - | -",
            ms(d[d.len() / 2]),
            ms(d[0]),
            ms(d[d.len() - 1]),
            d.len()
        );
    };
    spread(
        "new version ran after",
        applies.iter().map(|a| a.0).collect(),
    );
    spread("CLI exited after", applies.iter().map(|a| a.1).collect());
    spread(
        "CLI exit minus new version",
        applies.iter().map(|a| a.1.saturating_sub(a.0)).collect(),
    );
}
