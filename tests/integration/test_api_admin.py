"""The REST API's live state and admin actions against real SMB clients.

impacket sessions hold tree connects and open files while the API lists
them; DELETE closes sessions, tree connects, opens and connections and
the clients see the statuses MS-SMB2 gives (STATUS_USER_SESSION_DELETED,
STATUS_FILE_CLOSED, STATUS_NETWORK_NAME_DELETED); the statistics follow
STAT_SERVER_0; the event ring is read as JSON and as server-sent events.
The API is spoken over the Unix socket with http.client.
"""
import http.client
import json
import os
import re
import socket
import struct

import pytest
from impacket import smb3structs
from impacket.nt_errors import STATUS_FILE_CLOSED, \
    STATUS_NETWORK_NAME_DELETED, STATUS_USER_SESSION_DELETED
from impacket.smbconnection import SMBConnection, SessionError

from smbclients import PASSWORD, USER, smbclient

try:
    import yaml
except ImportError:         # python3-yaml is a test dependency
    yaml = None

from conftest import REPO

OPENAPI = os.path.join(REPO, "rpc", "openapi.yaml")
RFC3339_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
D21 = smb3structs.SMB2_DIALECT_21
D30 = smb3structs.SMB2_DIALECT_30


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
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)


def api(d, path, method="GET", headers=None):
    c = UnixHTTPConnection(d.socket_path)
    try:
        c.request(method, path, headers=headers or {})
        r = c.getresponse()
        body = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        return Reply(r.status, hdrs, body)
    finally:
        c.close()


def get(d, path):
    r = api(d, path)
    assert r.status == 200, (path, r.status, r.body)
    assert r.headers["content-type"] == "application/json"
    return r.json()


def delete(d, path):
    r = api(d, path, method="DELETE")
    assert r.status == 200, (path, r.status, r.body)
    return r.json()


def items(d, path):
    """Every item of a collection, following next_cursor."""
    out = []
    sep = "&" if "?" in path else "?"
    page = get(d, path)
    while True:
        out += page["items"]
        if page["next_cursor"] is None:
            return out
        page = get(d, "%s%scursor=%s" % (path, sep, page["next_cursor"]))


def assert_problem(r, status):
    assert r.status == status, (r.status, r.body)
    assert r.headers["content-type"] == "application/problem+json"
    p = r.json()
    assert p["status"] == status and p["detail"]


def events_after(d, since):
    page = get(d, "/api/v1/events?since=%d&limit=1000" % since)
    return page["items"]


def last_seq(d):
    return get(d, "/api/v1/events?limit=1")["last_seq"]


def connect(d, dialect=D21):
    c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=d.smb_port,
                      preferredDialect=dialect, timeout=10)
    c.login(USER, PASSWORD)
    return c


def smb_status(fn, *args):
    with pytest.raises(SessionError) as e:
        fn(*args)
    return e.value.getErrorCode()


def volatile(fid):
    """impacket's file id is the 16-byte FileId; the volatile half."""
    return struct.unpack("<QQ", fid)[1]


def only(seq):
    seq = list(seq)
    assert len(seq) == 1, seq
    return seq[0]


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


def by_dialect(d):
    return {s["dialect"]: s for s in items(d, "/api/v1/sessions")}


# --- listings ----------------------------------------------------------------

