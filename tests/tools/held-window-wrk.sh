#!/usr/bin/env bash
# The held window under a real load (issue 16): step4-webserver serves wrk
# (2 threads, 20 connections, one session once the app holds 2 s of
# sessions, see warm_up below) while `moult-console apply` runs its
# solution (sessions v2, pages v2, then server v2, which parks the server
# thread at its update point). Prints the slowest request wrk saw beside
# server v2's apply → resume from the update's events, and their ratio
# (target: slowest ≤ 1.2 × apply → resume). Also printed: the time the
# server thread was really held (parked → running, from its thread_state
# events), and the slowest request of a control run of wrk for as long on
# a fresh app without an update (what the machine's load alone gives).
#
# Usage: tests/tools/held-window-wrk.sh [runs] [release]   (default: 3 runs, debug build)
#
# Needs wrk (Debian's `wrk`). Builds the app, the console and the solution
# library first (in $CARGO_TARGET_DIR, default target/), so no build runs
# while wrk measures. Each run starts a fresh app on a free port with its
# own runtime directory, and stops it at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."

runs="${1:-3}"
profile="${2:-debug}"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
cargo_profile=()
[ "$profile" = release ] && cargo_profile=(--release)

command -v wrk >/dev/null || { echo "skipped: wrk is not installed"; exit 0; }
command -v python3 >/dev/null || { echo "skipped: python3 is needed to read the events"; exit 0; }

cargo build -q "${cargo_profile[@]}" -p step4-webserver -p moult-console -p step4-webserver-solution
bin="$target_dir/$profile"
app="$bin/step4-webserver"
console="$bin/moult-console"
update="$bin/libstep4_webserver_solution.so"

work="$(mktemp -d)"
app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$work"; [ -n "${KEEP:-}" ] && echo "kept $work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

echo "| run | requests/s | p99 | slowest, no update (control) | slowest during the update | server thread parked → running | server v2 apply → resume | ratio | target | met? |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
# Starts a fresh app on a free port (sets app_pid and port).
start_app() {
  port="$(free_port)"
  export MOULT_RUNTIME_DIR="$work/rt-$1"
  mkdir -p "$MOULT_RUNTIME_DIR"
  MOULT_DEMO_PORT="$port" "$app" >"$work/app-$1.out" 2>&1 &
  app_pid=$!
  for _ in $(seq 1 200); do
    curl -s -o /dev/null "http://127.0.0.1:$port/hello" && break
    sleep 0.05
  done
}

stop_app() {
  kill "$app_pid" 2>/dev/null; wait "$app_pid" 2>/dev/null || true
  app_pid=""
}

# Every request without a cookie opens a session, so under wrk the app's
# sessions map grows by one entry a request and, in a debug build, each of
# its doublings stalls every request for 14, 27, then 61 ms (at about 28 k,
# 57 k and 115 k sessions): the slowest request of a plain wrk run was the
# app's own rehash, with or without an update. So each run first fills the
# map for 2 s with cookie-less requests (the state server v2 converts), then
# measures with wrk sending one session's cookie, so that the map no longer
# grows while the slowest request is taken.
warm_up() {
  wrk -t2 -c20 -d2s "http://127.0.0.1:$port/hello" >/dev/null 2>&1
  cookie="$(curl -s -D - -o /dev/null "http://127.0.0.1:$port/hello" \
    | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: *\([^;]*\).*/\1/p' | head -n 1)"
  [ -n "$cookie" ] || { echo "the app set no session cookie"; exit 1; }
}
measure() { # OUT SECONDS: wrk on one session, its report in OUT
  wrk -t2 -c20 -d"$2"s --latency -H "Cookie: $cookie" "http://127.0.0.1:$port/hello" >"$1" 2>&1
}

for run in $(seq 1 "$runs"); do
  # Control: a fresh app under the same load for as long, no update.
  start_app "control-$run"
  warm_up
  measure "$work/control-$run.out" 4
  stop_app

  start_app "$run"
  warm_up
  # wrk for 4 s; the apply starts 1 s in (after wrk's connections are up).
  measure "$work/wrk-$run.out" 4 &
  wrk_pid=$!
  sleep 1
  "$console" apply "$app_pid" "$update" --json >"$work/apply-$run.json" 2>"$work/apply-$run.err" \
    || { echo "apply failed (run $run):"; cat "$work/apply-$run.err"; exit 1; }
  wait "$wrk_pid"

  python3 - "$run" "$work/wrk-$run.out" "$work/apply-$run.json" "$work/control-$run.out" <<'EOF'
import json, re, sys

run, wrk_out, events_file, control_out = sys.argv[1:5]

def ms(value, unit):
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

def read_wrk(path):
    text = open(path).read()
    lat = re.search(r"Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)\s", text)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if not (lat and p99 and rps):
        sys.exit(f"cannot read wrk's output:\n{text}")
    return ms(*lat.groups()), ms(*p99.groups()), float(rps.group(1))

slowest, p99, rps = read_wrk(wrk_out)
control, _, _ = read_wrk(control_out)

steps = {}
held = {}
for line in open(events_file):
    event = json.loads(line)
    kind = event.get("kind") or {}
    if kind.get("type") == "lifecycle" and kind.get("update") == "server v2":
        steps.setdefault(kind["step"], event["at_ms"])
    if kind.get("type") == "thread_state" and kind.get("thread") == "webserver":
        state = kind["state"]["state"]
        if state == "parked":
            held.setdefault("parked", event["at_ms"])
        elif "parked" in held:
            held.setdefault("running", event["at_ms"])
parked = (f"{held['running'] - held['parked']} ms"
          if "running" in held else "?")
if "apply" not in steps or "resume" not in steps:
    sys.exit(f"server v2 has no apply/resume events in {events_file}")
window = steps["resume"] - steps["apply"]
# Events carry whole milliseconds: windows are known to ±1 ms.
ratio = slowest / max(window, 1)
met = "yes" if slowest <= 1.2 * max(window, 1) else "no"
print(f"| {run} | {rps:.0f} | {p99:.2f} ms | {control:.2f} ms | {slowest:.2f} ms | {parked} "
      f"| {window} ms | {ratio:.2f}× | ≤ 1.2× | {met} |")
EOF
  stop_app
done
