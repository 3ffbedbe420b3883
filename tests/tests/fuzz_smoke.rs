//! The fuzz targets of `tests/fuzz` in CI, in two parts:
//!
//! - the committed seed corpus (real request lines, and every input a fuzz
//!   run found failing) is replayed through the targets' checks
//!   (`tests/fuzz/src/lib.rs`, included here as a module), always;
//! - when `cargo fuzz` is installed (`.ci/run` installs it), a short
//!   libFuzzer run of each target: `decode` for [`DECODE_RUNS`] executions,
//!   `dispatch` for [`DISPATCH_RUNS`], with AddressSanitizer, on stable
//!   Rust through `RUSTC_BOOTSTRAP=1`. The first build of the fuzz crate
//!   takes about a minute; `MOULT_FUZZ_SMOKE=0` skips this part.
//!
//! The long runs (1 000 000 executions per target) and their figures:
//! `tests/fuzz/README.md` and RELIABILITY.md.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod oracle;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Executions of the `decode` target in the CI run.
const DECODE_RUNS: u32 = 50_000;
/// Executions of the `dispatch` target in the CI run.
const DISPATCH_RUNS: u32 = 10_000;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

#[test]
fn the_decode_corpus_replays_clean() {
    let corpus = oracle::corpus(&fuzz_dir(), "decode");
    assert!(corpus.len() >= 20, "the seed corpus is committed");
    for (path, bytes) in corpus {
        println!("{}", path.display());
        oracle::check_decode(&bytes);
    }
}

#[test]
fn the_dispatch_corpus_replays_clean_on_a_live_runtime() {
    oracle::setup();
    let corpus = oracle::corpus(&fuzz_dir(), "dispatch");
    assert!(corpus.len() >= 20, "the seed corpus is committed");
    let mut ran = 0;
    for (path, bytes) in corpus {
        println!("{}", path.display());
        ran += usize::from(oracle::check_dispatch(&bytes));
    }
    // Only an `apply` outside the scratch directory is skipped; no seed has one.
    assert_eq!(ran, oracle::corpus(&fuzz_dir(), "dispatch").len());
}

/// An `apply` of a real file outside the scratch directory is not run by the
/// target (it would be read, and loaded if it were a moult library).
#[test]
fn applies_outside_the_scratch_directory_are_skipped() {
    let exe = std::env::current_exe().unwrap();
    let line = format!(
        "{{\"id\":1,\"cmd\":\"apply\",\"path\":{:?}}}\n",
        exe.display()
    );
    assert!(!oracle::applies_are_confined(line.as_bytes()));
    let missing = b"{\"id\":1,\"cmd\":\"apply\",\"path\":\"/nonexistent/libx.so\"}\n";
    assert!(oracle::applies_are_confined(missing));
}

fn cargo_fuzz_installed() -> bool {
    Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn fuzz(target: &str, runs: u32) {
    let work =
        std::env::temp_dir().join(format!("moult-fuzz-smoke-{target}-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let dir = fuzz_dir();
    let status = Command::new("cargo")
        .args(["fuzz", "run", "--fuzz-dir"])
        .arg(&dir)
        .args(["-O", target])
        // New inputs go to the scratch corpus, never into the committed one.
        .arg(&work)
        .arg(dir.join("corpus").join(target))
        .args([
            "--",
            &format!("-runs={runs}"),
            "-timeout=10",
            "-print_final_stats=1",
        ])
        .current_dir(&dir)
        .env("RUSTC_BOOTSTRAP", "1")
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .expect("run cargo fuzz");
    let _ = std::fs::remove_dir_all(&work);
    assert!(status.success(), "cargo fuzz run {target} failed: {status}");
}

#[test]
fn a_short_libfuzzer_run_of_both_targets_finds_nothing() {
    if std::env::var("MOULT_FUZZ_SMOKE").as_deref() == Ok("0") {
        eprintln!("MOULT_FUZZ_SMOKE=0: the libFuzzer run is skipped");
        return;
    }
    if !cargo_fuzz_installed() {
        eprintln!("cargo-fuzz is not installed (`cargo install cargo-fuzz --locked`): skipped");
        return;
    }
    fuzz("decode", DECODE_RUNS);
    fuzz("dispatch", DISPATCH_RUNS);
}
