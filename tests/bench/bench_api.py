#!/usr/bin/python3
"""Benchmark of the management API (issue 6), not pass/fail.

  make bench                      (or: tests/bench/bench_api.py [--opens N])

Starts bin/smbsrvd on free loopback ports (the integration tests' Daemon
class) and measures:

  1. GET /api/v1/opens page time with N opens (default 100 000) held by
     impacket sessions: the first page, a page deep in the table, and a
     walk of every page at limit=1000;
  2. GET /api/v1/statistics latency (1000 sequential requests);
  3. SMB throughput (smbclient put and get of a 256 MiB file) without and
     with an admin poller hitting GET statistics and GET opens?limit=100
     100 times a second, and their ratio.

Prints one line per figure; README.md quotes them.
"""
import argparse
import http.client
import json
import multiprocessing
import os
import platform
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


def bench_opens(d, nopens, procs):
    ready = multiprocessing.Queue()
    done = multiprocessing.Event()
    per = nopens // procs
    ps = [multiprocessing.Process(target=holder, args=(
        d.smb_port, per, ready, done, i)) for i in range(procs)]
    t0 = time.perf_counter()
    for p in ps:
        p.start()
    held = sum(ready.get(timeout=3600) for _ in ps)
    print("opens: %d created by %d impacket sessions in %.1f s" % (
        held, procs, time.perf_counter() - t0))
    conn = UnixHTTPConnection(d.socket_path)
    st = json.loads(get(conn, "/api/v1/statistics"))
    print("opens: statistics says %d opens" % st["opens"])
    first = [timed(get, conn, "/api/v1/opens?limit=100")[0]
             for _ in range(20)]
    page = json.loads(get(conn, "/api/v1/opens?limit=1000"))
    ids = [o["id"] for o in page["items"]]
    # A cursor near the end of the table.
    deep = json.loads(get(conn, "/api/v1/opens?limit=1"))["items"][0]["id"]
    deep_cursor = str(int(deep) + max(held - 1000, 0))
    deep_t = [timed(get, conn, "/api/v1/opens?limit=100&cursor=" +
                    deep_cursor)[0] for _ in range(20)]
    walk_t = time.perf_counter()
    cursor, pages, n, sizes = None, 0, 0, []
    while True:
        path = "/api/v1/opens?limit=1000" + (
            "&cursor=" + cursor if cursor else "")
        t, body = timed(get, conn, path)
        sizes.append(t)
        pg = json.loads(body)
        pages += 1
        n += len(pg["items"])
        cursor = pg["next_cursor"]
        if cursor is None:
            break
    walk = time.perf_counter() - walk_t
    print("GET opens?limit=100 (first page) with %d opens: median %.2f ms, "
          "max %.2f ms" % (held, 1000 * statistics.median(first),
                           1000 * max(first)))
    print("GET opens?limit=100 (cursor near the end): median %.2f ms, "
          "max %.2f ms" % (1000 * statistics.median(deep_t),
                           1000 * max(deep_t)))
    print("GET opens?limit=1000, every page: %d pages, %d opens in %.2f s, "
          "median page %.2f ms, max %.2f ms" % (
              pages, n, walk, 1000 * statistics.median(sizes),
              1000 * max(sizes)))
    del ids
    conn.close()
    done.set()
    for p in ps:
        p.join(120)


def bench_statistics(d, n=1000):
    conn = UnixHTTPConnection(d.socket_path)
    t = [timed(get, conn, "/api/v1/statistics")[0] for _ in range(n)]
    t.sort()
    print("GET statistics: %d requests, median %.3f ms, p99 %.3f ms" % (
        n, 1000 * statistics.median(t), 1000 * t[int(n * 0.99) - 1]))
    conn.close()


def smbclient(d, cmd, cwd):
    r = subprocess.run(["smbclient", "-p", str(d.smb_port),
                        "//127.0.0.1/data", "-U", "%s%%%s" % (USER, PASSWORD),
                        "--option=client use spnego principal=no",
                        "-c", cmd], capture_output=True, text=True,
                       cwd=cwd, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr


def transfer(d, src):
    """MiB/s of one put and one get of src."""
    size = os.path.getsize(src)
    cwd = os.path.dirname(src)
    t, _ = timed(smbclient, d, "put big.bin big.bin", cwd)
    put = size / t / 2 ** 20
    t, _ = timed(smbclient, d, "get big.bin back.bin", cwd)
    return put, size / t / 2 ** 20


def poller(d, stop, count):
    conn = UnixHTTPConnection(d.socket_path)
    paths = ["/api/v1/statistics", "/api/v1/opens?limit=100"]
    nxt = time.perf_counter()
    i = 0
    while not stop.is_set():
        get(conn, paths[i % 2])
        i += 1
        nxt += 0.01
        delay = nxt - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
    count.append(i)
    conn.close()


def bench_throughput(d, tmp, mib, rounds):
    """Rounds alternate without and with the poller, so that the load
    of a shared machine drifting during the run hits both alike."""
    src = os.path.join(tmp, "big.bin")
    with open(src, "wb") as f:
        for _ in range(mib):
            f.write(os.urandom(2 ** 20))
    base, polled, rates = [], [], []
    for _ in range(rounds):
        base.append(transfer(d, src))
        stop, count = threading.Event(), []
        th = threading.Thread(target=poller, args=(d, stop, count))
        t0 = time.perf_counter()
        th.start()
        polled.append(transfer(d, src))
        stop.set()
        th.join()
        rates.append(count[0] / (time.perf_counter() - t0))
    bp = statistics.median(x[0] for x in base)
    bg = statistics.median(x[1] for x in base)
    pp = statistics.median(x[0] for x in polled)
    pg = statistics.median(x[1] for x in polled)
    print("SMB throughput, %d MiB file, median of %d: put %.0f MiB/s, "
          "get %.0f MiB/s" % (mib, rounds, bp, bg))
    print("SMB throughput with the API polled at %.0f req/s (rounds "
          "alternating): put %.0f MiB/s (%.1f%%), get %.0f MiB/s (%.1f%%)" % (
              statistics.median(rates), pp, 100 * pp / bp, pg,
              100 * pg / bg))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--opens", type=int, default=100000)
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--mib", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
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
    print("machine: %s, %d CPUs, %s" % (platform.processor() or
                                        platform.machine(), os.cpu_count(),
                                        platform.platform()))
    with tempfile.TemporaryDirectory() as tmp:
        d = Daemon(tmp, users={USER: PASSWORD})
        d.shares = {"data": {"path": os.path.join(d.state_dir, "data"),
                             "read only": "no"}}
        os.makedirs(d.tmp, exist_ok=True)
        d.start()
        assert wait_for(lambda: os.path.exists(d.socket_path))
        try:
            bench_statistics(d)
            bench_throughput(d, tmp, args.mib, args.rounds)
            bench_opens(d, args.opens, args.procs)
            bench_statistics(d)
        finally:
            d.stop()


if __name__ == "__main__":
    main()