def test_sessions_list_exactly_the_clients(server, two_clients):
    ss = by_dialect(server)
    assert set(ss) == {"2.1", "3.0"}
    a, b = ss["2.1"], ss["3.0"]
    for s in (a, b):
        assert s["user"] == USER
        assert s["state"] == "valid"
        assert s["client"].startswith("127.0.0.1:")
        assert s["transport"] == "direct_tcp"
        assert s["channels"] == 1
        assert s["guest"] is False and s["anonymous"] is False
        assert RFC3339_MS.match(s["created"])
        assert s["connected_ms"] >= s["idle_ms"] >= 0
        assert re.match(r"^[1-9][0-9]*$", s["id"])
    assert (a["opens"], a["trees"]) == (2, 1)
    assert (b["opens"], b["trees"]) == (1, 2)
    # Session.EncryptData is the server's demand; no share asks for it
    # (impacket seals at 3.0 of its own accord).
    for s in (a, b):
        assert s["encrypted"] is False
        assert s["user_flags"] == "0x00000002"
        assert s["user_flags_names"] == ["SESS_NOENCRYPTION"]
    assert a["id"] != b["id"] and a["client"] != b["client"]
    assert a["smb_session_id"] != a["id"]


def test_session_filters(server, two_clients):
    assert len(items(server, "/api/v1/sessions?user=BENCH")) == 2
    assert items(server, "/api/v1/sessions?user=nobody") == []
    assert len(items(server, "/api/v1/sessions?client=127.0.0.1")) == 2
    a = by_dialect(server)["2.1"]
    assert [s["id"] for s in items(
        server, "/api/v1/sessions?client=" + a["client"])] == [a["id"]]
    assert [s["dialect"] for s in items(
        server, "/api/v1/sessions?dialect=3.0")] == ["3.0"]


def test_trees_list_and_filters(server, two_clients):
    ss = by_dialect(server)
    trees = items(server, "/api/v1/trees")
    assert len(trees) == 3
    assert sorted((t["session_id"] == ss["3.0"]["id"], t["share"])
                  for t in trees) == [(False, "data"), (True, "data"),
                                      (True, "other")]
    for t in trees:
        assert t["user"] == USER and t["users"] == 1
        assert t["share_type_names"] == ["STYPE_DISKTREE"]
        assert "FILE_READ_DATA" in t["maximal_access_names"]
    other = only(t for t in trees if t["share"] == "other")
    assert other["opens"] == 1
    assert other["smb_tree_id"] == two_clients["tb_other"]
    b_trees = items(server, "/api/v1/trees?session=" + ss["3.0"]["id"])
    assert sorted(t["share"] for t in b_trees) == ["data", "other"]
    assert len(items(server, "/api/v1/trees?share=DATA")) == 2
    one = get(server, "/api/v1/trees/" + other["id"])
    assert one.pop("connected_ms") >= other.pop("connected_ms")
    assert one == other


def test_opens_list_fields_and_filters(server, two_clients):
    ss = by_dialect(server)
    opens = items(server, "/api/v1/opens")
    assert sorted(o["path"] for o in opens) == ["a1.txt", "b.txt",
                                                "sub.txt"]
    a1 = only(o for o in opens if o["path"] == "a1.txt")
    assert a1["session_id"] == ss["2.1"]["id"]
    assert a1["share"] == "data" and a1["user"] == USER
    assert a1["state"] == "active"
    assert a1["local_path"] == os.path.join(server.state_dir, "data",
                                            "a1.txt")
    assert a1["directory"] is False
    assert a1["locks"] == 0
    assert re.match(r"^0x[0-9a-f]{8}$", a1["permissions"])
    assert {"FILE_READ_DATA", "FILE_WRITE_DATA"} <= \
        set(a1["permissions_names"])
    # impacket's default ShareAccess: all three.
    assert a1["share_access"] == "0x00000007"
    assert a1["share_access_names"] == ["FILE_SHARE_READ",
                                        "FILE_SHARE_WRITE",
                                        "FILE_SHARE_DELETE"]
    assert re.match(r"^0x[0-9a-f]{2}$", a1["oplock_level"])
    assert len(a1["oplock_level_names"]) == 1
    assert a1["smb_file_id"]["volatile"] == str(volatile(two_clients["fa1"]))
    assert get(server, "/api/v1/opens/" + a1["id"])["path"] == "a1.txt"

    tree_a = only(items(server, "/api/v1/trees?session=" +
                        ss["2.1"]["id"]))
    assert a1["tree_id"] == tree_a["id"]
    assert sorted(o["path"] for o in items(
        server, "/api/v1/opens?session=" + ss["2.1"]["id"])) == \
        ["a1.txt", "sub.txt"]
    assert [o["path"] for o in items(server,
                                     "/api/v1/opens?share=other")] == \
        ["b.txt"]
    assert [o["path"] for o in items(server, "/api/v1/opens?path=su")] == \
        ["sub.txt"]
    assert [o["path"] for o in items(
        server, "/api/v1/opens?path=%5Ca1")] == ["a1.txt"]
    assert items(server, "/api/v1/opens?user=nobody") == []


