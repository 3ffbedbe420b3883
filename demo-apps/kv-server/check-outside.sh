#!/usr/bin/env bash
# The check from outside this repository (issue 17): a kv-server started
# with --port P in a directory of its own, real Redis clients only.
#   1. `redis-cli -p P PING` answers PONG;
#   2. `INCR` is an unknown command (an error);
#   3. redis-benchmark -t set,get runs once without any update (the baseline),
#      then again while `moult-console apply kv-server <updates/incr>` runs;
#   4. redis-benchmark reports no error either time (exit 0, no error line);
#   5. `INCR` counts (1, then 2).
# Prints PASS and exits 0, or FAIL: <why> and exits 1.
#
# Usage: demo-apps/kv-server/check-outside.sh [port] [debug|release]
# Needs redis-tools (redis-cli, redis-benchmark) and cargo; builds
# moult-console, kv-server and the update crate (each on its own, as a
# user does) with cargo, honouring CARGO_TARGET_DIR.
set -euo pipefail

port=${1:-16380}
profile=${2:-debug}
repo=$(cd "$(dirname "$0")/../.." && pwd)
requests=${KV_CHECK_REQUESTS:-300000}

fail() { echo "FAIL: $*"; exit 1; }
for tool in redis-cli redis-benchmark cargo; do
  command -v "$tool" >/dev/null || fail "$tool is missing (redis-cli and redis-benchmark come with Debian's redis-tools)"
done
if redis-cli -p "$port" PING >/dev/null 2>&1; then
  fail "something already answers on port $port; give another port"
fi

release_flag=()
[ "$profile" = release ] && release_flag=(--release)
target=${CARGO_TARGET_DIR:-$repo/target}
bin=$target/$([ "$profile" = release ] && echo release || echo debug)
echo "== building moult-console, kv-server and updates/incr ($profile)"
for package in moult-console kv-server kv-server-incr; do
  (cd "$repo" && cargo build -q "${release_flag[@]}" -p "$package")
done

work=$(mktemp -d "${TMPDIR:-/tmp}/kv-outside.XXXXXX")
export MOULT_RUNTIME_DIR=$work/runtime
cd "$work"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== starting kv-server --port $port (in $work)"
"$bin/kv-server" --port "$port" >server.out 2>server.err &
server_pid=$!
for _ in $(seq 1 100); do
  [ "$(redis-cli -p "$port" PING 2>/dev/null)" = PONG ] && break
  sleep 0.1
done
pong=$(redis-cli -p "$port" PING)
echo "redis-cli PING -> $pong"
[ "$pong" = PONG ] || fail "PING answered '$pong'"

before=$(redis-cli -p "$port" INCR visits)
echo "redis-cli INCR visits (before) -> $before"
case "$before" in ERR*) ;; *) fail "INCR before the update answered '$before', not an error" ;; esac

bench() { redis-benchmark -p "$port" -t set,get -n "$requests" -c 20 -P 8 -q; }
# Its summary lines, without the progress lines it rewrites with \r.
summary() { tr '\r' '\n' <"$1" | grep -v 'rps=' | grep -v '^ *$' || true; }
check_bench() { # $1: output file, $2: exit status
  [ "$2" -eq 0 ] || fail "redis-benchmark exited with $2: $(summary "$1")"
  if grep -qi error "$1"; then fail "redis-benchmark reported errors: $(summary "$1")"; fi
}

echo "== redis-benchmark -t set,get -n $requests -c 20 -P 8, no update (baseline)"
set +e; bench >baseline.out 2>&1; status=$?; set -e
summary baseline.out
check_bench baseline.out "$status"

echo "== the same while moult-console applies updates/incr"
bench >during.out 2>&1 &
bench_pid=$!
# Apply once redis-benchmark has connected: the key it writes exists.
for _ in $(seq 1 200); do
  [ "$(redis-cli -p "$port" EXISTS key:__rand_int__)" = 1 ] && break
  sleep 0.05
done
"$bin/moult-console" apply kv-server "$repo/demo-apps/kv-server/updates/incr" >apply.out 2>&1 \
  || fail "moult-console apply: $(cat apply.out)"
if kill -0 "$bench_pid" 2>/dev/null; then in_flight=yes; else in_flight=no; fi
grep -E ': (applied|alterability)' apply.out | tail -3
echo "redis-benchmark still running when the apply returned: $in_flight"
set +e; wait "$bench_pid"; status=$?; set -e
summary during.out
check_bench during.out "$status"
[ "$in_flight" = yes ] || fail "redis-benchmark ended before the update was applied; raise KV_CHECK_REQUESTS"

one=$(redis-cli -p "$port" INCR visits)
two=$(redis-cli -p "$port" INCR visits)
echo "redis-cli INCR visits (after) -> $one, then $two"
[ "$one" = 1 ] && [ "$two" = 2 ] || fail "INCR does not count: '$one', '$two'"
echo PASS
