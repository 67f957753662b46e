"""Shares, users, the scavenger, /metrics and openapi.json over the REST API.

Real smbsrvd, real clients (smbclient, impacket), the API spoken over the
Unix socket (and TCP where the token matters).  Every answer of a route
added here is checked against rpc/openapi.yaml through its JSON copy
(apischema.py, stdlib only), and one test walks every documented route.
"""
import calendar
import concurrent.futures
import http.client
import json
import os
import re
import socket
import stat
import struct
import subprocess
import time
import uuid

import pytest
from impacket import smb3, smb3structs
from impacket.nt_errors import STATUS_NETWORK_NAME_DELETED
from impacket.smbconnection import SMBConnection, SessionError

import apischema
from conftest import REPO, wait_for
from smbclients import PASSWORD, USER, smbclient

try:
    import yaml
except ImportError:         # python3-yaml is a test dependency
    yaml = None

DOC = apischema.document()
D21 = smb3structs.SMB2_DIALECT_21


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=10):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.unix_path)
        self.sock = s


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


def call(d, method, path, body=None, raw=None, headers=None):
    c = UnixHTTPConnection(d.socket_path)
    hdrs = dict(headers or {})
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
    if data is not None:
        hdrs.setdefault("Content-Type", "application/json")
    try:
        try:
            c.request(method, path, body=data, headers=hdrs)
        except (BrokenPipeError, ConnectionResetError):
            pass        # a 413 may come before the whole body went
        r = c.getresponse()
        return Reply(r.status, {k.lower(): v for k, v in r.getheaders()},
                     r.read())
    finally:
        c.close()


def pattern_of(path):
    """The documented path pattern a concrete path answers to."""
    path = path.split("?")[0]
    for pat in DOC["paths"]:
        rx = "^" + re.sub(r"\\{[a-z_]+\\}", "[^/]+", re.escape(pat)) + "$"
        if re.match(rx, path):
            return pat
    raise AssertionError("undocumented path " + path)


def api(d, method, path, body=None, want=200, **kw):
    """A call whose answer must be `want` and match the contract."""
    r = call(d, method, path, body=body, **kw)
    assert r.status == want, (method, path, r.status, r.body)
    ctype = r.headers.get("content-type", "")
    apischema.check_response(DOC, method, pattern_of(path), r.status,
                             ctype, r.body.decode())
    if r.status >= 400:
        assert ctype == "application/problem+json"
        return r.json()
    return r.json() if "json" in ctype else r.body.decode()


def problem(d, method, path, want, body=None, raw=None):
    r = call(d, method, path, body=body, raw=raw)
    assert r.status == want, (method, path, r.status, r.body)
    assert r.headers["content-type"] == "application/problem+json"
    apischema.problem_schema_ok(DOC, r.body)
    return r.json()["detail"]


def last_seq(d):
    return api(d, "GET", "/api/v1/events?limit=1")["last_seq"]


def events_after(d, seq):
    return api(d, "GET", "/api/v1/events?since=%d&limit=1000" % seq)[
        "items"]


def connect(d, user=USER, password=PASSWORD, dialect=D21):
    c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=d.smb_port,
                      preferredDialect=dialect, timeout=10)
    c.login(user, password)
    return c


@pytest.fixture
def server(daemon_factory):
    d = daemon_factory(users={USER: PASSWORD})
    d.shares = {"data": {"path": d.state_dir + "/data", "read only": "no"}}
    d.start()
    assert wait_for(lambda: api_up(d))
    return d


def api_up(d):
    """The socket file appears at bind(), before listen(): ask."""
    try:
        return call(d, "GET", "/healthz").status == 200
    except OSError:
        return False


def restart(d):
    assert d.stop() == 0
    d.start()
    assert wait_for(lambda: api_up(d))


def new_dir(d, name):
    path = os.path.join(d.tmp, name)
    os.makedirs(path, exist_ok=True)
    return path


# --- the contract itself --------------------------------------------------

def test_openapi_json_is_the_yaml_and_is_served(server):
    served = api(server, "GET", "/api/v1/openapi.json")
    assert served == DOC
    if yaml is None:
        pytest.skip("python3-yaml is not installed")
    with open(os.path.join(REPO, "rpc", "openapi.yaml")) as f:
        assert yaml.safe_load(f) == DOC, "rpc/openapi.json is stale: " \
            "run make openapi"


# --- shares ---------------------------------------------------------------