def test_session_get_has_its_trees_and_opens(server, two_clients):
    b = by_dialect(server)["3.0"]
    s = get(server, "/api/v1/sessions/" + b["id"])
    assert s["session"]["id"] == b["id"]
    assert sorted(t["share"] for t in s["trees"]["items"]) == \
        ["data", "other"]
    assert [o["path"] for o in s["opens"]["items"]] == ["b.txt"]
    assert s["trees"]["next_cursor"] is None
    assert s["opens"]["next_cursor"] is None


def test_shares_and_current_uses(server, two_clients):
    shares = {s["name"]: s for s in items(server, "/api/v1/shares")}
    assert list(shares) == ["data", "IPC$", "other"]  # by name, any case
    assert shares["data"]["current_uses"] == 2
    assert shares["other"]["current_uses"] == 1
    assert shares["data"]["max_uses"] is None
    assert shares["other"]["max_uses"] == 5
    assert shares["other"]["comment"] == "the other one"
    assert shares["data"]["path"] == os.path.join(server.state_dir, "data")
    assert shares["IPC$"]["path"] is None
    assert shares["IPC$"]["type_names"] == ["STYPE_IPC", "STYPE_SPECIAL"]


def test_statistics_agree(server, two_clients):
    st = get(server, "/api/v1/statistics")
    assert st["sts0_sopens"] == 2
    assert st["sts0_fopens"] == 3
    assert st["sts0_pwerrors"] == 0
    assert st["sessions"] == 2 and st["trees"] == 3 and st["opens"] == 3
    assert st["connections"] == 2
    assert st["sessions_by_dialect"]["2.1"] == 1
    assert st["sessions_by_dialect"]["3.0"] == 1
    assert st["sts0_devopens"] == st["sts0_serrorout"] == 0
    assert st["sts0_bytesrcvd_low"] > 0 and st["sts0_bytessent_low"] > 0
    assert st["bytes_received"] == st["sts0_bytesrcvd_low"] + \
        (st["sts0_bytesrcvd_high"] << 32)
    assert RFC3339_MS.match(st["start_time"])

    # Closing an open does not lower sts0_fopens (opens made).
    a, ta = two_clients["a"], two_clients["ta"]
    a.closeFile(ta, two_clients["fa2"])
    st = get(server, "/api/v1/statistics")
    assert (st["sts0_fopens"], st["opens"]) == (3, 2)


def test_wrong_password_counts_pwerrors(server):
    before = get(server, "/api/v1/statistics")
    c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=server.smb_port,
                      timeout=10)
    with pytest.raises(SessionError):
        c.login(USER, "not-the-password")
    c.close()
    st = get(server, "/api/v1/statistics")
    assert st["sts0_pwerrors"] == before["sts0_pwerrors"] + 1
    # The failed session left the table (sts0_sopens is a gauge).
    assert st["sts0_sopens"] == before["sts0_sopens"] == 0


