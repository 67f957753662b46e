"""smbctl against a real smbsrvd with real clients connected.

Every command runs in argument mode and is checked for what it prints,
as a table and as JSON; the shell is driven through a pseudo-terminal
(pexpect) and through a pipe; bad input gets its message and exit
status.  Commands whose API routes are still being added (shares and
users changes, the scavenger) skip only while the daemon answers 404 for
the route itself.
"""
import http.client
import io
import json
import os
import re
import signal
import socket
import struct
import subprocess
import time

import pytest
from impacket import smb3structs as s3
from impacket.nt_errors import STATUS_FILE_CLOSED, STATUS_SUCCESS, \
    STATUS_NETWORK_NAME_DELETED, STATUS_USER_SESSION_DELETED
from impacket.smbconnection import SMBConnection, SessionError

from conftest import REPO, SMBCTL, wait_for
from smbclients import PASSWORD, USER, smbclient

try:
    import pexpect
except ImportError:         # python3-pexpect is a test dependency
    pexpect = None

D21 = s3.SMB2_DIALECT_21
D30 = s3.SMB2_DIALECT_30
MAN = os.path.join(REPO, "man", "smbctl.8")


# --- helpers -----------------------------------------------------------------

def ctl(d, *args, stdin=None, env=None, timeout=30, target=None):
    """smbctl on daemon d's socket; the CompletedProcess."""
    where = ["--socket", d.socket_path] if target is None else target
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e.update(env or {})
    return subprocess.run([SMBCTL] + where + list(args), input=stdin,
                          capture_output=True, text=True, timeout=timeout,
                          env=e)


def ok(d, *args, **kw):
    r = ctl(d, *args, **kw)
    assert r.returncode == 0, (args, r.returncode, r.stdout, r.stderr)
    return r.stdout


def js(d, *args, **kw):
    return json.loads(ok(d, "-j", *args, **kw))


def table(text):
    """A table printed by smbctl as a list of dicts (header keys)."""
    lines = [l for l in text.splitlines() if l.strip()]
    head = re.split(r"\s{2,}", lines[0].strip())
    rows = []
    for l in lines[1:]:
        cells = re.split(r"\s{2,}", l.strip())
        cells += [""] * (len(head) - len(cells))
        rows.append(dict(zip(head, cells)))
    return rows


def record(text):
    """"label: value" lines as a dict (top level only)."""
    out = {}
    for l in text.splitlines():
        m = re.match(r"^(\S[^:]*):\s*(.*)$", l)
        if m:
            out[m.group(1)] = m.group(2)
    return out


class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=10)
        self.unix_path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.unix_path)
        self.sock = s


def api_status(d, path, method="GET"):
    c = UnixHTTP(d.socket_path)
    try:
        c.request(method, path)
        r = c.getresponse()
        r.read()
        return r.status
    finally:
        c.close()


def api_json(d, path):
    c = UnixHTTP(d.socket_path)
    try:
        c.request("GET", path)
        r = c.getresponse()
        assert r.status == 200, (path, r.status)
        return json.loads(r.read())
    finally:
        c.close()


def need_route(d, path, what):
    """The route the command stands on must exist: a 404 is a failure."""
    assert api_status(d, path) != 404, "the daemon answers 404 for %s " \
        "(%s)" % (path, what)


def connect(d, dialect=D21):
    c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=d.smb_port,
                      preferredDialect=dialect, timeout=10)
    c.login(USER, PASSWORD)
    return c


def smb_status(fn, *args):
    with pytest.raises(SessionError) as e:
        fn(*args)
    return e.value.getErrorCode()


def last_seq(d):
    return api_json(d, "/api/v1/events?limit=1")["last_seq"]


@pytest.fixture
def server(daemon_factory):
    d = daemon_factory(users={USER: PASSWORD})
    d.shares = {
        "data": {"path": d.state_dir + "/data", "read only": "no"},
        "other": {"path": d.state_dir + "/other", "read only": "no",
                  "max uses": "5", "comment": "the other one"},
    }
    d.start()
    return d


@pytest.fixture
def two_clients(server):
    """A at SMB 2.1 with two files open on [data]; B at 3.0 with one file
    open on [other] and a tree connect to [data] without files."""
    a, b = connect(server, D21), connect(server, D30)
    ta = a.connectTree("data")
    fa1 = a.createFile(ta, "a1.txt")
    a.writeFile(ta, fa1, b"one")
    fa2 = a.createFile(ta, "sub.txt")
    tb_other = b.connectTree("other")
    tb_data = b.connectTree("data")
    fb = b.createFile(tb_other, "b.txt")
    yield {"a": a, "b": b, "ta": ta, "fa1": fa1, "fa2": fa2,
           "tb_other": tb_other, "tb_data": tb_data, "fb": fb}
    for c in (a, b):
        try:
            c.close()
        except Exception:       # the test may have closed it already
            pass


def sessions_by_dialect(d):
    return {s["dialect"]: s for s in js(d, "session", "list")["items"]}


