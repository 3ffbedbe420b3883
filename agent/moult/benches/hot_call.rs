//! Cost of a hot call against a direct call, a fn-pointer call and a
//! hot-lib-reloader 0.8 hot function, on one thread and with two threads
//! calling the same function at once.
//!
//! `cargo bench -p moult --bench hot_call` — criterion measures each case;
//! at the end the bench prints a table with each median as a ratio to the
//! fn-pointer call measured in the same run (targets: hot ≤ 1.3× fn pointer;
//! 2 threads ≤ 1.1× of 1 thread per call; hot-lib-reloader ≥ 20× moult;
//! a library version ≤ 1.2× version 0).
//!
//! The library-version case calls a hot function whose current version is
//! code of another image, as an update library's new version is: the same
//! body (`hlr_body`, looked up in the `dlopen`ed fixture library) installed
//! as owned by another copy of `std`, so each call misses the own-image
//! check, finds the owner and goes through its panic catch (`crossing.rs`).
//! The other copy is moult's in-process stand-in, which runs the same catch
//! code a library's copy does.
//!
//! The hot-lib-reloader case calls `hlr_body` of the fixture crate
//! `tests/fixtures/hlr-lib` (same body as `hot_body` here), which the bench
//! builds first with `cargo build --release -p hlr-lib`, through the
//! forwarding function hot-lib-reloader's `#[hot_module]` generates (each
//! call: clone of the loader's `Arc`, `RwLock` read, symbol lookup, call).
//! Under `cargo test` each case runs once (the fixture is still built).

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};

mod common;
use common::{Row, estimate, print_table};

/// Where the fixture `hlr-lib` is built (`<target>/release`, honouring
/// `CARGO_TARGET_DIR`): hot-lib-reloader's `lib_dir`.
fn hlr_lib_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(
            || std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"),
            std::path::PathBuf::from,
        )
        .join("release")
}

/// Builds the fixture library hot-lib-reloader loads (before its first call).
fn build_hlr_lib() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["build", "--release", "--quiet", "-p", "hlr-lib"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo to build the hlr-lib fixture");
    assert!(
        out.status.success(),
        "cargo build -p hlr-lib failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// hot-lib-reloader's generated module: `hlr_body` forwards to the symbol of
/// the currently loaded `libhlr_lib.so`.
#[hot_lib_reloader::hot_module(dylib = "hlr_lib", lib_dir = super::hlr_lib_dir())]
mod hlr {
    #[hot_function]
    pub fn hlr_body(x: u64) -> u64 {}
}

#[inline(never)]
fn body(x: u64) -> u64 {
    x.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(7)
}

#[moult::hot]
#[inline(never)]
fn hot_body(x: u64) -> u64 {
    x.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(7)
}

/// Runs `iters` calls on `threads` threads at once; returns the wall time,
/// i.e. the time per call on each thread × iters.
fn concurrent(threads: usize, iters: u64, call: fn(u64) -> u64) -> Duration {
    let start = Barrier::new(threads + 1);
    let end = Barrier::new(threads + 1);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                start.wait();
                let mut acc = 0u64;
                for i in 0..iters {
                    acc = acc.wrapping_add(call(black_box(i)));
                }
                black_box(acc);
                end.wait();
            });
        }
        start.wait();
        let t0 = Instant::now();
        end.wait();
        t0.elapsed()
    })
}

fn via_pointer(x: u64) -> u64 {
    let f: fn(u64) -> u64 = black_box(body);
    f(x)
}

fn via_hot(x: u64) -> u64 {
    hot_body(x)
}

/// `hlr_body` of the fixture library, `dlopen`ed (and never closed): code of
/// another image, as a library version's is.
fn foreign_body() -> fn(u64) -> u64 {
    let path = hlr_lib_dir().join("libhlr_lib.so");
    // SAFETY: the fixture is a plain Rust cdylib; it is never closed.
    let lib = Box::leak(Box::new(
        unsafe { libloading::Library::new(&path) }.expect("dlopen the hlr-lib fixture"),
    ));
    // SAFETY: `hlr_body` is `#[no_mangle] pub fn(u64) -> u64`.
    *unsafe { lib.get::<fn(u64) -> u64>(b"hlr_body") }.expect("hlr_body")
}