def test_smbclient_session_comes_and_goes(server, two_clients):
    mark = last_seq(server)
    r = smbclient(server, "data", user=USER, password=PASSWORD, cmd="ls")
    assert r.returncode == 0, r.stderr
    evs = events_after(server, mark)
    reg = [e for e in evs if e["type"] == "session.registered"]
    dereg = [e for e in evs if e["type"] == "session.deregistered"]
    assert len(reg) >= 1
    assert {e["ids"]["session"] for e in reg} == \
        {e["ids"]["session"] for e in dereg}
    assert USER in {e["user"] for e in dereg}
    assert any(e["type"] == "tree.registered" and e["share"] == "data"
               for e in evs)
    # Only the two impacket sessions are left.
    assert set(by_dialect(server)) == {"2.1", "3.0"}


# --- paging ------------------------------------------------------------------

def test_paging_walks_every_open_once(server):
    c = connect(server)
    t = c.connectTree("data")
    fids = {}
    for i in range(7):
        fid = c.createFile(t, "p%d.txt" % i)
        fids[str(volatile(fid))] = fid
    whole = get(server, "/api/v1/opens?limit=1000")
    assert whole["next_cursor"] is None
    ids = [o["id"] for o in whole["items"]]
    assert len(ids) == 7
    assert ids == sorted(ids, key=int)
    pages, path = [], "/api/v1/opens?limit=3"
    page = get(server, path)
    while True:
        pages.append([o["id"] for o in page["items"]])
        if page["next_cursor"] is None:
            break
        assert isinstance(page["next_cursor"], str)
        page = get(server, path + "&cursor=" + page["next_cursor"])
    assert [len(p) for p in pages] == [3, 3, 1]
    assert sum(pages, []) == ids
    # An open closed between pages neither repeats nor shifts the rest.
    first = get(server, path)
    c.closeFile(t, fids[first["items"][-1]["smb_file_id"]["volatile"]])
    rest = get(server, path + "&cursor=" + first["next_cursor"])
    assert [o["id"] for o in rest["items"]] == ids[3:6]
    c.close()


@pytest.mark.parametrize("query,status", [
    ("limit=0", 422), ("limit=1001", 422), ("limit=abc", 400),
    ("limit=-1", 400), ("cursor=xyz", 400), ("session=s1", 400),
])
def test_paging_and_filter_errors(server, query, status):
    path = "/api/v1/trees" if query.startswith("session") \
        else "/api/v1/opens"
    assert_problem(api(server, path + "?" + query), status)


# --- DELETE sessions/{id} ----------------------------------------------------