# --- state in argument mode --------------------------------------------------

def test_session_list_table_and_json(server, two_clients):
    rows = table(ok(server, "session", "list"))
    assert sorted(r["DIALECT"] for r in rows) == ["2.1", "3.0"]
    for r in rows:
        assert r["USER"] == USER and r["STATE"] == "valid"
        assert r["CLIENT"].startswith("127.0.0.1:")
    by = {r["DIALECT"]: r for r in rows}
    assert (by["2.1"]["OPENS"], by["2.1"]["TREES"]) == ("2", "1")
    assert (by["3.0"]["OPENS"], by["3.0"]["TREES"]) == ("1", "2")
    ss = sessions_by_dialect(server)
    assert by["2.1"]["ID"] == ss["2.1"]["id"]
    assert ss["3.0"]["user"] == USER and ss["3.0"]["opens"] == 1
    page = js(server, "session", "list")
    assert page["next_cursor"] is None and len(page["items"]) == 2
    # -H and -o: bare columns for scripts; prefixes of the words work.
    ids = ok(server, "ses", "l", "-H", "-o", "id,dialect").split("\n")
    assert sorted(l.split()[1] for l in ids if l) == ["2.1", "3.0"]


def test_session_show(server, two_clients):
    b = sessions_by_dialect(server)["3.0"]
    out = ok(server, "session", "show", b["id"])
    rec = record(out)
    assert rec["id"] == b["id"] and rec["user"] == USER
    assert rec["dialect"] == "3.0"
    assert re.search(r"^TREE\s+SHARE", out, re.M)
    assert re.search(r"^\d+\s+other\s+1\s", out, re.M)
    assert "b.txt" in out
    j = js(server, "session", "show", b["id"])
    assert j["session"]["id"] == b["id"]
    assert sorted(t["share"] for t in j["trees"]["items"]) == \
        ["data", "other"]
    assert [o["path"] for o in j["opens"]["items"]] == ["b.txt"]


def test_session_close_makes_the_clients_next_request_fail(server,
                                                           two_clients):
    a = sessions_by_dialect(server)["2.1"]
    out = ok(server, "session", "close", a["id"])
    assert out.startswith("session %s closed: 1 session" % a["id"])
    assert "2 opens" in out and "1 tree" in out
    c = two_clients
    assert smb_status(c["a"].readFile, c["ta"], c["fa1"]) == \
        STATUS_USER_SESSION_DELETED
    assert list(sessions_by_dialect(server)) == ["3.0"]
    # The other client is untouched.
    assert c["b"].readFile(c["tb_other"], c["fb"]) == b""


def test_dry_runs_change_nothing(server, two_clients):
    ss = sessions_by_dialect(server)
    seq = last_seq(server)
    out = ok(server, "session", "close", "--dry-run", ss["2.1"]["id"])
    assert out.startswith("session %s (dry run): would close 1 session"
                          % ss["2.1"]["id"])
    assert "2 opens" in out
    j = js(server, "session", "close", "-n", ss["2.1"]["id"])
    assert j["dry_run"] is True
    assert j["impact"]["counts"] == {"connections": 0, "sessions": 1,
                                     "trees": 1, "opens": 2,
                                     "kept": 0}
    tree = js(server, "tree", "list", "--share", "other")["items"][0]
    assert "would close 1 tree" in ok(server, "tree", "close", "-n",
                                      tree["id"])
    op = js(server, "open", "list", "--share", "other")["items"][0]
    assert "would close 1 open (%s)" % op["id"] in \
        ok(server, "open", "close", "-n", op["id"])
    conn = js(server, "conn", "list")["items"][0]
    assert "(dry run): would close" in ok(server, "conn", "drop", "-n",
                                          conn["id"])
    assert last_seq(server) == seq
    assert len(js(server, "session", "list")["items"]) == 2
    assert len(js(server, "open", "list")["items"]) == 3
    c = two_clients
    assert c["a"].readFile(c["ta"], c["fa1"]) == b"one"


def test_tree_list_filters_and_close(server, two_clients):
    ss = sessions_by_dialect(server)
    rows = table(ok(server, "tree", "list"))
    assert sorted(r["SHARE"] for r in rows) == ["data", "data", "other"]
    assert all(r["USER"] == USER for r in rows)
    mine = table(ok(server, "tree", "list", "--session", ss["3.0"]["id"]))
    assert sorted(r["SHARE"] for r in mine) == ["data", "other"]
    assert {r["SESSION"] for r in mine} == {ss["3.0"]["id"]}
    assert len(js(server, "tree", "list", "--share", "DATA")["items"]) == 2
    other = js(server, "tree", "list", "--share", "other")["items"][0]
    assert record(ok(server, "tree", "show", other["id"]))["share"] == \
        "other"
    out = ok(server, "tree", "close", other["id"])
    assert out.startswith("tree %s closed: 1 tree" % other["id"])
    c = two_clients
    assert smb_status(c["b"].readFile, c["tb_other"], c["fb"]) == \
        STATUS_NETWORK_NAME_DELETED
    assert js(server, "tree", "list", "--share", "other")["items"] == []


