#!/usr/bin/env bash
# kv-server's measurements (issue 17), printed as tables with their ratios,
# every figure and its baseline from this one run:
#
#  (a) steady state: kv-server built with moult, the same source built with
#      `--features moult/static` (hot functions are plain functions, no
#      agent), and Debian's redis-server, under
#      `redis-benchmark -t set,get -n N -c 20 -P 8 --csv --precision 3`,
#      ROUNDS interleaved runs (moult, static, redis, moult, ...). Server on
#      cpu 0, client on cpu 1 (`taskset`). Ratios of throughput (target:
#      moult >= 0.98x static), p99 (<= 1.1x) and the server's cpu time per
#      request (from /proc/<pid>/task/*/schedstat: at these rates
#      redis-benchmark's one thread can be the bottleneck, which throughput
#      alone would hide), each the median of the per-round ratios.
#  (b) the update window: an open-loop probe (bench/openloop.py, RATE
#      requests/s on a fixed schedule) runs while `moult-console apply`
#      applies each update, then `moult-console revert` undoes it; p50, p99
#      and max of the requests scheduled in [apply - 1 s, done + 1 s] vs the
#      steady part before the first apply (target: p99 <= 2x steady), with
#      the time to quiescence and the held window from moult's own events
#      (`apply --json`: the lifecycle steps, millisecond stamps; the gate
#      closes at the first alterability check and reopens at resume). A
#      control row times `moult-console status` the same way (no update:
#      what starting the console beside the probe costs by itself), and two
#      more time a 20 ms busy loop on the server's cpu and on the client's
#      (no moult at all: what any burst of that size does to the figure).
#      As root (and with chrt), the probe runs at a real-time priority
#      (`chrt -f 10`; it sleeps between requests) so that a process started
#      beside it on the client cpu does not delay its sends and reads: the
#      figure is then the server's latency, not the probe's scheduling.
#      KV_BENCH_PROBE_RT=0 turns that off.
#      `redis-cli --latency-history` runs beside it as a second view.
#  (c) 20 updates and reverts in a row (the three updates in turn) under a
#      looping redis-benchmark: failed requests (redis-benchmark stops at
#      the first error; its output must name none) and lost writes (keys
#      written before and between the updates, read back after).
#
# Usage: demo-apps/kv-server/bench.sh
# Environment: KV_BENCH_ROUNDS (5), KV_BENCH_REQUESTS (500000 per test and
# run), KV_BENCH_RATE (2000), KV_BENCH_PROBE_RT (1 as root: the probe at
# real-time priority), KV_BENCH_SKIP_BUILD=1 (reuse the builds),
# CARGO_TARGET_DIR. Needs redis-server, redis-tools, python3, taskset and
# two cpus. Builds release binaries: moult-console, kv-server and the
# update crates in CARGO_TARGET_DIR, the static kv-server in its own
# target directory (CARGO_TARGET_DIR/kv-static: the `static` feature must
# not be unified into the other builds).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
here=$repo/demo-apps/kv-server
target=${CARGO_TARGET_DIR:-$repo/target}
rounds=${KV_BENCH_ROUNDS:-5}
requests=${KV_BENCH_REQUESTS:-500000}
rate=${KV_BENCH_RATE:-2000}
server_cpu=0
client_cpu=1
updates=(incr expiry entry-v2)

die() { echo "bench.sh: $*" >&2; exit 1; }
for tool in redis-server redis-cli redis-benchmark python3 taskset cargo; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
[ "$(nproc --all)" -ge 2 ] || die "needs two cpus (server and client pinned apart)"

bin=$target/release
static_bin=$target/kv-static/release/kv-server
if [ "${KV_BENCH_SKIP_BUILD:-}" != 1 ]; then
  echo "== building (release)" >&2
  (cd "$repo" && cargo build -q --release -p moult-console)
  (cd "$repo" && cargo build -q --release -p kv-server)
  (cd "$repo" && cargo build -q --release -p kv-server-incr -p kv-server-expiry -p kv-server-entry-v2)
  (cd "$repo" && CARGO_TARGET_DIR=$target/kv-static cargo build -q --release -p kv-server --features moult/static)
