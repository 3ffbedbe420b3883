//! Cost of a hot call against a direct call and a fn-pointer call, on one
//! thread and with two threads calling the same function at once.
//!
//! `cargo bench -p moult --bench hot_call` — criterion measures each case;
//! at the end the bench prints each median as a ratio to the fn-pointer call
//! measured in the same run (targets: hot ≤ 1.3× fn pointer; 2 threads ≤
//! 1.1× of 1 thread per call).

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};

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

fn via_direct(x: u64) -> u64 {
    body(x)
}

fn bench(c: &mut Criterion) {
    moult::init();
    let mut g = c.benchmark_group("hot_call");
    for (name, f) in [
        ("direct", via_direct as fn(u64) -> u64),
        ("fn_pointer", via_pointer),
        ("hot", via_hot),
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

/// Median estimate (ns per iteration) criterion saved for `id`, if any.
fn median(id: &str) -> Option<f64> {
    let dir = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        std::path::PathBuf::from,
    );
    // Criterion stores `group/function/parameter` under `group/function_parameter`.
    let dir = dir.join("criterion/hot_call").join(id.replace('/', "_"));
    let text = std::fs::read_to_string(dir.join("new/estimates.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["median"]["point_estimate"].as_f64()
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    let Some(base) = median("fn_pointer/1_thread") else {
        return;
    };
    println!("\nratios to the fn-pointer call on 1 thread (same run):");
    for id in [
        "direct/1_thread",
        "fn_pointer/1_thread",
        "hot/1_thread",
        "direct/2_threads",
        "fn_pointer/2_threads",
        "hot/2_threads",
    ] {
        if let Some(m) = median(id) {
            println!("  {id:<22} {m:>8.2} ns/call  {:>5.2}x", m / base);
        }
    }
    if let (Some(h1), Some(h2)) = (median("hot/1_thread"), median("hot/2_threads")) {
        println!("  hot: 2 threads / 1 thread per call: {:.2}x", h2 / h1);
    }
}