/// Version 0 is never called: the bench installs `hlr_body` as a library version.
#[moult::hot]
#[inline(never)]
fn hot_lib_body(x: u64) -> u64 {
    x
}

fn via_hot_library_version(x: u64) -> u64 {
    hot_lib_body(x)
}

fn via_direct(x: u64) -> u64 {
    body(x)
}

fn via_hlr(x: u64) -> u64 {
    hlr::hlr_body(x)
}

fn bench(c: &mut Criterion) {
    moult::init();
    build_hlr_lib();
    assert_eq!(via_hlr(3), body(3), "hot-lib-reloader calls the fixture");
    let library = foreign_body();
    moult::hot_fn!(hot_lib_body)
        .expect("registered")
        .install_as_library_version(library);
    assert_eq!(
        via_hot_library_version(3),
        body(3),
        "the library version runs"
    );
    let mut g = c.benchmark_group("hot_call");
    for (name, f) in [
        ("direct", via_direct as fn(u64) -> u64),
        ("fn_pointer", via_pointer),
        ("hot", via_hot),
        ("hot_library_version", via_hot_library_version),
        ("hot_lib_reloader", via_hlr),
    ] {
        g.bench_function(format!("{name}/1_thread"), |b| {
            b.iter_custom(|iters| concurrent(1, iters, f))
        });
        g.bench_function(format!("{name}/2_threads"), |b| {
            b.iter_custom(|iters| concurrent(2, iters, f))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = bench
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}

/// Prints the table of ratios (medians of this run).
fn summary() {
    let med = |id: &str| estimate("hot_call", id).map(|(m, _)| m);
    let Some(base) = med("fn_pointer/1_thread") else {
        return;
    };
    let mut rows = Vec::new();
    for id in [
        "direct/1_thread",
        "fn_pointer/1_thread",
        "hot/1_thread",
        "hot_library_version/1_thread",
        "hot_lib_reloader/1_thread",
        "direct/2_threads",
        "fn_pointer/2_threads",
        "hot/2_threads",
        "hot_lib_reloader/2_threads",
    ] {
        let (Some(row), Some(m)) = (Row::timed("hot_call", id), med(id)) else {
            continue;
        };
        let row = row.ratio(m / base, "fn_pointer/1_thread");
        rows.push(match id {
            "hot/1_thread" => row.target("≤ 1.30× fn pointer", m / base <= 1.3),
            _ => row,
        });
    }
    let derived = |case: &str, a: &str, b: &str, target: &str, ok: fn(f64) -> bool| {
        let (ma, mb) = (med(a)?, med(b)?);
        Some(Row {
            case: case.into(),
            median: String::new(),
            spread: String::new(),
            ratio: format!("{:.2}× ({a} / {b})", ma / mb),
            target: target.into(),
            met: Some(ok(ma / mb)),
        })
    };
    rows.extend(
        [
            derived(
                "library version vs version 0",
                "hot_library_version/1_thread",
                "hot/1_thread",
                "≤ 1.20×",
                |r| r <= 1.2,
            ),
            derived(
                "hot: 2 threads vs 1, per call",
                "hot/2_threads",
                "hot/1_thread",
                "≤ 1.10×",
                |r| r <= 1.1,
            ),
            derived(
                "control: fn pointer, 2 threads vs 1",
                "fn_pointer/2_threads",
                "fn_pointer/1_thread",
                "(machine: ≈1 if 2 free cores)",
                |_| true,
            ),
            derived(
                "hot vs fn pointer, 2 threads",
                "hot/2_threads",
                "fn_pointer/2_threads",
                "≤ 1.30×",
                |r| r <= 1.3,
            ),
            derived(
                "hot-lib-reloader vs moult, 1 thread",
                "hot_lib_reloader/1_thread",
                "hot/1_thread",
                "≥ 20×",
                |r| r >= 20.0,
            ),
            derived(
                "hot-lib-reloader vs moult, 2 threads",
                "hot_lib_reloader/2_threads",
                "hot/2_threads",
                "≥ 20×",
                |r| r >= 20.0,
            ),
        ]
        .into_iter()
        .flatten(),
    );
    print_table("hot_call: ns per call on each thread", &rows);
}
