"""pytest fixtures: a real smbsrvd on free loopback ports.

Each test gets its own daemon with a temporary state directory and
configuration; it is stopped (SIGTERM, bounded wait) after the test.
"""
import os
import signal
import socket
import subprocess
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
SMBSRVD = os.environ.get("SMBSRVD_BIN", os.path.join(REPO, "bin", "smbsrvd"))
SMBCTL = os.environ.get("SMBCTL_BIN", os.path.join(REPO, "bin", "smbctl"))


def free_port():
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(pred, timeout=10.0, step=0.02):
    """Polls pred() until true or timeout; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(step)


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class Daemon:
    """One smbsrvd process under test."""

    def __init__(self, tmp, extra_global="", shares=None, admin_tcp=True,
                 users=None):
        self.tmp = str(tmp)
        self.state_dir = os.path.join(self.tmp, "state")
        self.conf_path = os.path.join(self.tmp, "smbsrvd.conf")
        self.log_path = os.path.join(self.tmp, "smbsrvd.log")
        self.smb_port = free_port()
        self.admin_port = free_port() if admin_tcp else None
        self.socket_path = os.path.join(self.state_dir, "smbsrvd.sock")
        self.token_path = os.path.join(self.state_dir, "admin.token")
        self.pid_path = os.path.join(self.state_dir, "smbsrvd.pid")
        self.extra_global = extra_global
        self.shares = shares
        self.users = dict(users or {})
        self.proc = None
        self._log = None

    def config_text(self, extra_global=None, shares=None):
        extra = self.extra_global if extra_global is None else extra_global
        shares = self.shares if shares is None else shares
        if shares is None:
            shares = {"public": {"path": os.path.join(self.state_dir,
                                                      "public"),
                                 "read only": "no", "guest ok": "yes"}}
        lines = ["[global]",
                 "\tsmb listen = 127.0.0.1:%d" % self.smb_port,
                 "\tstate directory = %s" % self.state_dir,
                 "\tadmin listen = %s" % (
                     "127.0.0.1:%d" % self.admin_port
                     if self.admin_port else ""),
                 "\tlog level = 3"]
        lines += ["\t" + l for l in extra.splitlines() if l.strip()]
        for name, keys in shares.items():
            lines.append("[%s]" % name)
            lines += ["\t%s = %s" % kv for kv in keys.items()]
        return "\n".join(lines) + "\n"

    def write_config(self, text=None):
        with open(self.conf_path, "w") as f:
            f.write(self.config_text() if text is None else text)

    def add_user(self, name, password):
        """Adds a user with smbsrvd --add-user (password on stdin)."""
        r = subprocess.run([SMBSRVD, "-c", self.conf_path, "--add-user",
                            name], input=password + "\n", text=True,
                           capture_output=True, timeout=10)
        assert r.returncode == 0, r.stderr
        self.users[name] = password

    def start(self, wait=True):
        if not os.path.exists(self.conf_path):
            self.write_config()
        for name, pw in list(self.users.items()):
            self.add_user(name, pw)
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [SMBSRVD, "-f", "-c", self.conf_path],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log)
        if wait:
            ok = wait_for(lambda: self.proc.poll() is not None or (
                port_open(self.smb_port) and
                os.path.exists(self.socket_path)))
            assert ok and self.proc.poll() is None, \
                "smbsrvd did not start:\n" + self.log()
        return self

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def wait_log(self, text, timeout=10.0):
        return wait_for(lambda: text in self.log(), timeout)

    def reload(self, expect="configuration reloaded"):
        before = self.log().count(expect)
        self.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: self.log().count(expect) > before), \
            "no %r after SIGHUP:\n%s" % (expect, self.log())

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Stops the daemon; returns its exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
                raise AssertionError("smbsrvd ignored %s:\n%s" % (
                    signal.Signals(sig).name, self.log()))
        rc = self.proc.returncode
        self.proc = None
        self._log.close()
        return rc


@pytest.fixture
def smbsrvd(tmp_path):
    d = Daemon(tmp_path).start()
    yield d
    if d.proc is not None:
        rc = d.stop()
        assert rc == 0, "smbsrvd exited %s:\n%s" % (rc, d.log())


@pytest.fixture
def daemon_factory(tmp_path):
    """For tests that need their own configuration or several daemons."""
    made = []

    def make(sub="d", **kw):
        d = Daemon(tmp_path / sub, **kw)
        os.makedirs(d.tmp, exist_ok=True)
        made.append(d)
        return d
    yield make
    for d in made:
        if d.proc is not None:
            d.stop()