def test_delete_session_dry_run_then_real(server, two_clients):
    a = by_dialect(server)["2.1"]
    a_opens = sorted(o["id"] for o in items(
        server, "/api/v1/opens?session=" + a["id"]))
    a_trees = sorted(t["id"] for t in items(
        server, "/api/v1/trees?session=" + a["id"]))
    before = {
        "sessions": items(server, "/api/v1/sessions"),
        "opens": [o["id"] for o in items(server, "/api/v1/opens")],
        "seq": last_seq(server),
        "uses": {s["name"]: s["current_uses"]
                 for s in items(server, "/api/v1/shares")},
    }

    dry = delete(server, "/api/v1/sessions/%s?dry_run=true" % a["id"])
    assert dry["dry_run"] is True
    assert dry["session"]["id"] == a["id"]
    imp = dry["impact"]
    assert sorted(imp["opens"]) == a_opens
    assert sorted(imp["trees"]) == a_trees
    assert imp["sessions"] == [a["id"]]
    assert imp["counts"] == {"connections": 0, "sessions": 1, "trees": 1,
                             "opens": 2, "kept": 0}
    # Nothing changed, not even the event ring.
    assert [o["id"] for o in items(server, "/api/v1/opens")] == \
        before["opens"]
    assert len(items(server, "/api/v1/sessions")) == 2
    assert last_seq(server) == before["seq"]
    assert two_clients["a"].readFile(two_clients["ta"],
                                     two_clients["fa1"]) == b"one"

    real = delete(server, "/api/v1/sessions/" + a["id"])
    assert real["dry_run"] is False
    assert real["impact"] == imp
    # The client's next request: MS-SMB2 3.3.5.2.9.
    code = smb_status(two_clients["a"].readFile, two_clients["ta"],
                      two_clients["fa1"])
    assert code == STATUS_USER_SESSION_DELETED

    assert [s["dialect"] for s in items(server, "/api/v1/sessions")] == \
        ["3.0"]
    assert sorted(o["id"] for o in items(server, "/api/v1/opens")) == \
        sorted(set(before["opens"]) - set(a_opens))
    uses = {s["name"]: s["current_uses"]
            for s in items(server, "/api/v1/shares")}
    assert uses["data"] == before["uses"]["data"] - 1
    assert uses["other"] == before["uses"]["other"]
    st = get(server, "/api/v1/statistics")
    assert (st["sts0_sopens"], st["opens"], st["trees"]) == (1, 1, 2)
    assert_problem(api(server, "/api/v1/sessions/" + a["id"]), 404)
    assert_problem(api(server, "/api/v1/sessions/" + a["id"],
                       method="DELETE"), 404)
    # B is untouched.
    b = two_clients["b"]
    assert b.readFile(two_clients["tb_other"], two_clients["fb"]) == b""

    # The ring tells the action, who asked, and then what it did.
    evs = events_after(server, before["seq"])
    assert evs[0]["type"] == "admin.session.closed"
    assert evs[0]["ids"]["session"] == a["id"]
    assert evs[0]["by"] == "unix socket"
    assert evs[0]["user"] == USER
    rest = [(e["type"], e["ids"].get("open") or e["ids"].get("tree") or
             e["ids"].get("session")) for e in evs[1:]]
    assert rest == [("open.closed", o) for o in a_opens] + \
        [("tree.deregistered", t) for t in a_trees] + \
        [("session.deregistered", a["id"])]
    assert "admin: session %s (user %s) closed via unix socket" % (
        a["id"], USER) in server.log()


def test_delete_encrypting_session_drops_its_connection(server):
    # A sealed request names its session in the TRANSFORM_HEADER; with
    # the session gone the server must disconnect (MS-SMB2 3.3.5.2.1.1).
    c = connect(server, D30)
    t = c.connectTree("data")
    f = c.createFile(t, "x.txt")
    s = only(items(server, "/api/v1/sessions"))
    delete(server, "/api/v1/sessions/" + s["id"])
    with pytest.raises(Exception):
        c.readFile(t, f)
    assert items(server, "/api/v1/sessions") == []
    assert items(server, "/api/v1/opens") == []


# --- DELETE opens/{id}, trees/{id}, connections/{id} -------------------------

def test_delete_open_dry_run_then_real(server, two_clients):
    a, ta = two_clients["a"], two_clients["ta"]
    a1 = only(o for o in items(server, "/api/v1/opens")
              if o["path"] == "a1.txt")
    seq = last_seq(server)
    dry = delete(server, "/api/v1/opens/%s?dry_run=1" % a1["id"])
    assert dry["dry_run"] is True and dry["open"]["id"] == a1["id"]
    assert dry["impact"]["opens"] == [a1["id"]]
    assert get(server, "/api/v1/opens/" + a1["id"])["path"] == "a1.txt"
    assert last_seq(server) == seq

    real = delete(server, "/api/v1/opens/" + a1["id"])
    assert real["impact"] == dry["impact"]
    assert smb_status(a.readFile, ta, two_clients["fa1"]) == \
        STATUS_FILE_CLOSED
    # The session, its tree and its other open carry on.
    assert a.readFile(ta, two_clients["fa2"]) == b""
    assert_problem(api(server, "/api/v1/opens/" + a1["id"]), 404)
    assert by_dialect(server)["2.1"]["opens"] == 1
    types = [e["type"] for e in events_after(server, seq)]
    assert types == ["admin.open.closed", "open.closed"]
    assert events_after(server, seq)[0]["path"] == "a1.txt"


