#!/usr/bin/env python3
"""Apply latency: `moult-console apply <pid> <prebuilt .so>` until the new
version runs, measured from the outside on the real step1-hello app.

Usage (from the workspace root, after `cargo build --release -p moult-console
-p step1-hello` and `cargo build --release --manifest-path
demo-apps/step1-hello/solution/Cargo.toml`, or the same without --release):

    python3 tests/scripts/apply-latency.py [--profile release] [--runs 20]

For each run it starts the app (printing every 1 ms), waits for its socket,
then times two intervals from the moment the CLI is spawned: the CLI's exit
(status 0 required) and the first `hello moult` line on the app's stdout.
Prints the median, min and max of both in milliseconds.
"""
import argparse, os, select, statistics, subprocess, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--profile", default="debug")
ap.add_argument("--runs", type=int, default=20)
args = ap.parse_args()
target = os.environ.get("CARGO_TARGET_DIR", "target")
bindir = os.path.join(target, args.profile)
lib = os.path.abspath(os.path.join(bindir, "libstep1_hello_solution.so"))
cli_ms, seen_ms = [], []
for _ in range(args.runs):
    with tempfile.TemporaryDirectory() as rt:
        env = dict(os.environ, MOULT_RUNTIME_DIR=rt, MOULT_DEMO_PERIOD_MS="1")
        app = subprocess.Popen([os.path.join(bindir, "step1-hello")], env=env,
                               stdout=subprocess.PIPE, bufsize=0)
        sock = os.path.join(rt, f"{app.pid}.sock")
        while not os.path.exists(sock):
            time.sleep(0.005)
        time.sleep(0.05)
        t0 = time.perf_counter()
        cli = subprocess.Popen([os.path.join(bindir, "moult-console"), "apply",
                                str(app.pid), lib], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        buf, seen = b"", None
        while seen is None:
            select.select([app.stdout], [], [], 5)
            buf += os.read(app.stdout.fileno(), 65536)
            if b"hello moult" in buf:
                seen = time.perf_counter() - t0
            buf = buf[-64:]
        assert cli.wait() == 0, "apply failed"
        cli_ms.append((time.perf_counter() - t0) * 1000)
        seen_ms.append(seen * 1000)
        app.kill(); app.wait()
for name, xs in [("new version runs", seen_ms), ("CLI exits", cli_ms)]:
    print(f"{name:18} median {statistics.median(xs):6.1f} ms  "
          f"min {min(xs):6.1f}  max {max(xs):6.1f}  (n={len(xs)})")