def test_share_create_is_live_persisted_and_survives_restart(server):
    d = server
    path = new_dir(d, "proj")
    with open(os.path.join(path, "hello.txt"), "w") as f:
        f.write("hi")
    seq = last_seq(d)
    r = call(d, "POST", "/api/v1/shares", body={
        "name": "proj", "path": path, "comment": "Project files",
        "read_only": False, "max_uses": 3, "durable_timeout_ms": 5000})
    assert r.status == 201, r.body
    assert r.headers["location"] == "/api/v1/shares/proj"
    sh = apischema.check_response(DOC, "POST", "/api/v1/shares", 201,
                                  r.headers["content-type"],
                                  r.body.decode())
    assert sh["path"] == path and sh["max_uses"] == 3
    assert sh["current_uses"] == 0 and sh["durable_timeout_ms"] == 5000
    # smbclient sees it at once.
    out = smbclient(d, "proj", user=USER, password=PASSWORD, cmd="ls")
    assert out.returncode == 0, out.stderr + out.stdout
    assert "hello.txt" in out.stdout
    # The file has the section; the rest of the file is untouched.
    with open(d.conf_path) as f:
        text = f.read()
    assert text.startswith(d.config_text())
    assert "[proj]\n\tpath = %s\n\tcomment = Project files\n" % path in text
    # Recorded with who asked, in the ring and in the log.
    ev = [e for e in events_after(d, seq) if e["type"] == "admin.share.added"]
    assert len(ev) == 1 and ev[0]["share"] == "proj"
    assert ev[0]["by"] == "unix socket"
    assert "admin: share [proj] added (%s) via unix socket" % path in d.log()
    # PATCH changes only what it names.
    sh = api(d, "PATCH", "/api/v1/shares/PROJ", body={
        "comment": "Renamed", "max_uses": None, "encrypt": True})
    assert sh["comment"] == "Renamed" and sh["max_uses"] is None
    assert sh["encrypt"] is True and sh["read_only"] is False
    assert sh["durable_timeout_ms"] == 5000
    assert "admin: share [proj] changed (comment, encrypt, max_uses) via " \
        "unix socket" in d.log()
    # Read only at once for the next client.
    assert smbclient(d, "proj", user=USER, password=PASSWORD,
                     cmd="mkdir w1").returncode == 0
    api(d, "PATCH", "/api/v1/shares/proj", body={"read_only": True})
    out = smbclient(d, "proj", user=USER, password=PASSWORD, cmd="mkdir w2")
    assert "ACCESS_DENIED" in out.stdout + out.stderr or \
        "WRITE_PROTECTED" in out.stdout + out.stderr, out.stdout
    assert os.path.isdir(os.path.join(path, "w1"))
    assert not os.path.exists(os.path.join(path, "w2"))
    # Kept across a restart.
    restart(d)
    sh = api(d, "GET", "/api/v1/shares/proj")
    assert sh["comment"] == "Renamed" and sh["encrypt"] is True
    assert sh["read_only"] is True
    assert sh["durable_timeout_ms"] == 5000
    names = [s["name"] for s in api(d, "GET", "/api/v1/shares")["items"]]
    assert names == ["data", "IPC$", "proj"]


def test_share_delete_closes_its_trees_and_opens(server):
    d = server
    path = new_dir(d, "gone")
    api(d, "POST", "/api/v1/shares", body={"name": "gone", "path": path,
                                           "read_only": False}, want=201)
    c = connect(d)
    tid = c.connectTree("gone")
    fid = c.createFile(tid, "f.txt")
    c.writeFile(tid, fid, b"x")
    other = c.connectTree("data")
    tree = only(api(d, "GET", "/api/v1/trees?share=gone")["items"])
    opn = only(api(d, "GET", "/api/v1/opens?share=gone")["items"])
    assert api(d, "GET", "/api/v1/shares/gone")["current_uses"] == 1
    before = (last_seq(d), api(d, "GET", "/api/v1/statistics"))

    dry = api(d, "DELETE", "/api/v1/shares/gone?dry_run=true")
    assert dry["dry_run"] is True and dry["share"]["name"] == "gone"
    assert dry["impact"]["trees"] == [tree["id"]]
    assert dry["impact"]["opens"] == [opn["id"]]
    # A dry run changes nothing.
    assert last_seq(d) == before[0]
    assert api(d, "GET", "/api/v1/shares/gone")["current_uses"] == 1
    with open(d.conf_path) as f:
        assert "[gone]" in f.read()

    real = api(d, "DELETE", "/api/v1/shares/gone")
    assert real["dry_run"] is False and real["impact"] == dry["impact"]
    problem(d, "GET", "/api/v1/shares/gone", 404)
    assert api(d, "GET", "/api/v1/opens?share=gone")["items"] == []
    with open(d.conf_path) as f:
        assert "[gone]" not in f.read()
    types = [e["type"] for e in events_after(d, before[0])]
    assert types[0] == "admin.share.removed"
    assert "admin.tree.closed" in types and "open.closed" in types
    # The client's tree is gone; its other tree still works.
    with pytest.raises(SessionError) as e:
        c.writeFile(tid, fid, b"y")
    assert e.value.getErrorCode() in (STATUS_NETWORK_NAME_DELETED,
                                      0xC00000C9)
    c.listPath("data", "*")
    c.disconnectTree(other)
    out = smbclient(d, "gone", user=USER, password=PASSWORD, cmd="ls")
    assert out.returncode != 0
    assert "BAD_NETWORK_NAME" in out.stdout + out.stderr
    c.close()
    restart(d)
    problem(d, "GET", "/api/v1/shares/gone", 404)


def only(seq):
    seq = list(seq)
    assert len(seq) == 1, seq
    return seq[0]


@pytest.mark.parametrize("body,status,words", [
    ({"name": "t", "path": "/tmp/../etc"}, 422, "\"..\""),
    ({"name": "t", "path": "relative/dir"}, 422, "absolute"),
    ({"name": "t", "path": "/etc/passwd"}, 422, "not a directory"),
    ({"name": "t", "path": "/no/such/dir"}, 422, "No such file"),
    ({"name": "t"}, 422, "missing members: path"),
    ({"name": "t", "path": "/tmp", "colour": "red", "size": 1}, 422,
     "unknown members: colour, size"),
    ({"name": "t", "path": "/tmp", "read_only": "no"}, 422,
     "read_only must be true or false"),
    ({"name": "t", "path": "/tmp", "max_uses": 0}, 422, "max_uses"),
    ({"name": "t", "path": "/tmp", "max_uses": 1.5}, 422, "max_uses"),
    ({"name": "t", "path": "/tmp", "durable_timeout_ms": 300001}, 422,
     "durable_timeout_ms"),
    ({"name": "a/b", "path": "/tmp"}, 422, "may not contain"),
    ({"name": "global", "path": "/tmp"}, 422, "reserved"),
    ({"name": "ipc$", "path": "/tmp"}, 422, "reserved"),
    ({"name": "DATA", "path": "/tmp"}, 409, "exists"),
    ({"name": "t", "path": "/tmp", "comment": "a\nb"}, 422, "one line"),
    ({"name": "x" * 81, "path": "/tmp"}, 422, "longer"),
])
def test_share_bad_input_is_refused_and_changes_nothing(server, body,
                                                        status, words):
    with open(server.conf_path) as f:
        before = f.read()
    detail = problem(server, "POST", "/api/v1/shares", status, body=body)
    assert words in detail, detail
    with open(server.conf_path) as f:
        assert f.read() == before