def test_delete_tree(server, two_clients):
    b = two_clients["b"]
    ss = by_dialect(server)
    other = only(items(server, "/api/v1/trees?share=other"))
    dry = delete(server, "/api/v1/trees/%s?dry_run=true" % other["id"])
    assert dry["impact"]["trees"] == [other["id"]]
    assert len(dry["impact"]["opens"]) == 1
    delete(server, "/api/v1/trees/" + other["id"])
    assert smb_status(b.readFile, two_clients["tb_other"],
                      two_clients["fb"]) == STATUS_NETWORK_NAME_DELETED
    assert only(s for s in items(server, "/api/v1/shares")
                if s["name"] == "other")["current_uses"] == 0
    assert by_dialect(server)["3.0"]["trees"] == 1
    assert items(server, "/api/v1/opens?session=" + ss["3.0"]["id"]) == []


def test_delete_connection(server, two_clients):
    a = by_dialect(server)["2.1"]
    conn = only(c for c in items(server, "/api/v1/connections")
                if c["client"] == a["client"])
    assert conn["dialect"] == "2.1" and conn["sessions"] == 1
    assert conn["id"] == a["connection_id"]
    dry = delete(server, "/api/v1/connections/%s?dry_run=true" % conn["id"])
    assert dry["impact"]["sessions"] == [a["id"]]
    assert dry["impact"]["connections"] == [conn["id"]]
    delete(server, "/api/v1/connections/" + conn["id"])
    with pytest.raises(Exception):
        two_clients["a"].readFile(two_clients["ta"], two_clients["fa1"])
    assert set(by_dialect(server)) == {"3.0"}
    assert_problem(api(server, "/api/v1/connections/" + conn["id"]), 404)


# --- ids ---------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["sessions", "trees", "opens",
                                  "connections"])
def test_unknown_and_bad_ids(server, kind):
    for method in ("GET", "DELETE"):
        assert_problem(api(server, "/api/v1/%s/4000000000" % kind,
                           method=method), 404)
        assert_problem(api(server, "/api/v1/%s/0" % kind, method=method),
                       404)
        for bad in ("abc", "-1", "1x", "0x10", "99999999999999999999999"):
            assert_problem(api(server, "/api/v1/%s/%s" % (kind, bad),
                               method=method), 400)
    assert_problem(api(server, "/api/v1/%s/1?dry_run=maybe" % kind,
                       method="DELETE"), 400)


def test_tcp_needs_the_token(server):
    for path in ("/api/v1/sessions", "/api/v1/opens/1", "/api/v1/events",
                 "/api/v1/statistics"):
        c = http.client.HTTPConnection("127.0.0.1", server.admin_port,
                                       timeout=10)
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        assert r.status == 401
        assert r.getheader("www-authenticate").startswith("Bearer")
        c.close()
    c = http.client.HTTPConnection("127.0.0.1", server.admin_port,
                                   timeout=10)
    c.request("DELETE", "/api/v1/sessions/1")
    assert c.getresponse().status == 401
    c.close()
    with open(server.token_path) as f:
        tok = f.read().strip()
    c = http.client.HTTPConnection("127.0.0.1", server.admin_port,
                                   timeout=10)
    c.request("GET", "/api/v1/sessions",
              headers={"Authorization": "Bearer " + tok})
    r = c.getresponse()
    assert r.status == 200 and json.loads(r.read())["items"] == []
    c.close()


def test_tcp_action_is_logged_with_its_address(server):
    c = connect(server)
    s = only(items(server, "/api/v1/sessions"))
    with open(server.token_path) as f:
        tok = f.read().strip()
    h = http.client.HTTPConnection("127.0.0.1", server.admin_port,
                                   timeout=10)
    h.request("DELETE", "/api/v1/sessions/" + s["id"],
              headers={"Authorization": "Bearer " + tok})
    assert h.getresponse().status == 200
    h.close()
    ev = [e for e in events_after(server, 0)
          if e["type"] == "admin.session.closed"]
    assert only(ev)["by"] == "tcp 127.0.0.1"
    c.close()


