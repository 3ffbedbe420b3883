#!/usr/bin/env python3
"""An open-loop latency probe for a RESP server: a measuring instrument of
bench.sh, not a test client (the tests use redis-cli and redis-benchmark).

A closed-loop client such as redis-benchmark sends its next request only
when the previous reply came back, so a stall of the server delays the
requests it would have sent and hides most of the stall from the figures.
This probe sends on a fixed schedule whatever the replies do (request i at
t0 + i / rate, alternately `SET ol:<k> <i>` and `GET ol:<k>`, on one
pipelined connection), and times each reply from the moment its request
was *scheduled*: a stall shows in every request scheduled during it.

    openloop.py run --port P --rate 2000 --seconds 10 --out samples.txt
        writes one line per request: its scheduled Unix time (s) and its
        latency (ms); `nan` if no reply came.
    openloop.py stats samples.txt [--from T] [--to T]
        prints `count p50_ms p99_ms max_ms` of the requests scheduled in
        [from, to] (Unix seconds; the whole file without them).
"""

import argparse
import math
import socket
import sys
import threading
import time

KEYS = 1000


def request(i):
    """The i-th request, RESP-encoded: SETs and GETs in turn."""
    key = b"ol:%d" % ((i // 2) % KEYS)
    if i % 2 == 0:
        words = [b"SET", key, b"%d" % i]
    else:
        words = [b"GET", key]
    out = [b"*%d\r\n" % len(words)]
    for w in words:
        out.append(b"$%d\r\n%s\r\n" % (len(w), w))
    return b"".join(out)


class Replies:
    """Counts whole replies in the byte stream (the probe only sends SET
    and GET: status, error, integer and bulk replies)."""

    def __init__(self):
        self.buf = b""

    def feed(self, data):
        """Adds bytes; returns how many replies they completed."""
        self.buf += data
        done = 0
        while True:
            end = self.buf.find(b"\r\n")
            if end < 0:
                return done
            kind = self.buf[:1]
            if kind == b"$":
                size = int(self.buf[1:end])
                total = end + 2 if size < 0 else end + 2 + size + 2
                if len(self.buf) < total:
                    return done
            else:
                total = end + 2
            self.buf = self.buf[total:]
            done += 1


def run(args):
    count = int(args.rate * args.seconds)
    interval = 1.0 / args.rate
    sock = socket.create_connection(("127.0.0.1", args.port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    scheduled = [0.0] * count
    latency = [math.nan] * count
    t0 = time.perf_counter() + 0.05
    wall0 = time.time() + (t0 - time.perf_counter())

    def receive():
        replies = Replies()
        got = 0
        sock.settimeout(args.seconds + 10)
        while got < count:
            try:
                data = sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            now = time.perf_counter()
            for _ in range(replies.feed(data)):
                latency[got] = (now - scheduled[got]) * 1000.0
                got += 1

    receiver = threading.Thread(target=receive, daemon=True)
    receiver.start()
    for i in range(count):
        at = t0 + i * interval
        scheduled[i] = at
        wait = at - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        sock.sendall(request(i))
    receiver.join(timeout=10)
    with open(args.out, "w") as out:
        for i in range(count):
            out.write("%.6f %.4f\n" % (wall0 + (scheduled[i] - t0), latency[i]))
    missing = sum(1 for x in latency if math.isnan(x))
    print("sent %d requests at %g/s, %d without a reply" % (count, args.rate, missing))
    return 1 if missing else 0


def percentile(sorted_values, p):
    """The nearest-rank percentile p (0-100) of sorted values."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def stats(args):
    values = []
    with open(args.samples) as f:
        for line in f:
            at, ms = line.split()
            at = float(at)
            if args.from_ is not None and at < args.from_:
                continue
            if args.to is not None and at > args.to:
                continue
            values.append(float(ms))
    # A request without a reply counts as infinitely late.
    values = sorted(math.inf if math.isnan(v) else v for v in values)
    print(
        "%d %.3f %.3f %.3f"
        % (len(values), percentile(values, 50), percentile(values, 99), values[-1] if values else math.nan)
    )
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="send at a fixed rate, write the samples")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--rate", type=float, default=2000.0, help="requests per second")
    r.add_argument("--seconds", type=float, default=10.0)
    r.add_argument("--out", required=True)
    s = sub.add_parser("stats", help="count, p50, p99, max of a window")
    s.add_argument("samples")
    s.add_argument("--from", dest="from_", type=float)
    s.add_argument("--to", type=float)
    args = parser.parse_args()
    return run(args) if args.command == "run" else stats(args)


if __name__ == "__main__":
    sys.exit(main())