def test_share_malformed_and_huge_bodies(server):
    d = server
    assert "JSON" in problem(d, "POST", "/api/v1/shares", 400,
                             raw=b"{\"name\": ")
    problem(d, "POST", "/api/v1/shares", 400, raw=b"[1, 2]")
    problem(d, "POST", "/api/v1/shares", 400)
    problem(d, "POST", "/api/v1/shares", 413,
            raw=b"{\"comment\": \"" + b"x" * (1024 * 1024) + b"\"}")
    problem(d, "PATCH", "/api/v1/shares/nope", 404, body={"comment": "x"})
    problem(d, "DELETE", "/api/v1/shares/nope", 404)
    problem(d, "PATCH", "/api/v1/shares/IPC$", 409, body={"comment": "x"})
    problem(d, "DELETE", "/api/v1/shares/ipc$", 409)
    problem(d, "PATCH", "/api/v1/shares/data", 422,
            body={"path": "/tmp/./x"})


def test_concurrent_deletes_of_one_share(server):
    d = server
    for i in range(5):
        path = new_dir(d, "race%d" % i)
        api(d, "POST", "/api/v1/shares", body={"name": "race%d" % i,
                                               "path": path}, want=201)
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        futs = [ex.submit(call, d, "DELETE", "/api/v1/shares/race%d" % (i // 2))
                for i in range(10)]
        codes = sorted(f.result().status for f in futs)
    assert codes == [200] * 5 + [404] * 5
    assert api(d, "GET", "/healthz")["status"] == "ok"
    names = [s["name"] for s in api(d, "GET", "/api/v1/shares")["items"]]
    assert names == ["data", "IPC$"]


# --- users ----------------------------------------------------------------

def test_user_create_lets_smbclient_log_on_at_once(server):
    d = server
    seq = last_seq(d)
    r = call(d, "POST", "/api/v1/users",
             body={"name": "carol", "password": "Carol-pw-1"})
    assert r.status == 201, r.body
    assert r.headers["location"] == "/api/v1/users/carol"
    assert r.json() == {"name": "carol", "enabled": True}
    out = smbclient(d, "data", user="carol", password="Carol-pw-1",
                    cmd="ls")
    assert out.returncode == 0, out.stdout + out.stderr
    users = api(d, "GET", "/api/v1/users")["items"]
    assert {"name": "carol", "enabled": True} in users
    assert all(set(u) == {"name", "enabled"} for u in users)
    db = os.path.join(d.state_dir, "users.db")
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    with open(db) as f:
        assert "carol:enabled:" in f.read()
    # A new password: the old one fails, the new one works.
    api(d, "PATCH", "/api/v1/users/CAROL", body={"password": "New-pw-2"})
    assert smbclient(d, "data", user="carol", password="Carol-pw-1",
                     cmd="ls").returncode != 0
    assert smbclient(d, "data", user="carol", password="New-pw-2",
                     cmd="ls").returncode == 0
    # Disabled: no logon.
    assert api(d, "PATCH", "/api/v1/users/carol",
               body={"enabled": False}) == {"name": "carol",
                                            "enabled": False}
    assert smbclient(d, "data", user="carol", password="New-pw-2",
                     cmd="ls").returncode != 0
    assert api(d, "DELETE", "/api/v1/users/carol")["name"] == "carol"
    problem(d, "GET", "/api/v1/users/carol", 404)
    types = [e["type"] for e in events_after(d, seq)
             if e["type"].startswith("admin.user.")]
    assert types == ["admin.user.added", "admin.user.changed",
                     "admin.user.changed", "admin.user.removed"]
    assert "admin: user \"carol\" removed via unix socket" in d.log()
    # Kept across a restart: the file is the database.
    api(d, "POST", "/api/v1/users", body={"name": "dave", "password": "p",
                                          "enabled": False}, want=201)
    restart(d)
    assert api(d, "GET", "/api/v1/users/dave") == {"name": "dave",
                                                   "enabled": False}


@pytest.mark.parametrize("method,path,body,status,words", [
    ("POST", "/api/v1/users", {"name": "a:b", "password": "x"}, 422, ":"),
    ("POST", "/api/v1/users", {"name": "", "password": "x"}, 422, "name"),
    ("POST", "/api/v1/users", {"name": "x" * 65, "password": "x"}, 422,
     "longer"),
    ("POST", "/api/v1/users", {"name": "e", "password": ""}, 422,
     "password"),
    ("POST", "/api/v1/users", {"name": "e", "password": "x" * 257}, 422,
     "password"),
    ("POST", "/api/v1/users", {"name": "e"}, 422, "missing members"),
    ("POST", "/api/v1/users", {"name": "e", "password": "x", "hash": "0"},
     422, "unknown members: hash"),
    ("POST", "/api/v1/users", {"name": USER.upper(), "password": "x"}, 409,
     "exists"),
    ("PATCH", "/api/v1/users/" + USER, {}, 422, "nothing to change"),
    ("PATCH", "/api/v1/users/" + USER, {"enabled": 1}, 422, "enabled"),
    ("PATCH", "/api/v1/users/nobody", {"enabled": True}, 404, ""),
    ("DELETE", "/api/v1/users/nobody", None, 404, ""),
])
def test_user_bad_input(server, method, path, body, status, words):
    detail = problem(server, method, path, status, body=body)
    assert words in detail, detail


# --- the scavenger ----------------------------------------------------------

class Ctx:
    """One SMB2 create context, as impacket's create() packs them."""

    def __init__(self, name, data):
        self.name, self.data = name, data

    def getData(self):
        pad = b"\0" * ((8 - len(self.data) % 8) % 8)
        return struct.pack("<IHHHHI", 0, 16, len(self.name), 0, 24,
                           len(self.data)) + self.name + b"\0" * 4 + \
            self.data + pad


def durable_open(d, name, v2=False):
    """An impacket session with a durable open (batch oplock) on [data];
    returns (connection, CreateGuid or None)."""
    c = connect(d, dialect=smb3structs.SMB2_DIALECT_30 if v2 else D21)
    tid = c.connectTree("data")
    guid = uuid.uuid4().bytes if v2 else None
    ctx = Ctx(b"DH2Q", struct.pack("<II8s16s", 0, 0, b"\0" * 8, guid)) \
        if v2 else Ctx(b"DHnQ", b"\0" * 16)
    c._SMBConnection.create(
        tid, name, 0x0012019f, 0, 0x40, 5, 0x80,
        oplockLevel=smb3structs.SMB2_OPLOCK_LEVEL_BATCH,
        createContexts=[ctx])
    return c, guid


def drop(c):
    """Loses the connection the hard way (no LOGOFF, no CLOSE)."""
    sock = c.getSMBServer()._NetBIOSSession.get_socket()
    sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def ms(rfc3339):
    """Milliseconds since 1970 of "2026-11-23T12:26:47.521Z"."""
    t = time.strptime(rfc3339[:19], "%Y-%m-%dT%H:%M:%S")
    return int(calendar.timegm(t)) * 1000 + int(rfc3339[20:23])


def pending(d):
    return api(d, "GET", "/api/v1/scavenger")


def test_open_records_say_what_keeps_them_and_filter_by_it(server):
    d = server
    c, _ = durable_open(d, "v1.txt")
    c2, guid = durable_open(d, "v2.txt", v2=True)
    plain = connect(d)
    plain.createFile(plain.connectTree("data"), "plain.txt")

    def paths(query):
        return sorted(o["path"] for o in
                      api(d, "GET", "/api/v1/opens" + query)["items"])

    by_path = {o["path"]: o for o in
               api(d, "GET", "/api/v1/opens")["items"]}
    assert by_path["v1.txt"]["durability"] == "durable_v1"
    assert by_path["v1.txt"]["durable_timeout_ms"] == 60000
    assert by_path["v2.txt"]["durability"] == "durable_v2"
    assert by_path["plain.txt"]["durability"] is None
    assert by_path["plain.txt"]["durable_timeout_ms"] is None
    assert paths("?durable=true") == ["v1.txt", "v2.txt"]
    assert paths("?durable=false") == ["plain.txt"]
    assert paths("?resilient=true") == []
    assert paths("?state=active") == ["plain.txt", "v1.txt", "v2.txt"]
    assert paths("?state=detached") == []
    drop(c)
    assert wait_for(lambda: paths("?state=detached") == ["v1.txt"])
    assert paths("?state=active&durable=true") == ["v2.txt"]
    assert "state" in problem(d, "GET", "/api/v1/opens?state=gone", 422)
    assert "durable" in problem(d, "GET", "/api/v1/opens?durable=maybe",
                                400)
    c2.close()
    plain.close()


def test_events_cursor_wins_over_since(server):
    """A client that keeps ?since=0 and adds each next_cursor walks the
    ring forward to its end (it used to get the first page forever)."""
    d = server
    for _ in range(3):
        connect(d).logoff()
    pages, seen, url = 0, [], "/api/v1/events?since=0&limit=2"
    while True:
        page = api(d, "GET", url)
        pages += 1
        seen += [e["seq"] for e in page["items"]]
        if page["next_cursor"] is None:
            break
        assert pages < 100
        url = "/api/v1/events?since=0&limit=2&cursor=" + page["next_cursor"]
    assert seen == sorted(set(seen)) and len(seen) >= 6
    assert seen[-1] == page["last_seq"]


def test_who_holds_joins_session_lease_and_locks(server):
    """GET opens?path=: the impacket client's open with its session,
    client, user, share, access, lease (key, version, state) and its
    byte-range lock, masks as hex and names."""
    from test_lease import rqls, send_create, lease_of
    d = server
    c = connect(d, dialect=smb3structs.SMB2_DIALECT_30)
    srv = c.getSMBServer()
    tid = c.connectTree("data")
    key = bytes(range(16))
    ans = srv.recvSMB(send_create(srv, tid, "held.txt", 0xff,
                                  rqls(key, 7, v2=True, epoch=3)))
    assert ans["Status"] == 0
    fid = smb3structs.SMB2Create_Response(ans["Data"])["FileID"]
    assert lease_of(ans)[0] == 0xff
    # One exclusive byte-range lock (MS-SMB2 2.2.26).
    pkt = srv.SMB_PACKET()
    pkt["Command"] = smb3structs.SMB2_LOCK
    pkt["TreeID"] = tid
    req = smb3structs.SMB2Lock()
    req["FileID"] = fid
    req["LockCount"] = 1
    e = smb3structs.SMB2_LOCK_ELEMENT()
    e["Offset"], e["Length"], e["Flags"] = 0, 10, 0x02 | 0x10
    req["Locks"] = e.getData()
    pkt["Data"] = req
    assert srv.recvSMB(srv.sendSMB(pkt))["Status"] == 0

    o = only(api(d, "GET", "/api/v1/opens?path=held.txt")["items"])
    sess = api(d, "GET", "/api/v1/sessions/" + o["session_id"])["session"]
    assert o["user"].lower() == USER and sess["user"].lower() == USER
    assert o["client"] == sess["client"] and o["share"] == "data"
    assert o["locks"] == 1
    assert o["oplock_level_names"] == ["SMB2_OPLOCK_LEVEL_LEASE"]
    assert "FILE_READ_DATA" in o["permissions_names"]
    lease = o["lease"]
    assert lease["key"] == key.hex() and lease["version"] == 2
    assert lease["state"] == "0x00000007"
    assert sorted(lease["state_names"]) == [
        "SMB2_LEASE_HANDLE_CACHING", "SMB2_LEASE_READ_CACHING",
        "SMB2_LEASE_WRITE_CACHING"]
    assert lease["breaking"] is False and lease["break_to_names"] == []
    one = api(d, "GET", "/api/v1/opens/" + o["id"])
    assert one["lease"] == lease and one["locks"] == 1
    c.close()


def test_force_logoff_keep_durable_is_a_client_logoff(server):
    """DELETE sessions/{id}?keep_durable=true: MS-SMB2 3.3.5.6 step 2 --
    the durable open waits on the scavenger, the plain one closes, and
    the client's next request gets STATUS_USER_SESSION_DELETED."""
    d = server
    c, _ = durable_open(d, "keep.txt")
    tid = c.connectTree("data")
    c.createFile(tid, "gone.txt")
    opens = {o["path"]: o for o in api(d, "GET", "/api/v1/opens")["items"]}
    keep_id, gone_id = opens["keep.txt"]["id"], opens["gone.txt"]["id"]
    sid = opens["keep.txt"]["session_id"]
    assert api(d, "GET", "/api/v1/shares/data")["current_uses"] == 1

    seq = last_seq(d)
    url = "/api/v1/sessions/%s?keep_durable=true" % sid
    dry = api(d, "DELETE", url + "&dry_run=true")
    assert dry["dry_run"] is True
    assert dry["impact"]["kept"] == [keep_id]
    assert dry["impact"]["opens"] == [gone_id]
    assert dry["impact"]["counts"]["kept"] == 1
    assert dry["impact"]["sessions"] == [sid]
    assert last_seq(d) == seq and pending(d)["pending"] == 0

    real = api(d, "DELETE", url)
    assert real["impact"] == dry["impact"] and real["dry_run"] is False
    scav = pending(d)
    assert [x["id"] for x in scav["items"]] == [keep_id]
    assert scav["items"][0]["reason"] == "durable_v1"
    problem(d, "GET", "/api/v1/opens/" + gone_id, 404)
    kept = api(d, "GET", "/api/v1/opens/" + keep_id)
    assert kept["state"] == "detached" and kept["session_id"] is None
    problem(d, "GET", "/api/v1/sessions/" + sid, 404)
    assert api(d, "GET", "/api/v1/shares/data")["current_uses"] == 0
    with pytest.raises(SessionError) as e:
        c.listPath("data", "*")
    assert e.value.getErrorCode() == 0xC0000203   # USER_SESSION_DELETED
    assert "durable opens kept" in d.log()
    # Without keep_durable a force logoff still closes durable opens.
    c3, _ = durable_open(d, "close.txt")
    sid3 = only(api(d, "GET", "/api/v1/opens?path=close.txt")["items"])[
        "session_id"]
    out = api(d, "DELETE", "/api/v1/sessions/%s" % sid3)
    assert out["impact"]["kept"] == [] and len(out["impact"]["opens"]) == 1
    assert [x["id"] for x in pending(d)["items"]] == [keep_id]
    problem(d, "DELETE", "/api/v1/sessions/%s?keep_durable=perhaps" % sid,
            400)


def test_scavenger_shows_counts_down_extends_and_expires(server):
    d = server
    c, _ = durable_open(d, "dur.txt")
    oid = only(api(d, "GET", "/api/v1/opens?path=dur.txt")["items"])["id"]
    drop(c)
    assert wait_for(lambda: pending(d)["pending"] == 1)
    s1 = pending(d)
    e = only(s1["items"])
    assert e["id"] == oid and e["path"] == "dur.txt"
    assert e["reason"] == "durable_v1" and e["share"] == "data"
    assert e["user"].lower() == USER and e["client"].startswith("127.0.0.1")
    assert e["create_guid"] is None
    assert s1["durable_timer"]["pending"] == 1
    assert s1["resilient_timer"] == {"pending": 0, "next_expiry": None,
                                     "remaining_ms": None}
    assert 0 < e["remaining_ms"] <= e["timeout_ms"] == 60000
    time.sleep(0.3)
    e2 = only(pending(d)["items"])
    assert e2["remaining_ms"] < e["remaining_ms"]
    # The deadline stays (the wall clock of a monotonic stamp: +-2 ms).
    assert abs(ms(e2["deadline"]) - ms(e["deadline"])) <= 2
    # /opens shows it detached.
    assert api(d, "GET", "/api/v1/opens/" + oid)["state"] == "detached"

    # Shorter is refused; later is taken.
    assert "later" in problem(d, "POST", "/api/v1/scavenger/%s/extend" % oid,
                              409, body={"remaining_ms": 1000})
    problem(d, "POST", "/api/v1/scavenger/%s/extend" % oid, 422,
            body={"remaining_ms": 0})
    problem(d, "POST", "/api/v1/scavenger/%s/extend" % oid, 422,
            body={"remaining_ms": 10, "by": 1})
    problem(d, "POST", "/api/v1/scavenger/999999/extend", 404,
            body={"remaining_ms": 100000})
    ext = api(d, "POST", "/api/v1/scavenger/%s/extend" % oid,
              body={"remaining_ms": 600000})
    assert 590000 < ext["remaining_ms"] <= 600000
    assert ms(ext["deadline"]) > ms(e["deadline"]) + 500000

    # A dry run predicts and changes nothing.
    seq = last_seq(d)
    dry = api(d, "POST", "/api/v1/scavenger/expire?dry_run=1",
              body={"ids": [oid]})
    assert dry == {"dry_run": True, "expired": [oid]}
    assert last_seq(d) == seq and pending(d)["pending"] == 1
    problem(d, "POST", "/api/v1/scavenger/expire", 404,
            body={"ids": [oid, "424242"]})
    problem(d, "POST", "/api/v1/scavenger/expire", 422, body={"ids": [1]})
    assert pending(d)["pending"] == 1
    real = api(d, "POST", "/api/v1/scavenger/expire", body={"ids": [oid]})
    assert real == {"dry_run": False, "expired": [oid]}
    assert pending(d)["pending"] == 0
    problem(d, "GET", "/api/v1/opens/" + oid, 404)
    evs = events_after(d, seq)
    assert [x["type"] for x in evs][:2] == ["open.expired", "open.closed"]
    assert evs[0]["ids"]["open"] == oid and evs[0]["by"] == "unix socket"
    assert "admin: open %s (\"dur.txt\") expired via unix socket" % oid \
        in d.log()


def test_durable_open_expires_by_itself_with_an_event(daemon_factory):
    d = daemon_factory(users={USER: PASSWORD})
    d.shares = {"data": {"path": d.state_dir + "/data", "read only": "no",
                         "durable timeout": "1500"}}
    d.start()
    assert wait_for(lambda: api_up(d))
    c, guid = durable_open(d, "v2.txt", v2=True)
    drop(c)
    assert wait_for(lambda: pending(d)["pending"] == 1)
    e = only(pending(d)["items"])
    assert e["reason"] == "durable_v2" and e["timeout_ms"] == 1500
    g = uuid.UUID(bytes_le=guid)
    assert e["create_guid"] == str(g)
    seq = last_seq(d) - 10
    assert wait_for(lambda: pending(d)["pending"] == 0, timeout=10)
    exp = [x for x in events_after(d, max(seq, 0))
           if x["type"] == "open.expired"]
    assert len(exp) == 1 and exp[0]["ids"]["open"] == e["id"]
    assert exp[0]["by"] is None and exp[0]["path"] == "v2.txt"


def test_expire_all_without_body(server):
    d = server
    for n in ("x1.txt", "x2.txt"):
        c, _ = durable_open(d, n)
        drop(c)
    assert wait_for(lambda: pending(d)["pending"] == 2)
    ids = [x["id"] for x in pending(d)["items"]]
    page = api(d, "GET", "/api/v1/scavenger?limit=1")
    assert len(page["items"]) == 1 and page["next_cursor"] == ids[0]
    page2 = api(d, "GET", "/api/v1/scavenger?limit=1&cursor=" + ids[0])
    assert [x["id"] for x in page2["items"]] == ids[1:]
    r = call(d, "POST", "/api/v1/scavenger/expire")
    assert r.status == 200 and sorted(r.json()["expired"]) == sorted(ids)
    assert pending(d)["pending"] == 0


# --- metrics ------------------------------------------------------------------

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')


def parse_metrics(text):
    """Prometheus text format 0.0.4: {name: {labels: value}}, types."""
    samples, types, helps = {}, {}, set()
    for line in text.splitlines():
        if line.startswith("# HELP "):
            helps.add(line.split()[2])
        elif line.startswith("# TYPE "):
            _, _, name, typ = line.split()
            assert typ in ("counter", "gauge", "histogram"), line
            assert name not in types, "TYPE twice: " + name
            types[name] = typ
        else:
            m = LINE.match(line)
            assert m, "not a sample line: %r" % line
            labels = m.group(2) or ""
            samples.setdefault(m.group(1), {})[labels] = float(m.group(3))
    for name in samples:
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        assert name in types or base in types, "no TYPE for " + name
    assert set(types) <= helps
    return samples, types


def test_metrics_parse_and_agree(server):
    d = server
    c = connect(d)
    tid = c.connectTree("data")
    fid = c.createFile(tid, "m.txt")
    c.writeFile(tid, fid, b"metrics")
    with pytest.raises(SessionError):
        c.openFile(tid, "no-such-file.txt")
    r = call(d, "GET", "/metrics")
    assert r.status == 200
    assert r.headers["content-type"] == \
        "text/plain; version=0.0.4; charset=utf-8"
    s, types = parse_metrics(r.body.decode())
    st = api(d, "GET", "/api/v1/statistics")
    assert s["smbsrvd_sts0_fopens_total"][""] >= 1
    assert s["smbsrvd_sts0_sopens"][""] == 1
    assert s["smbsrvd_opens"]['{state="active"}'] == 1
    assert s["smbsrvd_opens"]['{state="detached"}'] == 0
    assert s["smbsrvd_share_current_uses"]['{share="data"}'] == 1
    assert s["smbsrvd_scavenger_pending"]['{timer="durable"}'] == 0
    assert s["smbsrvd_bytes_received_total"][""] > 0
    assert types["smbsrvd_request_duration_seconds"] == "histogram"
    b = s["smbsrvd_request_duration_seconds_bucket"]
    creates = sorted((float(re.search(r'le="([^"]+)"', k).group(1)), v)
                     for k, v in b.items() if 'command="CREATE"' in k)
    assert creates[-1][0] == float("inf")
    assert [v for _, v in creates] == sorted(v for _, v in creates)
    assert creates[-1][1] == s["smbsrvd_request_duration_seconds_count"][
        '{command="CREATE"}'] >= 2
    assert s["smbsrvd_errors_total"]['{status="0xc0000034"}'] >= 1
    assert st["sessions"] == 1
    c.close()


# --- server.reloaded ------------------------------------------------------------

def test_reload_is_an_event(server):
    seq = last_seq(server)
    server.reload()
    ev = [e for e in events_after(server, seq) if
          e["type"] == "server.reloaded"]
    assert len(ev) == 1 and ev[0]["by"] == "SIGHUP"


# --- every route of the contract ----------------------------------------------

def test_every_route_answers_its_schema(server):
    """Each documented operation, asked with real state behind it, answers
    a documented status with a body that matches its schema."""
    d = server
    done = set()

    def hit(method, path, body=None, want=200):
        api(d, method, path, body=body, want=want)
        done.add((method, pattern_of(path)))

    a = connect(d)
    ta = a.connectTree("data")
    fa = a.createFile(ta, "every.txt")
    c2, _ = durable_open(d, "every-dur.txt")
    drop(c2)
    assert wait_for(lambda: pending(d)["pending"] == 1)
    scav = only(pending(d)["items"])["id"]
    sess = [x for x in api(d, "GET", "/api/v1/sessions")["items"]]
    sid = sess[0]["id"]
    tid = api(d, "GET", "/api/v1/trees")["items"][0]["id"]
    oid = api(d, "GET", "/api/v1/opens?path=every.txt")["items"][0]["id"]
    cid = api(d, "GET", "/api/v1/connections")["items"][0]["id"]

    r = call(d, "GET", "/healthz")
    assert r.status == 200
    done.add(("GET", "/healthz"))
    hit("GET", "/api/v1/server")
    r = call(d, "GET", "/api/v1/openapi.yaml")
    assert r.status == 200 and r.headers["content-type"] == "application/yaml"
    done.add(("GET", "/api/v1/openapi.yaml"))
    hit("GET", "/api/v1/openapi.json")
    hit("GET", "/metrics")
    hit("GET", "/api/v1/statistics")
    hit("GET", "/api/v1/connections")
    hit("GET", "/api/v1/connections/" + cid)
    hit("GET", "/api/v1/sessions")
    hit("GET", "/api/v1/sessions/" + sid)
    hit("GET", "/api/v1/trees")
    hit("GET", "/api/v1/trees/" + tid)
    hit("GET", "/api/v1/opens")
    hit("GET", "/api/v1/opens/" + oid)
    hit("GET", "/api/v1/shares")
    hit("GET", "/api/v1/shares/data")
    hit("POST", "/api/v1/shares", {"name": "ev", "path": new_dir(d, "ev")},
        want=201)
    hit("PATCH", "/api/v1/shares/ev", {"comment": "every"})
    hit("DELETE", "/api/v1/shares/ev?dry_run=1")
    hit("DELETE", "/api/v1/shares/ev")
    hit("GET", "/api/v1/users")
    hit("POST", "/api/v1/users", {"name": "eve", "password": "pw"},
        want=201)
    hit("GET", "/api/v1/users/eve")
    hit("PATCH", "/api/v1/users/eve", {"enabled": False})
    hit("DELETE", "/api/v1/users/eve")
    hit("GET", "/api/v1/scavenger")
    hit("POST", "/api/v1/scavenger/%s/extend" % scav, {"remaining_ms":
                                                         900000})
    hit("POST", "/api/v1/scavenger/expire?dry_run=1", {})
    hit("POST", "/api/v1/scavenger/expire", {"ids": [scav]})
    hit("GET", "/api/v1/events?since=0")
    hit("DELETE", "/api/v1/opens/%s?dry_run=1" % oid)
    hit("DELETE", "/api/v1/opens/" + oid)
    hit("DELETE", "/api/v1/trees/%s?dry_run=1" % tid)
    hit("DELETE", "/api/v1/trees/" + tid)
    hit("DELETE", "/api/v1/sessions/%s?dry_run=1" % sid)
    hit("DELETE", "/api/v1/sessions/" + sid)
    cid = api(d, "GET", "/api/v1/connections")["items"][0]["id"]
    hit("DELETE", "/api/v1/connections/%s?dry_run=1" % cid)
    hit("DELETE", "/api/v1/connections/" + cid)
    # Errors are documented too.
    hit("GET", "/api/v1/users/nobody", want=404)
    hit("POST", "/api/v1/users", {"name": 1}, want=422)
    # The web UI's files (rpc/web.c): no token, their own types.
    for path, ctype in (("/", "text/html"), ("/web/app.js",
                                             "text/javascript")):
        r = call(d, "GET", path)
        assert r.status == 200, path
        assert r.headers["content-type"].startswith(ctype), path
        done.add(("GET", pattern_of(path)))
    documented = {(m.upper(), p) for p, item in DOC["paths"].items()
                  for m in item}
    assert documented - done == set()
    assert done <= documented
    del fa


def test_tcp_needs_the_token_on_new_routes(server):
    with open(server.token_path) as f:
        tok = f.read().strip()
    for path in ("/metrics", "/api/v1/users", "/api/v1/scavenger"):
        c = http.client.HTTPConnection("127.0.0.1", server.admin_port,
                                       timeout=10)
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        assert r.status == 401, path
        c.close()
    c = http.client.HTTPConnection("127.0.0.1", server.admin_port, timeout=10)
    c.request("POST", "/api/v1/users", body=json.dumps(
        {"name": "tcpuser", "password": "pw"}),
        headers={"Authorization": "Bearer " + tok,
                 "Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    assert r.status == 201
    c.close()
    assert re.search(r'admin: user "tcpuser" added \(enabled\) via tcp '
                     r'127\.0\.0\.1', server.log())


def test_events_page_with_cursor_like_every_collection(server):
    d = server
    for i in range(5):
        api(d, "POST", "/api/v1/users", body={"name": "u%d" % i,
                                              "password": "pw"}, want=201)
    want = [e["seq"] for e in api(d, "GET", "/api/v1/events?since=0&limit=1000")[
        "items"]]
    assert len(want) >= 5
    got, cursor = [], None
    while True:
        page = api(d, "GET", "/api/v1/events?limit=2" +
                   ("&cursor=" + cursor if cursor else ""))
        got += [e["seq"] for e in page["items"]]
        assert page["next_cursor"] in (None, str(page["next_since"]))
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert got == want
    problem(d, "GET", "/api/v1/events?cursor=abc", 400)


def reconnect(d, name, fid):
    """DHnC on a new connection for the open that had FileId fid; the
    connection, which the caller closes."""
    c = connect(d)
    tid = c.connectTree("data")
    try:
        c._SMBConnection.create(
            tid, name, 0x0012019f, 0, 0x40, 1, 0x80,
            oplockLevel=smb3structs.SMB2_OPLOCK_LEVEL_BATCH,
            createContexts=[Ctx(b"DHnC", fid)])
    except smb3.SessionError:
        c.close()
        raise
    return c


@pytest.mark.parametrize("close_first", [False, True])
def test_closing_a_detached_durable_open_prevents_its_reconnect(
        server, close_first):
    d = server
    c = connect(d)
    tid = c.connectTree("data")
    fid = c._SMBConnection.create(
        tid, "re.txt", 0x0012019f, 0, 0x40, 5, 0x80,
        oplockLevel=smb3structs.SMB2_OPLOCK_LEVEL_BATCH,
        createContexts=[Ctx(b"DHnQ", b"\0" * 16)])
    drop(c)
    assert wait_for(lambda: pending(d)["pending"] == 1)
    oid = only(pending(d)["items"])["id"]
    if not close_first:
        # The control: a pending open is reclaimed.
        c2 = reconnect(d, "re.txt", fid)
        assert pending(d)["pending"] == 0
        assert api(d, "GET", "/api/v1/opens/" + oid)["state"] == "active"
        c2.close()
        return
    dry = api(d, "DELETE", "/api/v1/opens/%s?dry_run=1" % oid)
    assert dry["impact"]["opens"] == [oid] and pending(d)["pending"] == 1
    api(d, "DELETE", "/api/v1/opens/" + oid)
    assert pending(d)["pending"] == 0
    with pytest.raises(smb3.SessionError) as e:
        reconnect(d, "re.txt", fid)
    assert e.value.get_error_code() == 0xC0000034   # OBJECT_NAME_NOT_FOUND


def test_longest_names_are_addressable(server):
    d = server
    name = "s" * 80
    api(d, "POST", "/api/v1/shares", body={"name": name,
                                           "path": new_dir(d, "long")},
        want=201)
    assert api(d, "GET", "/api/v1/shares/" + name)["name"] == name
    api(d, "DELETE", "/api/v1/shares/" + name)
    user = "u" * 64
    api(d, "POST", "/api/v1/users", body={"name": user, "password": "pw"},
        want=201)
    assert api(d, "PATCH", "/api/v1/users/" + user,
               body={"enabled": False})["enabled"] is False
    api(d, "DELETE", "/api/v1/users/" + user)


def test_concurrent_actions_on_one_session_and_user(server):
    d = server
    c = connect(d)
    sid = only(api(d, "GET", "/api/v1/sessions")["items"])["id"]
    api(d, "POST", "/api/v1/users", body={"name": "twice", "password": "p"},
        want=201)
    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        s = [ex.submit(call, d, "DELETE", "/api/v1/sessions/" + sid)
             for _ in range(3)]
        u = [ex.submit(call, d, "DELETE", "/api/v1/users/twice")
             for _ in range(3)]
        scodes = sorted(f.result().status for f in s)
        ucodes = sorted(f.result().status for f in u)
    assert scodes == [200, 404, 404] and ucodes == [200, 404, 404]
    assert api(d, "GET", "/api/v1/statistics")["sessions"] == 0
    del c