# --- events ------------------------------------------------------------------

def test_events_since_zero_shows_registrations_in_order(server):
    c = connect(server)
    t = c.connectTree("data")
    f = c.createFile(t, "e.txt")
    c.closeFile(t, f)
    c.disconnectTree(t)
    c.logoff()
    c.close()
    page = get(server, "/api/v1/events?since=0")
    evs = page["items"]
    assert [e["type"] for e in evs] == [
        "session.registered", "tree.registered", "open.registered",
        "open.closed", "tree.deregistered", "session.deregistered"]
    assert [e["seq"] for e in evs] == list(range(1, 7))
    assert page["missed"] == 0 and page["first_seq"] == 1
    assert page["last_seq"] == page["next_since"] == 6
    sid = evs[0]["ids"]["session"]
    tid = evs[1]["ids"]["tree"]
    oid = evs[2]["ids"]["open"]
    for e in evs:
        assert RFC3339_MS.match(e["time"])
        assert e["ids"]["session"] == sid
        assert e["client"].startswith("127.0.0.1:")
        assert e["by"] is None
    assert evs[1]["ids"] == {"session": sid, "tree": tid}
    assert evs[4]["ids"] == {"session": sid, "tree": tid}
    assert evs[2]["ids"] == evs[3]["ids"] == {"session": sid, "tree": tid,
                                              "open": oid}
    assert evs[2]["path"] == "e.txt" and evs[2]["share"] == "data"
    # Registered at allocation: no user yet (MS-SMB2 3.3.5.5.1).
    assert evs[0]["user"] is None
    assert all(e["user"] == USER for e in evs[1:])

    # Paging by since and limit.
    p1 = get(server, "/api/v1/events?since=0&limit=4")
    assert [e["seq"] for e in p1["items"]] == [1, 2, 3, 4]
    assert p1["next_since"] == 4
    p2 = get(server, "/api/v1/events?since=4&limit=4")
    assert [e["seq"] for e in p2["items"]] == [5, 6]
    assert get(server, "/api/v1/events?since=6")["items"] == []
    # A since from an earlier run of the server: all is new.
    assert len(get(server, "/api/v1/events?since=999")["items"]) == 6
    assert_problem(api(server, "/api/v1/events?since=x"), 400)


class SSE:
    """A server-sent event stream over the Unix socket."""

    def __init__(self, d, headers=None, query=""):
        self.conn = UnixHTTPConnection(d.socket_path, timeout=10)
        h = {"Accept": "text/event-stream"}
        h.update(headers or {})
        self.conn.request("GET", "/api/v1/events" + query, headers=h)
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200
        assert self.resp.getheader("content-type") == "text/event-stream"
        assert self.resp.getheader("cache-control") == "no-store"

    def next(self):
        """The next frame with data: {"id": str or None, "data": obj}."""
        fields = {}
        while True:
            line = self.resp.readline()
            if not line:
                raise EOFError("stream ended")
            line = line.decode().rstrip("\n")
            if line == "":
                if "data" in fields:
                    return {"id": fields.get("id"),
                            "data": json.loads(fields["data"])}
                fields = {}
            elif not line.startswith(":"):
                k, _, v = line.partition(":")
                fields[k] = v[1:] if v.startswith(" ") else v

    def close(self):
        self.conn.close()