fi
# From here on (the builds above use both cpus), this script's own
# processes (date, awk, python parsing the events) run on the client cpu
# too: left to the scheduler they landed on the server's cpu now and then,
# and a 1 ms `date` there showed in the probe's figures as a server stall
# (seen with `perf sched timehist`).
taskset -pc "$client_cpu" $$ >/dev/null
lib() { echo "$bin/libkv_server_${1//-/_}.so"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/kv-bench.XXXXXX")
export MOULT_RUNTIME_DIR=$work/runtime
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_pong() {
  for _ in $(seq 1 200); do
    [ "$(redis-cli -p "$1" PING 2>/dev/null)" = PONG ] && return 0
    sleep 0.05
  done
  die "nothing answers PING on port $1"
}
# start_server NAME PORT CMD...: on the server cpu, its pid in pid_NAME.
start_server() {
  local name=$1 port=$2
  shift 2
  taskset -c "$server_cpu" "$@" >"$work/$name.out" 2>&1 &
  pids+=($!)
  printf -v "pid_$name" %s $!
  wait_pong "$port"
}
client() { taskset -c "$client_cpu" "$@"; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a/b}'; }
now() { date +%s.%N; }
# cpu_ns PID: the cpu time all threads of PID have run, in ns.
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f", s}'; }

# ---------------------------------------------------------------- (a)
port_moult=$(free_port); port_static=$(free_port); port_redis=$(free_port)
start_server moult "$port_moult" "$bin/kv-server" --port "$port_moult"
start_server static "$port_static" "$static_bin" --port "$port_static"
start_server redis "$port_redis" redis-server --port "$port_redis" --save '' --appendonly no
echo "== (a) steady state: $rounds interleaved rounds of redis-benchmark -t set,get -n $requests -c 20 -P 8" >&2
: >"$work/steady.csv"
for round in $(seq 1 "$rounds"); do
  for name in moult static redis; do
    port_var=port_$name
    port=${!port_var}
    pid_var=pid_$name
    redis-cli -p "$port" FLUSHALL >/dev/null
    cpu0=$(cpu_ns "${!pid_var}")
    client redis-benchmark -p "$port" -t set,get -n "$requests" -c 20 -P 8 --csv --precision 3 \
      | tr -d '"' | awk -F, -v n="$name" -v r="$round" '$1=="SET"||$1=="GET" {print n","r","$1","$2","$7}' \
      >>"$work/steady.csv"
    cpu1=$(cpu_ns "${!pid_var}")
    awk -v n="$name" -v r="$round" -v a="$cpu0" -v b="$cpu1" -v q="$requests" \
      'BEGIN {printf "%s,%s,CPU,%.1f,0\n", n, r, (b - a) / (2 * q)}' >>"$work/steady.csv"
  done
  echo "   round $round done" >&2
done
# figure SERVER TEST COLUMN(4: rps, 5: p99 ms): the median over the rounds.
figure() { awk -F, -v n="$1" -v t="$2" -v c="$3" '$1==n && $3==t {print $c}' "$work/steady.csv" | median; }
echo
echo "### (a) steady state ($rounds interleaved rounds of redis-benchmark -t set,get -n $requests -c 20 -P 8; server cpu $server_cpu, client cpu $client_cpu)"
echo
# round_ratio TEST COLUMN A B: the median over rounds of A/B within a round
# (runs next to each other in time: robust to the machine's drift).
round_ratio() {
  awk -F, -v t="$1" -v c="$2" -v a="$3" -v b="$4" '$3==t && $1==a {x[$2]=$c} $3==t && $1==b {y[$2]=$c}
    END {for (r in x) if (y[r] > 0) printf "%.3f\n", x[r]/y[r]}' "$work/steady.csv" | median
}
echo "Medians of the per-round ratios (a round's runs are next to each other in time):"
echo
echo "| figure | moult / static | moult / redis-server |"
echo "| --- | --- | --- |"
for t in SET GET; do
  echo "| $t throughput (rps) | $(round_ratio $t 4 moult static)× | $(round_ratio $t 4 moult redis)× |"
  echo "| $t p99 latency | $(round_ratio $t 5 moult static)× | $(round_ratio $t 5 moult redis)× |"
done
echo "| server cpu time per request | $(round_ratio CPU 4 moult static)× | $(round_ratio CPU 4 moult redis)× |"
echo
echo "Medians per server (absolute figures drift with the machine's load):"
echo
echo "| figure | moult | static | redis-server |"
echo "| --- | --- | --- | --- |"
for t in SET GET; do
  echo "| $t rps | $(figure moult $t 4) | $(figure static $t 4) | $(figure redis $t 4) |"
  echo "| $t p99 ms | $(figure moult $t 5) | $(figure static $t 5) | $(figure redis $t 5) |"
done
echo "| server cpu ns per request | $(figure moult CPU 4) | $(figure static CPU 4) | $(figure redis CPU 4) |"
echo
echo "Every run (server, round, test, rps, p99 ms; CPU: server cpu ns per request):"
echo
echo '```'
cat "$work/steady.csv"
echo '```'
kill "$pid_static" "$pid_redis" 2>/dev/null || true

# ---------------------------------------------------------------- (b)
echo "== (b) the update window: open loop at $rate/s while each update is applied and reverted" >&2
port=$(free_port)
start_server window "$port" "$bin/kv-server" --port "$port"
gap=3
seconds=$((2 + gap * (2 * ${#updates[@]} + 4)))
probe_prio=()
if [ "${KV_BENCH_PROBE_RT:-1}" = 1 ] && [ "$(id -u)" = 0 ] && command -v chrt >/dev/null; then
  probe_prio=(chrt -f 10)
fi
client "${probe_prio[@]}" python3 "$here/bench/openloop.py" run --port "$port" --rate "$rate" --seconds "$seconds" \
  --out "$work/samples.txt" >"$work/openloop.out" &
probe=$!
pids+=($probe)
client timeout "$seconds" redis-cli -p "$port" --latency-history -i 2 >"$work/history.txt" 2>&1 &
pids+=($!)
start=$(now)
sleep $((gap + 1))
: >"$work/windows.txt"
# The control: `moult-console status`, no update. Its window shows what
# starting the console beside the probe costs the figures by itself.
t0=$(now)
client "$bin/moult-console" status "$pid_window" >/dev/null
t1=$(now)
echo "(none) status $t0 $t1" >>"$work/windows.txt"
sleep "$gap"
# Two more controls, without moult: a 20 ms busy loop on each cpu.
for side in server client; do
  cpu=$server_cpu
  [ "$side" = client ] && cpu=$client_cpu
  t0=$(now)
  taskset -c "$cpu" timeout 0.02 sh -c 'while :; do :; done' || true
  t1=$(now)
  echo "(none) busy-20ms-$side-cpu $t0 $t1" >>"$work/windows.txt"
  sleep "$gap"
done
# events FILE: from the lifecycle events (ms since the agent started),
# quiescence (first alterability check to apply: the gate is closed and
# the update waits for old activations to end), attempts, and the held
# window (gate closed to resume: new callers wait).
events() {
  python3 - "$1" <<'EOF'
import json, sys
steps, attempts = {}, 0
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    kind = e.get("kind", {})
    if kind.get("type") == "lifecycle":
        steps.setdefault(kind["step"], e["at_ms"])
    elif kind.get("type") == "alterability":
        attempts += 1
# The gate closes at the first alterability check and reopens at resume.
start = steps.get("alterability", 0)
q = steps.get("apply", start) - start
held = steps.get("resume", steps.get("done", start)) - start
shown = lambda ms: "<1" if ms == 0 else str(ms)  # stamps are whole ms
print(shown(q), attempts, shown(held))
EOF
}
for u in "${updates[@]}"; do
  for action in apply revert; do
    t0=$(now)
    if [ "$action" = apply ]; then
      client "$bin/moult-console" apply "$pid_window" "$(lib "$u")" --json >"$work/$u-$action.json"
    else
      client "$bin/moult-console" revert "$pid_window" --json >"$work/$u-$action.json"
    fi
    t1=$(now)
    # Its events are read after the probe has finished: a python started
    # here would run beside the probe inside the next window.
    echo "$u $action $t0 $t1" >>"$work/windows.txt"
    sleep "$gap"
  done
done
wait "$probe" || die "the open-loop probe lost replies: $(cat "$work/openloop.out")"
first=$(awk 'NR==1 {print $3}' "$work/windows.txt")
read -r _ sp50 sp99 smax < <(python3 "$here/bench/openloop.py" stats "$work/samples.txt" \
  --from "$(awk -v s="$start" 'BEGIN {printf "%.6f", s+1}')" --to "$(awk -v f="$first" 'BEGIN {printf "%.6f", f-1}')")
echo
echo "### (b) the update window (open loop, $rate requests/s, one connection; SET and GET in turn; probe priority: ${probe_prio[*]:-normal})"
echo
echo "Steady (before the control): p50 $sp50 ms, p99 $sp99 ms, max $smax ms."
echo
echo "| update | action | command took ms | quiescence ms (attempts) | held ms | requests in window | p50 ms | p99 ms | max ms | p99 / steady p99 |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
while read -r u action t0 t1; do
  q=- attempts=- held=-
  if [ -f "$work/$u-$action.json" ]; then
    read -r q attempts held < <(events "$work/$u-$action.json")
  fi
  read -r n p50 p99 max < <(python3 "$here/bench/openloop.py" stats "$work/samples.txt" \
    --from "$(awk -v t="$t0" 'BEGIN {printf "%.6f", t-1}')" --to "$(awk -v t="$t1" 'BEGIN {printf "%.6f", t+1}')")
  took=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b-a)*1000}')
  echo "| $u | $action | $took | $q ($attempts) | $held | $n | $p50 | $p99 | $max | $(ratio "$p99" "$sp99")× |"
done <"$work/windows.txt"
echo
echo "redis-cli --latency-history -i 2 over the same run (closed loop, PING every 10 ms; whole ms):"
echo
echo "| 2 s interval | min ms | max ms | avg ms | samples |"
echo "| --- | --- | --- | --- | --- |"
# Without a terminal it prints the interval's running min, max, avg and
# sample count after each sample, and ` -- 2.00 seconds range` at its end.
awk '/seconds range/ {if (prev != "") print prev; prev = ""; next} NF == 4 {prev = $0}' \
  "$work/history.txt" | awk '{printf "| %d | %s | %s | %s | %s |\n", NR, $1, $2, $3, $4}'
kill "$pid_window" 2>/dev/null || true

# ---------------------------------------------------------------- (c)
echo "== (c) 20 updates and reverts in a row under redis-benchmark" >&2
port=$(free_port)
start_server row "$port" "$bin/kv-server" --port "$port"
keys=200
write_keys() { # PREFIX: SETs keys PREFIX:0..; counts the OKs
  seq 0 $((keys - 1)) | awk -v p="$1" '{print "SET " p ":" $1 " value-" p "-" $1}' \
    | redis-cli -p "$port" | grep -c '^OK$' || true
}
lost_keys() { # PREFIX: how many keys do not read back
  seq 0 $((keys - 1)) | awk -v p="$1" '{print "GET " p ":" $1}' | redis-cli -p "$port" \
    | awk -v p="$1" '$0 != "value-" p "-" (NR-1) {n++} END {print n+0}'
}
written=0
written=$((written + $(write_keys before)))
client redis-benchmark -p "$port" -t set,get -n 20000 -c 20 -P 8 -q -l >"$work/loop.out" 2>&1 &
bench_pid=$!
pids+=($bench_pid)
sleep 1
failed_updates=0
: >"$work/row.txt"
for i in $(seq 0 19); do
  u=${updates[$((i % 3))]}
  written=$((written + $(write_keys "r$i")))
  t0=$(now)
  client "$bin/moult-console" apply "$pid_row" "$(lib "$u")" >"$work/row-apply.out" 2>&1 || failed_updates=$((failed_updates + 1))
  t1=$(now)
  client "$bin/moult-console" revert "$pid_row" >"$work/row-revert.out" 2>&1 || failed_updates=$((failed_updates + 1))
  t2=$(now)
  echo "$t0 $t1 $t2" >>"$work/row.txt"
  kill -0 "$bench_pid" 2>/dev/null || die "redis-benchmark stopped (an error) at update $i: $(tr '\r' '\n' <"$work/loop.out" | tail -5)"
done
sleep 1
kill -0 "$bench_pid" 2>/dev/null && running=yes || running=no
kill "$bench_pid" 2>/dev/null || true
errors=$(tr '\r' '\n' <"$work/loop.out" | grep -ci error || true)
rounds_done=$(tr '\r' '\n' <"$work/loop.out" | grep -c 'requests per second' || true)
lost=$(lost_keys before)
for i in $(seq 0 19); do lost=$((lost + $(lost_keys "r$i"))); done
apply_ms=$(awk '{printf "%.1f\n", ($2-$1)*1000}' "$work/row.txt" | median)
revert_ms=$(awk '{printf "%.1f\n", ($3-$2)*1000}' "$work/row.txt" | median)
echo
echo "### (c) 20 updates and reverts in a row under redis-benchmark -t set,get -c 20 -P 8 -l"
echo
echo "| updates + reverts | failed updates | redis-benchmark still running | error lines | benchmark rounds finished | keys written | lost writes | apply median ms | revert median ms |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
echo "| 20 + 20 | $failed_updates | $running | $errors | $rounds_done | $written | $lost | $apply_ms | $revert_ms |"
