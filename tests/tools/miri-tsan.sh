#!/usr/bin/env bash
# Runs the moult agent's concurrency tests under Miri (undefined behaviour,
# data races and weak-memory effects on the hot-call path, gates, locks and
# refcounts) and under ThreadSanitizer (the stress tests, at full size).
#
# Usage: tests/tools/miri-tsan.sh [miri|tsan|all]   (default: all)
#
# Needs the nightly toolchain with the `miri` and `rust-src` components
# (`rustup +nightly component add miri rust-src`). Whatever is missing is
# reported on a "skipped: <why>" line and the check exits 0; a check that
# reports undefined behaviour, a data race or a failing test exits non-zero.
#
# Outputs go to $CARGO_TARGET_DIR (default: target/) under miri/ and tsan/,
# so they never invalidate the ordinary build.
set -uo pipefail
cd "$(dirname "$0")/../.."

what="${1:-all}"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
host="x86_64-unknown-linux-gnu"
status=0

skip() {
  echo "skipped: $*"
}

have_nightly() {
  cargo +nightly --version >/dev/null 2>&1
}

have_rust_src() {
  local sysroot
  sysroot="$(rustc +nightly --print sysroot 2>/dev/null)" || return 1
  [ -d "$sysroot/lib/rustlib/src/rust/library" ]
}

# Test targets that run under Miri in minutes. Left out: fault_injection's
# million instances, dsu_park's clock, class_stress and stress_updates (too
# slow, or /proc), and the end-to-end crate (dlopen, sockets, processes);
# those tests carry #[cfg_attr(miri, ignore)] where their file is listed.
MIRI_TESTS=(
  --lib
  --test hot_functions
  --test hot_alterability
  --test hot_interleavings
  --test hot_stress
  --test update_manager
  --test update_own_gate
  --test update_one_at_a_time
  --test class_traversal
  --test class_eager
  --test class_lazy
  --test class_interleave
  --test panicking_rollback
  --test dsu_active
  --test dsu_reboot
  --test dsu_stress
  --test dsu_park
  --test fault_injection
  --test async_core
  --test dsu_handover
  --test class_chunks
  --test class_create_race
  --test class_eager_drops
)

# Unit tests too slow under Miri until they get Miri-sized loops:
# class/lazy.rs (30 million comparisons), class/lock.rs (400 000 lock ops).
MIRI_SKIP=(
  --skip covering_finds_the_step_a_linear_scan_finds
  --skip readers_and_writers_contend_without_loss
)

# The stress tests, at full size, under ThreadSanitizer. ThreadSanitizer
# does not model standalone fences, so the build sets `--cfg moult_tsan`,
# under which class/inst.rs's refcount drop uses an Acquire load instead (as
# std's Arc does under TSan).
TSAN_TESTS=(
  --test hot_stress
  --test held_window
  --test hot_interleavings
  --test dsu_stress
  --test class_stress
  --test stress_updates
  --test async_core
  --test class_chunks
  --test class_create_race
  --test class_eager_drops
)

run_miri() {
  if ! have_nightly; then skip "miri: no nightly toolchain (rustup toolchain install nightly)"; return; fi
  if ! cargo +nightly miri --version >/dev/null 2>&1; then
    skip "miri: the nightly toolchain has no miri component (rustup +nightly component add miri rust-src)"
    return
  fi
  if ! have_rust_src; then skip "miri: no rust-src component (rustup +nightly component add rust-src)"; return; fi
  echo "== miri: ${MIRI_TESTS[*]}"
  local start=$SECONDS
  # The manager and DSU threads outlive the tests by design: not leaks.
  if ! MIRIFLAGS="${MIRIFLAGS:--Zmiri-ignore-leaks}" CARGO_TARGET_DIR="$target_dir" \
    cargo +nightly miri test -p moult "${MIRI_TESTS[@]}" -- "${MIRI_SKIP[@]}"; then
    echo "FAILED: miri reported undefined behaviour or a failing test (see above)"
    status=1
  fi
  echo "== miri took $((SECONDS - start)) s"
}

run_tsan() {
  if ! have_nightly; then skip "tsan: no nightly toolchain (rustup toolchain install nightly)"; return; fi
  if ! have_rust_src; then
    skip "tsan: no rust-src component, needed to build std with the sanitizer (rustup +nightly component add rust-src)"
    return
  fi
  if [ "$(uname -sm)" != "Linux x86_64" ]; then skip "tsan: only set up for $host"; return; fi
  echo "== tsan: ${TSAN_TESTS[*]}"
  local start=$SECONDS
  # halt_on_error: the first race fails the test binary at once.
  if ! RUSTFLAGS="-Zsanitizer=thread --cfg moult_tsan" RUSTDOCFLAGS="-Zsanitizer=thread --cfg moult_tsan" \
    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" \
    CARGO_TARGET_DIR="$target_dir/tsan" \
    cargo +nightly test -Zbuild-std --target "$host" --no-fail-fast -p moult "${TSAN_TESTS[@]}"; then
    echo "FAILED: ThreadSanitizer reported a data race or a test failed (see above)"
    status=1
  fi
  echo "== tsan took $((SECONDS - start)) s"
}

case "$what" in
  miri) run_miri ;;
  tsan) run_tsan ;;
  all) run_miri; run_tsan ;;
  *) echo "usage: $0 [miri|tsan|all]" >&2; exit 2 ;;
esac
exit "$status"