def test_open_list_filters_show_and_close(server, two_clients):
    ss = sessions_by_dialect(server)
    rows = table(ok(server, "open", "list"))
    assert sorted(r["PATH"] for r in rows) == ["a1.txt", "b.txt", "sub.txt"]
    a1 = [r for r in rows if r["PATH"] == "a1.txt"][0]
    assert a1["SHARE"] == "data" and a1["USER"] == USER
    assert a1["STATE"] == "active" and a1["SESSION"] == ss["2.1"]["id"]
    assert a1["LOCKS"] == "0"
    assert sorted(o["path"] for o in js(
        server, "open", "list", "--session", ss["2.1"]["id"])["items"]) == \
        ["a1.txt", "sub.txt"]
    assert [o["path"] for o in js(server, "open", "list", "--share",
                                  "other")["items"]] == ["b.txt"]
    assert len(js(server, "open", "list", "--user", USER)["items"]) == 3
    assert js(server, "open", "list", "--user", "nobody")["items"] == []
    # Nothing is disconnected or durable here: the filters say so.
    assert js(server, "open", "list", "--disconnected")["items"] == []
    assert js(server, "open", "list", "--durable")["items"] == []
    assert ok(server, "open", "list", "-d", "-H") == ""
    raw = ok(server, "open", "list", "-p", "-o", "path,open,oplock")
    head, *lines = raw.splitlines()
    assert head == "PATH\tOPEN\tOPLOCK"
    for l in lines:
        path, ms, oplock = l.split("\t")
        assert path in ("a1.txt", "b.txt", "sub.txt")
        assert int(ms) >= 0 and oplock
    paths = ok(server, "open", "list", "-H", "-o", "path").split()
    assert sorted(paths) == ["a1.txt", "b.txt", "sub.txt"]
    rec = record(ok(server, "open", "show", a1["ID"]))
    assert rec["path"] == "a1.txt" and rec["share"] == "data"
    assert "FILE_READ_DATA" in rec["permissions names"]
    assert js(server, "open", "show", a1["ID"])["id"] == a1["ID"]
    out = ok(server, "open", "close", a1["ID"])
    assert out.startswith("open %s closed: 1 open (%s)" % (a1["ID"],
                                                           a1["ID"]))
    c = two_clients
    assert smb_status(c["a"].readFile, c["ta"], c["fa1"]) == \
        STATUS_FILE_CLOSED
    assert sorted(o["path"] for o in js(server, "open", "list")["items"]) \
        == ["b.txt", "sub.txt"]


def test_open_who_names_the_holder(server, two_clients):
    ss = sessions_by_dialect(server)
    out = ok(server, "open", "who", "/a1.txt")
    assert out.startswith("open ")
    rec = record("\n".join(l.strip() for l in out.splitlines()[1:]))
    assert rec["session id"] == ss["2.1"]["id"]
    assert rec["client"] == ss["2.1"]["client"]
    assert rec["user"] == USER and rec["share"] == "data"
    assert "FILE_READ_DATA" in rec["permissions names"]
    assert rec["share access names"] == \
        "FILE_SHARE_READ,FILE_SHARE_WRITE,FILE_SHARE_DELETE"
    assert rec["locks"] == "0"
    # Backslashes as a Windows user writes them; a prefix is not a match.
    j = js(server, "open", "who", "\\a1.txt", "--share", "data")
    assert [o["path"] for o in j["items"]] == ["a1.txt"]
    assert js(server, "open", "who", "a1")["items"] == []
    assert ok(server, "open", "who", "nothere.txt") == \
        "nobody has nothere.txt open\n"


def test_conn_list_show_and_drop(server, two_clients):
    rows = table(ok(server, "conn", "list"))
    assert sorted(r["DIALECT"] for r in rows) == ["2.1", "3.0"]
    assert all(r["STATE"] == "live" and r["SESSIONS"] == "1" for r in rows)
    ss = sessions_by_dialect(server)
    a = [r for r in rows if r["DIALECT"] == "2.1"][0]
    assert a["CLIENT"] == ss["2.1"]["client"]
    assert record(ok(server, "conn", "show", a["ID"]))["client"] == \
        a["CLIENT"]
    out = ok(server, "conn", "drop", a["ID"])
    assert out.startswith("connection %s closed: 1 connection" % a["ID"])
    c = two_clients
    with pytest.raises(Exception):
        c["a"].readFile(c["ta"], c["fa1"])
    assert wait_for(lambda: [r["DIALECT"] for r in table(
        ok(server, "conn", "list"))] == ["3.0"])


