#!/usr/bin/python3
"""Benchmark of the management API against the real daemon (issue 6),
not pass/fail.

  make bench-api        (or: tests/bench/bench_api.py [options])

Starts bin/smbsrvd on free loopback ports (the integration tests' Daemon
class) and measures:

  1. GET /api/v1/statistics latency (sequential requests on one
     kept-alive connection over the Unix socket);
  2. what the poller below costs the daemon alone: its CPU time with
     the poller running and with nothing, 20 s each (clock ticks of
     /proc/PID/stat), as a share of one core;
     SMB throughput: smbclient put and get of a --mib MiB file, in pairs
     of runs without (A) and with (B) an admin poller hitting GET
     statistics, GET opens?limit=100 and GET sessions?limit=100 in turn,
     100 requests a second in all.  The order alternates (AB, BA, AB ...)
     so that a shared machine's drifting load falls on both alike; the
     report gives each side's median and spread and the median of the
     per-pair differences;
  3. GET /api/v1/opens page time with --opens opens held by impacket
     sessions.  Every open holds a descriptor in the daemon: where the
     hard RLIMIT_NOFILE cannot be raised (no CAP_SYS_RESOURCE) this is as
     many as the limit allows; build/bench/bench_opens (make bench-opens)
     measures 100 000 through the same code in process.

Ends with a summary table; README.md ("Benchmarks") quotes it.
"""
import argparse
import http.client
import json
import multiprocessing
import os
import platform
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from conftest import Daemon, wait_for   # noqa: E402
from smbclients import PASSWORD, USER   # noqa: E402

SUMMARY = []


def summary(what, value):
    SUMMARY.append((what, value))
    print("%s: %s" % (what, value), flush=True)


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=60):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.unix_path)
        self.sock = s


def get(conn, path):
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read()
    assert r.status == 200, (path, r.status, body[:200])
    return body


def timed(fn, *args):
    t = time.perf_counter()
    v = fn(*args)
    return time.perf_counter() - t, v