def test_sse_delivers_new_events_and_resumes(server):
    s = SSE(server)
    c = connect(server)
    t = c.connectTree("data")
    e1, e2 = s.next(), s.next()
    assert (e1["data"]["type"], e2["data"]["type"]) == \
        ("session.registered", "tree.registered")
    assert e1["id"] == str(e1["data"]["seq"])
    assert int(e2["id"]) == int(e1["id"]) + 1
    # Session known by the time the tree record is read.
    assert e2["data"]["ids"]["session"] == e1["data"]["ids"]["session"]
    s.close()

    # Gone while the client was away, picked up by Last-Event-ID.
    f = c.createFile(t, "s.txt")
    c.closeFile(t, f)
    r = SSE(server, headers={"Last-Event-ID": e2["id"]})
    got = [r.next()["data"] for _ in range(2)]
    assert [(e["type"], e["seq"]) for e in got] == [
        ("open.registered", int(e2["id"]) + 1),
        ("open.closed", int(e2["id"]) + 2)]
    # And it stays live: an admin action arrives as it happens.
    sid = e1["data"]["ids"]["session"]
    delete(server, "/api/v1/sessions/" + sid)
    live = [r.next()["data"]["type"] for _ in range(3)]
    assert live == ["admin.session.closed", "tree.deregistered",
                    "session.deregistered"]
    r.close()
    c.close()


def test_sse_since_and_bad_last_event_id(server):
    c = connect(server)
    c.connectTree("data")
    s = SSE(server, query="?since=0")
    assert [s.next()["data"]["type"] for _ in range(2)] == \
        ["session.registered", "tree.registered"]
    s.close()
    r = api(server, "/api/v1/events",
            headers={"Accept": "text/event-stream",
                     "Last-Event-ID": "soon"})
    assert_problem(r, 400)
    c.close()


def test_reader_that_fell_behind_is_told(server):
    # Each open and close is two records; go round the 4096-record ring.
    c = connect(server)
    t = c.connectTree("data")
    for _ in range(2100):
        c.closeFile(t, c.createFile(t, "ring.txt"))
    page = get(server, "/api/v1/events?since=0&limit=2")
    last = page["last_seq"]
    assert last > 4096
    assert page["first_seq"] == last - 4096 + 1
    assert page["missed"] == page["first_seq"] - 1
    assert page["items"][0]["seq"] == page["first_seq"]

    s = SSE(server, headers={"Last-Event-ID": "1"})
    gap = s.next()
    assert gap["id"] is None
    assert gap["data"] == {"type": "events.missed", "after": 1,
                           "missed": page["first_seq"] - 2,
                           "first_seq": page["first_seq"]}
    assert int(s.next()["id"]) == page["first_seq"]
    s.close()
    c.close()


def test_daemon_stops_cleanly_with_a_stream_open(server):
    s = SSE(server)
    assert server.stop() == 0
    with pytest.raises((EOFError, OSError, http.client.HTTPException)):
        while True:
            s.next()


# --- the contract ------------------------------------------------------------

def schema(name):
    if yaml is None:
        pytest.skip("python3-yaml is not installed")
    with open(OPENAPI) as f:
        return yaml.safe_load(f)["components"]["schemas"][name]


def test_records_match_the_contract(server, two_clients):
    b = by_dialect(server)["3.0"]
    cases = [
        ("Statistics", [get(server, "/api/v1/statistics")]),
        ("Connection", items(server, "/api/v1/connections")),
        ("Session", items(server, "/api/v1/sessions")),
        ("Tree", items(server, "/api/v1/trees")),
        ("Open", items(server, "/api/v1/opens")),
        ("Share", items(server, "/api/v1/shares")),
        ("Event", events_after(server, 0)),
        ("SessionDetail", [get(server, "/api/v1/sessions/" + b["id"])]),
        ("EventPage", [get(server, "/api/v1/events")]),
        ("ActionResult", [delete(server, "/api/v1/sessions/%s?dry_run=1"
                                 % b["id"])]),
    ]
    for name, records in cases:
        sch = schema(name)
        assert records, name
        for r in records:
            assert set(sch["required"]) <= set(r), name
            assert set(r) <= set(sch["properties"]), name