def test_status_and_server(server, two_clients):
    out = ok(server, "status")
    assert re.search(r"^server: .*smbsrvd \d+\.\d+\.\d+, up ", out, re.M)
    assert "now:       2 connections, 2 sessions, 3 tree connects, " \
        "3 opens" in out
    assert re.search(r"^scavenger: ", out, re.M)
    _, sessions, opens = out.split("\n\n")
    sessions, opens = table(sessions), table(opens)
    assert sorted(r["DIALECT"] for r in sessions if r["USER"] == USER) == \
        ["2.1", "3.0"]
    assert sorted(r["PATH"] for r in opens) == ["a1.txt", "b.txt", "sub.txt"]
    assert {r["STATE"] for r in opens} == {"active"}
    j = js(server, "status")
    assert j["statistics"]["opens"] == 3 and len(j["sessions"]) == 2
    assert len(j["opens"]) == 3
    assert j["server"]["state_directory"] == server.state_dir
    rec = record(ok(server, "server"))
    assert rec["state directory"] == server.state_dir
    assert rec["admin socket"] == server.socket_path
    assert js(server, "server")["connections"] == 2


def test_share_list(server, two_clients):
    rows = {r["NAME"]: r for r in table(ok(server, "share", "list"))}
    assert set(rows) == {"IPC$", "data", "other"}
    assert rows["other"]["USES"] == "1" and rows["other"]["MAX"] == "5"
    assert rows["other"]["COMMENT"] == "the other one"
    assert rows["data"]["USES"] == "2"
    j = {s["name"]: s for s in js(server, "share", "list")["items"]}
    assert j["data"]["path"] == server.state_dir + "/data"


def test_stats_and_watch_rates(server, two_clients):
    rec = record(ok(server, "stats"))
    assert rec["sts0 fopens"] == "3" and rec["opens"] == "3"
    assert js(server, "stats")["sessions"] == 2
    p = subprocess.Popen([SMBCTL, "--socket", server.socket_path, "-j",
                          "stats", "--watch", "1", "--count", "3"],
                         stdout=subprocess.PIPE, text=True)
    try:
        first = json.loads(p.stdout.readline())
        assert first["per_second"] is None
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", first["time"])
        c = two_clients
        for i in range(4):
            f = c["a"].createFile(c["ta"], "w%d.txt" % i)
            c["a"].closeFile(c["ta"], f)
        rest = [json.loads(l) for l in p.stdout]
    finally:
        p.wait(10)
    assert p.returncode == 0 and len(rest) == 2
    assert rest[-1]["statistics"]["sts0_fopens"] == \
        first["statistics"]["sts0_fopens"] + 4
    rates = [s["per_second"]["sts0_fopens"] for s in rest]
    # Four opens over about two seconds of samples.
    assert 1.0 <= sum(rates) <= 6.0, rates
    out = ok(server, "stats", "-w", "0.2", "-c", "2")
    lines = out.splitlines()
    assert lines[0].split()[:5] == ["TIME", "CONNS", "SESSIONS", "TREES",
                                    "OPENS"]
    assert len(lines) == 3 and lines[1].split()[1:5] == ["2", "2", "3", "3"]