def pct(xs, p):
    xs = sorted(xs)
    return xs[max(0, -(-len(xs) * p // 100) - 1)]


def ms(xs):
    return "median %.2f ms, p95 %.2f ms (%d requests)" % (
        1000 * statistics.median(xs), 1000 * pct(xs, 95), len(xs))


# --- GET statistics ---------------------------------------------------------

def bench_statistics(d, label, n=1000):
    conn = UnixHTTPConnection(d.socket_path)
    get(conn, "/api/v1/statistics")
    t = [timed(get, conn, "/api/v1/statistics")[0] for _ in range(n)]
    conn.close()
    summary("GET statistics, %s" % label, ms(t))


# --- SMB throughput with and without the poller -----------------------------

RATE = re.compile(r"\(average ([0-9.]+) (?:kb/s|KiloBytes/sec)\)")


def smbclient(d, cmd, cwd):
    """Runs cmd; smbclient's own average rate in MiB/s (transfer only,
    without process start and logon), and the wall time."""
    t0 = time.perf_counter()
    r = subprocess.run(["smbclient", "-p", str(d.smb_port),
                        "//127.0.0.1/data", "-U", "%s%%%s" % (USER, PASSWORD),
                        "--option=client use spnego principal=no",
                        "-c", cmd], capture_output=True, text=True,
                       cwd=cwd, timeout=900, stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    assert r.returncode == 0, r.stdout + r.stderr
    m = RATE.search(r.stdout + r.stderr)
    assert m, r.stdout + r.stderr
    # smbclient's "kb/s" and "KiloBytes/sec" are KiB/s.
    return float(m.group(1)) / 1024, wall


def transfer(d, src, rate=None):
    """(put MiB/s, get MiB/s) of src, and with a rate the pollers that
    ran during the put and during the get."""
    cwd = os.path.dirname(src)
    out, pollers = [], []
    for cmd in ("put big.bin big.bin", "get big.bin back.bin"):
        p = Poller(d, rate) if rate else None
        if p:
            p.start()
        out.append(smbclient(d, cmd, cwd)[0])
        if p:
            p.stop.set()
            p.join()
            pollers.append(p)
    assert os.path.getsize(os.path.join(cwd, "back.bin")) == \
        os.path.getsize(src)
    os.unlink(os.path.join(cwd, "back.bin"))
    return tuple(out), pollers


class Poller(threading.Thread):
    """GET statistics, opens and sessions in turn, rate requests a
    second in all, on one kept-alive connection."""
    PATHS = ["/api/v1/statistics", "/api/v1/opens?limit=100",
             "/api/v1/sessions?limit=100"]

    def __init__(self, d, rate):
        super().__init__(daemon=True)
        self.d, self.period = d, 1.0 / rate
        self.stop = threading.Event()
        self.lat, self.t0, self.t1 = [], 0.0, 0.0

    def run(self):
        conn = UnixHTTPConnection(self.d.socket_path)
        self.t0 = nxt = time.perf_counter()
        i = 0
        while not self.stop.is_set():
            t, _ = timed(get, conn, self.PATHS[i % len(self.PATHS)])
            self.lat.append(t)
            i += 1
            nxt += self.period
            delay = nxt - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        self.t1 = time.perf_counter()
        conn.close()

    def rate(self):
        return len(self.lat) / (self.t1 - self.t0)


def cpu_seconds(pid):
    """utime + stime of a process, from /proc/PID/stat."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_poller_cost(d, rate, secs=20.0):
    """What the poller costs the daemon itself: its CPU time while the
    poller runs alone, against the same span idle.  Unlike the throughput
    pairs this does not depend on how the machine's other load moves, and
    it bounds what the polling can take from SMB: that share of one core."""
    pid = d.proc.pid
    c0 = cpu_seconds(pid)
    time.sleep(secs)
    idle = cpu_seconds(pid) - c0
    p = Poller(d, rate)
    c0 = cpu_seconds(pid)
    p.start()
    time.sleep(secs)
    p.stop.set()
    p.join()
    busy = cpu_seconds(pid) - c0
    cost = max(busy - idle, 0.0)
    summary("daemon CPU for the poller alone (%.0f req/s, %.0f s)" % (
        rate, secs), "%.1f ms a second = %.2f%% of one core, %.0f us a "
        "request (%d requests; idle %.1f ms a second)" % (
            1000 * cost / secs, 100 * cost / secs,
            1e6 * cost / max(len(p.lat), 1), len(p.lat),
            1000 * idle / secs))


def spread(xs):
    return "%.0f-%.0f" % (min(xs), max(xs))


def bench_throughput(d, tmp, mib, pairs, rate):
    src = os.path.join(tmp, "big.bin")
    with open(src, "wb") as f:
        for _ in range(mib):
            f.write(os.urandom(2 ** 20))
    transfer(d, src)                    # warm: file created, caches
    a, b, polls = [], [], ([], [])
    for i in range(pairs):
        for polled in ((False, True) if i % 2 == 0 else (True, False)):
            if not polled:
                a.append(transfer(d, src)[0])
                continue
            x, ps = transfer(d, src, rate)
            b.append(x)
            polls[0].append(ps[0])
            polls[1].append(ps[1])
        print("  pair %d: without %.0f/%.0f, with %.0f/%.0f MiB/s "
              "(put/get)" % (i + 1, a[-1][0], a[-1][1], b[-1][0], b[-1][1]),
              flush=True)
    for k, name in ((0, "put"), (1, "get")):
        xa, xb = [x[k] for x in a], [x[k] for x in b]
        ma, mb = statistics.median(xa), statistics.median(xb)
        diffs = [100 * (y - x) / x for x, y in zip(xa, xb)]
        summary("SMB %s %d MiB, %d pairs: without poller" % (name, mib, pairs),
                "median %.0f MiB/s (range %s)" % (ma, spread(xa)))
        summary("SMB %s %d MiB, %d pairs: with poller" % (name, mib, pairs),
                "median %.0f MiB/s (range %s), %+.1f%% of the median "
                "without" % (mb, spread(xb), 100 * (mb - ma) / ma))
        summary("SMB %s: per-pair difference with poller" % name,
                "median %+.1f%% (range %+.1f%% to %+.1f%%)" % (
                    statistics.median(diffs), min(diffs), max(diffs)))
    for k, name in ((0, "put"), (1, "get")):
        lat = [x for p in polls[k] for x in p.lat]
        summary("poller during the %ss (asked %.0f req/s)" % (name, rate),
                "%.0f req/s achieved (median of runs), %s, max %.0f ms" % (
                    statistics.median(p.rate() for p in polls[k]), ms(lat),
                    1000 * max(lat)))


# --- GET opens against the real daemon ---------------------------------------

def holder(port, n, ready, done, tag):
    """One impacket session holding n opens of one file until done."""
    from impacket.smbconnection import SMBConnection
    c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=port, timeout=60)
    c.login(USER, PASSWORD)
    tid = c.connectTree("data")
    name = "held-%s.txt" % tag
    for _ in range(n):
        # FILE_SHARE_READ|WRITE|DELETE so every open coexists.
        c.createFile(tid, name, shareMode=7, creationDisposition=3)
    ready.put(n)
    done.wait()
    c.close()


def bench_opens(d, nopens, procs, reps=30):
    ready = multiprocessing.Queue()
    done = multiprocessing.Event()
    per = nopens // procs
    ps = [multiprocessing.Process(target=holder, args=(
        d.smb_port, per, ready, done, i)) for i in range(procs)]
    t0 = time.perf_counter()
    for p in ps:
        p.start()
    def release():
        done.set()
        for p in ps:
            p.join(120)
    try:
        held = sum(ready.get(timeout=3600) for _ in ps)
        measure_opens(d, held, procs, t0, reps)
    except BaseException:
        release()
        raise
    return release


def measure_opens(d, held, procs, t0, reps):
    print("opens: %d created by %d impacket sessions in %.1f s" % (
        held, procs, time.perf_counter() - t0), flush=True)
    conn = UnixHTTPConnection(d.socket_path)
    st = json.loads(get(conn, "/api/v1/statistics"))
    assert st["opens"] >= held, st
    # Every page at limit=1000, keeping the cursors for the timed pages.
    cursors, walk, n, path = [], [], 0, "/api/v1/opens?limit=1000"
    while True:
        t, body = timed(get, conn, path)
        walk.append(t)
        pg = json.loads(body)
        n += len(pg["items"])
        if pg["next_cursor"] is None:
            break
        cursors.append(pg["next_cursor"])
        path = "/api/v1/opens?limit=1000&cursor=" + pg["next_cursor"]
    assert n == st["opens"], (n, st["opens"])
    if len(cursors) < 2:
        # Fewer than 2000 opens: a cursor from a walk at limit=100.
        path, cursors = "/api/v1/opens?limit=100", []
        while True:
            pg = json.loads(get(conn, path))
            if pg["next_cursor"] is None:
                break
            cursors.append(pg["next_cursor"])
            path = "/api/v1/opens?limit=100&cursor=" + pg["next_cursor"]
    mid = cursors[len(cursors) // 2]
    rows = [("first page, limit=100", "/api/v1/opens?limit=100"),
            ("first page, limit=1000", "/api/v1/opens?limit=1000"),
            ("middle page (cursor), limit=100",
             "/api/v1/opens?limit=100&cursor=" + mid),
            ("middle page (cursor), limit=1000",
             "/api/v1/opens?limit=1000&cursor=" + mid)]
    for label, path in rows:
        t = [timed(get, conn, path)[0] for _ in range(reps)]
        summary("GET opens %s, %d opens (real daemon)" % (label, n), ms(t))
    summary("GET opens every page at limit=1000, %d opens" % n,
            "%d pages in %.2f s, page median %.2f ms, max %.2f ms" % (
                len(walk), sum(walk), 1000 * statistics.median(walk),
                1000 * max(walk)))
    conn.close()


def machine():
    model = platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%s, %d CPUs, load average %.2f %.2f %.2f, %s" % (
        model, os.cpu_count(), *os.getloadavg(), platform.platform())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--opens", type=int, default=100000)
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--mib", type=int, default=512)
    ap.add_argument("--pairs", type=int, default=6)
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--skip", default="",
                    help="comma-separated: statistics,throughput,opens")
    args = ap.parse_args()
    skip = set(args.skip.split(",")) - {""}
    # One descriptor per open: raise the limit for the daemon if allowed
    # (CAP_SYS_RESOURCE), else hold as many opens as the limit lets.
    want = args.opens + 1000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(want, soft),
                                                    max(want, hard)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        fit = (hard - 1000) // args.procs * args.procs
        if fit < args.opens:
            print("note: RLIMIT_NOFILE hard limit %d and no "
                  "CAP_SYS_RESOURCE: %d opens instead of %d" % (
                      hard, fit, args.opens))
            args.opens = fit
    summary("machine at start", machine())
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(tmp, users={USER: PASSWORD})
        d.shares = {"data": {"path": os.path.join(d.state_dir, "data"),
                             "read only": "no"}}
        os.makedirs(d.tmp, exist_ok=True)
        d.start()
        assert wait_for(lambda: os.path.exists(d.socket_path))
        try:
            if "statistics" not in skip:
                bench_statistics(d, "idle server")
            if "throughput" not in skip:
                bench_poller_cost(d, args.rate)
                bench_throughput(d, tmp, args.mib, args.pairs, args.rate)
            if "opens" not in skip:
                release = bench_opens(d, args.opens, args.procs)
                if "statistics" not in skip:
                    bench_statistics(d, "with the opens held")
                release()
        finally:
            d.stop()
    summary("machine at end", machine())
    print("\n==== bench_api summary ====")
    width = max(len(w) for w, _ in SUMMARY)
    for what, value in SUMMARY:
        print("%-*s  %s" % (width, what, value))


if __name__ == "__main__":
    main()