def test_events_backlog_filters_and_follow(server, two_clients):
    rows = ok(server, "events").splitlines()
    assert rows[0].split()[:3] == ["SEQ", "TIME", "TYPE"]
    types = [l.split()[3] for l in rows[1:]]
    assert types.count("session.registered") == 2
    assert types.count("open.registered") == 3
    j = [json.loads(l) for l in ok(server, "-j", "events", "--type",
                                   "tree.*").splitlines()]
    assert [e["type"] for e in j] == ["tree.registered"] * 3
    assert all(e["user"] == USER for e in j)
    since = j[0]["seq"]
    later = [json.loads(l) for l in ok(server, "events", "-j", "--since",
                                       str(since)).splitlines()]
    assert later[0]["seq"] == since + 1
    assert len(ok(server, "events", "-H", "-c", "2").splitlines()) == 2
    p = subprocess.Popen([SMBCTL, "--socket", server.socket_path, "events",
                          "--follow", "-j", "-t", "tree.registered", "-c",
                          "1"], stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        c = two_clients
        c["a"].connectTree("other")
        line = p.stdout.readline()
        p.wait(10)
    finally:
        if p.poll() is None:
            p.kill()
    ev = json.loads(line)
    assert ev["type"] == "tree.registered" and ev["share"] == "other"
    assert p.returncode == 0


def test_events_follow_stops_on_interrupt(server):
    p = subprocess.Popen([SMBCTL, "--socket", server.socket_path, "events",
                          "-f"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=10)
    assert p.returncode == 0, err


# --- help, the command table and the man page --------------------------------

def help_commands(text):
    """The command words of "help" lines: "  session close ID  force..."."""
    out = []
    for l in text.splitlines():
        if not l.startswith("  ") or l.startswith("   "):
            continue
        words = []
        for w in re.split(r"\s{2,}", l.strip())[0].split():
            if w.startswith("[") or not w.islower():
                break
            words.append(w)
        out.append(" ".join(words))
    return out


def test_help_lists_the_table_and_the_man_page_follows_it(server):
    out = ok(server, "help")
    cmds = help_commands(out.split("commands (", 1)[1])
    assert cmds[:4] == ["status", "server", "session list", "session show"]
    assert "open who" in cmds and "scavenger expire" in cmds
    assert "quit" not in cmds      # shell-only
    with open(MAN) as f:
        man = f.read()
    man_cmds = []
    for m in re.finditer(r"^\.It Cm (.+)$", man, re.M):
        words = []
        for w in m.group(1).split():
            if w in ("Ar", "Op", "Fl", "Cm", "Oo", "Oc", "Ns", "Li", "|"):
                break
            words.append(w)
        man_cmds.append(" ".join(words))
    assert man_cmds == cmds
    # Every option of every command is in the man page.
    for cmd in cmds:
        h = ok(server, "help", *cmd.split())
        for opt in re.findall(r"^  (?:-\w, |    )--([\w-]+)", h, re.M):
            assert "Fl -%s" % opt in man, (cmd, opt)
    h = ok(server, "help", "sess", "clo")
    assert h.startswith("usage: smbctl session close")
    assert "--keep-durable" in h and "--dry-run" in h
    assert ok(server, "session", "close", "--help") == h


# --- bad input ---------------------------------------------------------------

def test_bad_input_messages_and_exit_statuses(server):
    r = ctl(server, "frobnicate")
    assert r.returncode == 2 and 'unknown command "frobnicate"' in r.stderr
    r = ctl(server, "s")
    assert r.returncode == 2
    assert '"s" is ambiguous: it could be status, server, session, share, ' \
        'stats, scavenger or shell' in r.stderr
    r = ctl(server, "session")
    assert r.returncode == 2 and "missing subcommand: list, show or close" \
        in r.stderr
    r = ctl(server, "session", "close")
    assert r.returncode == 2 and "missing argument: ID" in r.stderr
    assert "usage: smbctl session close" in r.stderr
    r = ctl(server, "session", "show", "12x")
    assert r.returncode == 2 and '"12x" is not an id' in r.stderr
    r = ctl(server, "open", "close", "999999")
    assert r.returncode == 1
    assert r.stderr.startswith("smbctl: open 999999: not found (404")
    r = ctl(server, "session", "list", "--bogus")
    assert r.returncode == 2 and "unknown option --bogus" in r.stderr
    r = ctl(server, "session", "list", "-o", "id,nope")
    assert r.returncode == 2 and 'no column "nope"' in r.stderr
    # Passwords never on the command line.
    r = ctl(server, "user", "add", "bob", "secret")
    assert r.returncode == 2 and "too many arguments" in r.stderr
    r = ctl(server, "user", "add", "bob", stdin="")
    assert r.returncode == 1 and "--stdin" in r.stderr
    assert r.stdout == ""


def test_daemon_down_and_tokens(server, tmp_path):
    r = ctl(server, "status", target=["--socket", str(tmp_path / "no.sock")])
    assert r.returncode == 1
    assert "cannot reach smbsrvd at %s" % (tmp_path / "no.sock") in r.stderr
    assert "is it running?" in r.stderr
    url = "http://127.0.0.1:%d" % server.admin_port
    r = ctl(server, "session", "list", target=["--url", url])
    assert r.returncode == 1 and "wants a bearer token" in r.stderr
    bad = tmp_path / "bad.token"
    bad.write_text("not-the-token\n")
    r = ctl(server, "session", "list", target=["--url", url, "--token-file",
                                               str(bad)])
    assert r.returncode == 1
    assert "refused the token from %s" % bad in r.stderr
    r = ctl(server, "server", "-j", target=["--url", url, "--token-file",
                                            server.token_path])
    assert r.returncode == 0 and json.loads(r.stdout)["admin_listen"]
    server.stop()
    r = ctl(server, "session", "list")
    assert r.returncode == 1 and "is it running?" in r.stderr


# --- the shell without a terminal --------------------------------------------

def test_piped_commands_without_a_terminal(server, two_clients):
    script = "status\n# a comment\n\nsess list -H -o dialect\nbogus\n" \
             "help open who\nquit\nstatus\n"
    r = ctl(server, stdin=script)
    assert r.returncode == 2            # bogus failed
    assert "smbctl>" not in r.stdout     # no prompt
    assert r.stdout.count("server:") == 1    # nothing after quit
    assert "\n2.1\n3.0\n" in r.stdout
    assert "usage: smbctl open who" in r.stdout
    assert 'unknown command "bogus"' in r.stderr
    r = ctl(server, "shell", stdin="session list -H -o user\n")
    assert r.returncode == 0 and r.stdout.split() == [USER, USER]


# --- the shell on a terminal -------------------------------------------------

def spawn_shell(d, home):
    if pexpect is None:
        pytest.fail("pexpect missing: scripts/deps.sh test installs "
                    "python3-pexpect")
    env = dict(os.environ, HOME=str(home), TERM="dumb", INPUTRC="/dev/null")
    env.pop("XDG_STATE_HOME", None)
    child = pexpect.spawn(SMBCTL, ["--socket", d.socket_path], env=env,
                          encoding="utf-8", timeout=10,
                          dimensions=(40, 200))
    child.expect_exact("smbctl> ")
    return child


def test_shell_completion_help_history_and_keys(server, tmp_path):
    c = connect(server, D30)
    t = c.connectTree("data")
    c.createFile(t, "held.txt")
    sid = js(server, "session", "list")["items"][0]["id"]
    home = tmp_path / "home"
    home.mkdir()
    sh = spawn_shell(server, home)
    try:
        # A command word, then a live session id, both by Tab.
        sh.send("sess\t")
        sh.expect_exact("session ")
        sh.send("sh\t")
        sh.expect_exact("show ")
        sh.send("\t")
        sh.expect_exact("%s " % sid)        # typed by completion alone
        sh.send("\r")
        sh.expect(r"dialect:\s+3\.0")
        sh.expect_exact("smbctl> ")
        # Options complete too.
        sh.send("open list --disc\t")
        sh.expect_exact("--disconnected ")
        sh.send("\r")
        sh.expect_exact("ID  SESSION")
        sh.expect_exact("smbctl> ")
        # Share names come from the API too, here an option's argument.
        sh.send("tree list --share da\t")
        sh.expect_exact("ta ")
        sh.send("\r")
        sh.expect(r"\n\d+\s+%s\s+data\s" % sid)
        sh.expect_exact("smbctl> ")
        sh.send("help\r")
        sh.expect_exact("commands (any unique prefix")
        sh.expect_exact("quit")
        sh.expect_exact("smbctl> ")
        # Ctrl-C drops the line being typed: nothing runs.
        sh.send("session list")
        sh.expect_exact("session list")
        sh.send("\x03")
        sh.expect_exact("^C")
        sh.expect_exact("smbctl> ")
        sh.send("\r")
        sh.expect_exact("smbctl> ")
        assert "USER" not in sh.before
        # Ctrl-C stops a running command, not the shell.
        sh.send("stats --watch 0.2\r")
        sh.expect_exact("OPENS/S")
        sh.expect(r"\n\d\d:\d\d:\d\d ")
        sh.send("\x03")
        sh.expect_exact("smbctl> ")
        # ... and a stream.
        sh.send("events --follow\r")
        sh.expect_exact("SEQ")
        time.sleep(0.3)
        sh.send("\x03")
        sh.expect_exact("smbctl> ")
        sh.send("server\r")
        sh.expect(r"state directory:\s+" + re.escape(server.state_dir))
        sh.expect_exact("smbctl> ")
        # Ctrl-D on an empty line leaves with status 0.
        sh.send("\x04")
        sh.expect(pexpect.EOF)
        sh.close()
        assert sh.exitstatus == 0
    finally:
        if sh.isalive():
            sh.terminate(force=True)
    hist = (home / ".smbctl_history").read_text().splitlines()
    assert hist[-1] == "server"
    assert "session show %s" % sid in hist
    assert "session list" not in hist      # cancelled with Ctrl-C
    assert oct((home / ".smbctl_history").stat().st_mode & 0o777) == "0o600"
    # The next shell recalls it (Ctrl-P: previous line).
    sh = spawn_shell(server, home)
    try:
        sh.send("\x10")
        sh.expect_exact("server")
        sh.send("\r")
        sh.expect(r"admin socket:\s+" + re.escape(server.socket_path))
        sh.expect_exact("smbctl> ")
        sh.send("quit\r")
        sh.expect(pexpect.EOF)
        sh.close()
        assert sh.exitstatus == 0
    finally:
        if sh.isalive():
            sh.terminate(force=True)
    c.close()


def test_colour_only_on_a_terminal_and_never_with_no_color(server):
    def run(**env):
        e = dict(os.environ, TERM="xterm")
        e.pop("NO_COLOR", None)
        e.update(env)
        p = pexpect.spawn(SMBCTL, ["--socket", server.socket_path, "share",
                                   "list"], env=e, encoding="utf-8",
                          timeout=10)
        p.expect(pexpect.EOF)
        p.close()
        assert p.exitstatus == 0
        return p.before
    assert "\x1b[1mNAME" in run()
    assert "\x1b[" not in run(NO_COLOR="1")
    assert "\x1b[" not in ok(server, "share", "list")     # a pipe


def test_shell_history_goes_to_xdg_state_home(server, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    xdg = tmp_path / "state"
    xdg.mkdir()
    env = dict(os.environ, HOME=str(home), TERM="dumb", INPUTRC="/dev/null",
               XDG_STATE_HOME=str(xdg))
    sh = pexpect.spawn(SMBCTL, ["--socket", server.socket_path], env=env,
                       encoding="utf-8", timeout=10)
    try:
        sh.expect_exact("smbctl> ")
        sh.send("status\r")
        sh.expect_exact("server:")
        sh.expect_exact("smbctl> ")
        sh.send("\x04")
        sh.expect(pexpect.EOF)
    finally:
        if sh.isalive():
            sh.terminate(force=True)
    assert (xdg / "smbctl" / "history").read_text().split() == ["status"]
    assert not (home / ".smbctl_history").exists()


# --- shares and users (routes from wip-api) ----------------------------------

def test_share_add_show_set_remove(server, two_clients, tmp_path):
    need_route(server, "/api/v1/shares/data", "GET/POST/PATCH/DELETE shares")
    path = tmp_path / "newshare"
    path.mkdir()
    out = ok(server, "share", "add", "fresh", str(path), "--comment",
             "made by smbctl", "--max-uses", "3")
    assert out.startswith("share fresh added")
    r = smbclient(server, "fresh", user=USER, password=PASSWORD,
                  cmd="put /etc/hostname h.txt")
    assert r.returncode == 0, r.stdout + r.stderr
    assert (path / "h.txt").exists()
    rec = record(ok(server, "share", "show", "fresh"))
    assert rec["comment"] == "made by smbctl" and rec["max uses"] == "3"
    assert rec["read only"] == "no"
    j = js(server, "share", "set", "fresh", "read-only=yes",
           "comment=changed", "max_uses=unlimited")
    assert j["read_only"] is True and j["comment"] == "changed"
    assert j["max_uses"] is None
    assert js(server, "share", "show", "fresh")["read_only"] is True
    r = ctl(server, "share", "set", "fresh", "colour=red")
    assert r.returncode == 2 and 'unknown key "colour"' in r.stderr
    out = ok(server, "share", "remove", "--dry-run", "data")
    assert "(dry run): would close 2 trees" in out
    assert "data" in [s["name"] for s in js(server, "share",
                                            "list")["items"]]
    ok(server, "share", "remove", "fresh")
    assert "fresh" not in [s["name"] for s in js(server, "share",
                                                 "list")["items"]]
    r = ctl(server, "share", "show", "fresh")
    assert r.returncode == 1 and "share fresh: not found" in r.stderr


def test_user_add_passwd_disable_enable_remove(server):
    need_route(server, "/api/v1/users", "GET/POST users")
    out = ok(server, "user", "add", "carol", "--stdin",
             stdin="carol-pass-1\n")
    assert out == "user carol added\n"
    rows = {r["NAME"]: r for r in table(ok(server, "user", "list"))}
    assert rows["carol"]["ENABLED"] == "yes"
    assert "carol-pass-1" not in ok(server, "-j", "user", "list")

    def logon(pw):
        return smbclient(server, "data", user="carol", password=pw).returncode
    assert logon("carol-pass-1") == 0
    ok(server, "user", "passwd", "carol", "--stdin", stdin="carol-pass-2\n")
    assert logon("carol-pass-1") != 0 and logon("carol-pass-2") == 0
    assert ok(server, "user", "disable", "carol") == "user carol disabled\n"
    assert logon("carol-pass-2") != 0
    assert {u["name"]: u["enabled"] for u in js(
        server, "user", "list")["items"]}["carol"] is False
    assert {r["NAME"]: r["ENABLED"] for r in table(
        ok(server, "user", "list"))}["carol"] == "no"
    ok(server, "user", "enable", "carol")
    assert logon("carol-pass-2") == 0
    ok(server, "user", "remove", "carol")
    assert "carol" not in [u["name"] for u in js(server, "user",
                                                 "list")["items"]]
    r = ctl(server, "user", "remove", "carol")
    assert r.returncode == 1 and "user carol: not found" in r.stderr


def test_user_add_asks_for_the_password_without_echo(server):
    need_route(server, "/api/v1/users", "GET/POST users")
    if pexpect is None:
        pytest.fail("pexpect missing: scripts/deps.sh test installs "
                    "python3-pexpect")
    seen = io.StringIO()
    p = pexpect.spawn(SMBCTL, ["--socket", server.socket_path, "user",
                               "add", "dave"], encoding="utf-8", timeout=10)
    p.logfile_read = seen
    try:
        p.expect_exact("password for dave: ")
        p.sendline("dave-pass-1")
        p.expect_exact("again: ")
        p.sendline("dave-pass-X")
        p.expect_exact("the two differ; again")
        p.expect_exact("password for dave: ")
        p.sendline("dave-pass-1")
        p.expect_exact("again: ")
        p.sendline("dave-pass-1")
        p.expect_exact("user dave added")
        p.expect(pexpect.EOF)
        p.close()
    finally:
        if p.isalive():
            p.terminate(force=True)
    assert p.exitstatus == 0
    assert "dave-pass" not in seen.getvalue()
    assert smbclient(server, "data", user="dave",
                     password="dave-pass-1").returncode == 0


# --- the scavenger (routes from wip-api) -------------------------------------

def durable_open(d, name):
    """impacket at 3.0 opens name with a batch oplock and DHnQ; returns
    the connection (kept so that the server keeps it too)."""
    c = connect(d, D30)
    srv = c.getSMBServer()
    tid = c.connectTree("data")
    ctx = struct.pack("<IHHHHI", 0, 16, 4, 0, 24, 16) + b"DHnQ" + \
        b"\0" * 4 + b"\0" * 16
    packet = srv.SMB_PACKET()
    packet["Command"] = s3.SMB2_CREATE
    packet["TreeID"] = tid
    req = s3.SMB2Create()
    req["RequestedOplockLevel"] = s3.SMB2_OPLOCK_LEVEL_BATCH
    req["ImpersonationLevel"] = 2
    req["DesiredAccess"] = 0x001F01FF
    req["FileAttributes"] = 0x80
    req["ShareAccess"] = 7
    req["CreateDisposition"] = 3
    req["CreateOptions"] = 0x40
    req["NameLength"] = len(name) * 2
    req["Buffer"] = name.encode("utf-16le")
    off = 64 + s3.SMB2Create.SIZE + len(req["Buffer"])
    if off % 8:
        req["Buffer"] += b"\0" * (8 - off % 8)
    req["CreateContextsOffset"] = 64 + s3.SMB2Create.SIZE + len(req["Buffer"])
    req["CreateContextsLength"] = len(ctx)
    req["Buffer"] += ctx
    packet["Data"] = req
    ans = srv.recvSMB(srv.sendSMB(packet))
    assert ans.isValidAnswer(STATUS_SUCCESS)
    return c


def test_scavenger_shows_a_dropped_durable_open_counting_down(server):
    need_route(server, "/api/v1/scavenger", "GET scavenger")
    c = durable_open(server, "keep.txt")
    # Active durable opens count as durable too; none is disconnected yet.
    active = js(server, "open", "list", "--durable")["items"]
    assert [o["path"] for o in active] == ["keep.txt"]
    assert active[0]["durability"] == "durable_v1"
    assert js(server, "open", "list", "--disconnected")["items"] == []
    conn = [x for x in js(server, "conn", "list")["items"]][0]
    ok(server, "conn", "drop", conn["id"])
    assert wait_for(lambda: js(server, "open", "list", "--disconnected")
                    ["items"])
    op = js(server, "open", "list", "--disconnected")["items"][0]
    assert op["path"] == "keep.txt"
    assert [o["id"] for o in js(server, "open", "list", "--durable")
            ["items"]] == [op["id"]]
    assert [o["id"] for o in js(server, "open", "list", "--durable",
                                "--disconnected")["items"]] == [op["id"]]
    first = js(server, "scavenger")
    item = [i for i in first["items"] if i["id"] == op["id"]][0]
    assert item["reason"] == "durable_v1" and item["path"] == "keep.txt"
    rows = table(ok(server, "scavenger").split("\n\n", 1)[1])
    assert rows[0]["ID"] == op["id"] and rows[0]["REASON"] == "durable_v1"
    assert re.match(r"^\d+(\.\d)?s$|^\dm \d+s$", rows[0]["REMAINING"])
    time.sleep(1.2)
    later = [i for i in js(server, "scavenger")["items"]
             if i["id"] == op["id"]][0]
    assert later["remaining_ms"] < item["remaining_ms"]
    out = ok(server, "scavenger", "extend", op["id"], "120")
    assert re.match(r"^open %s waits (2m 0s|1m 59s) more, until " % op["id"],
                    out), out
    ext = [i for i in js(server, "scavenger")["items"]
           if i["id"] == op["id"]][0]
    assert 100000 < ext["remaining_ms"] <= 120000
    r = ctl(server, "scavenger", "extend", op["id"], "1")
    assert r.returncode == 1 and "open %s:" % op["id"] in r.stderr
    assert "scavenger: 1 open waiting for a reconnect" in ok(server,
                                                             "status")
    watch = ok(server, "scavenger", "--watch", "0.3", "--count", "2")
    assert watch.count("durable   timer: 1 pending") == 2
    out = ok(server, "scavenger", "expire", "--dry-run")
    assert out == "would expire 1 open: %s\n" % op["id"]
    assert len(js(server, "scavenger")["items"]) == 1
    out = ok(server, "scavenger", "expire", op["id"])
    assert out == "expired 1 open: %s\n" % op["id"]
    assert js(server, "scavenger")["items"] == []
    assert js(server, "open", "list", "--disconnected")["items"] == []
    types = [json.loads(l)["type"] for l in ok(
        server, "-j", "events", "-t", "open.expired").splitlines()]
    assert types == ["open.expired"]
    try:
        c.close()
    except Exception:
        pass


def api_text(d, path):
    c = UnixHTTP(d.socket_path)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    finally:
        c.close()


def test_session_close_keep_durable_leaves_the_open_waiting(server):
    need_route(server, "/api/v1/scavenger", "GET scavenger")
    c = durable_open(server, "kept.txt")
    sid = js(server, "session", "list")["items"][0]["id"]
    out = ok(server, "session", "close", "--keep-durable", sid)
    assert out.startswith("session %s closed" % sid)
    assert "kept for the scavenger: 1 open" in out, out
    assert [i["path"] for i in js(server, "scavenger")["items"]] == \
        ["kept.txt"]
    try:
        c.close()
    except Exception:
        pass
