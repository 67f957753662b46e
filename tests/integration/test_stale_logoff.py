"""The problem smbsrvd must never have: a user logs off and straight back
on, lingering opens keep tree connects counted, and the share's connection
limit refuses the new tree connect.

MS-SMB2 3.3.5.6 (LOGOFF): durable opens are detached and wait on the
scavenger, every other open closes, every tree connect is deregistered
(Share.CurrentUses falls, MS-SRVS 3.1.6.7) and the session too
(sts0_sopens falls).  A detached durable open belongs to no tree connect,
so it never counts as a use of the share.  Here a share limited to two
uses is logged on to, used and logged off 50 times by one client with the
counts checked after every logoff, then 50 times each by two clients at
once; every tree connect must succeed, and the durable opens left behind
must wait on the scavenger and expire at their timeout.
"""
import threading

from impacket import smb3structs as s3
from impacket.smbconnection import SMBConnection

from conftest import wait_for
from smbclients import PASSWORD, USER
from test_api_admin import get, items
from test_lease import context, send_create

ROUNDS = 50
DURABLE_MS = 4000


def round_trip(d, tag):
    """One logon: tree connect to [limited], a durable open (batch oplock,
    DHnQ), a plain open left open, one opened and closed; then LOGOFF
    with the opens still there.  Returns the status of the tree connect
    and of each create."""
    c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=d.smb_port,
                      preferredDialect=s3.SMB2_DIALECT_21, timeout=10)
    try:
        c.login(USER, PASSWORD)
        tid = c.connectTree("limited")
        srv = c.getSMBServer()
        dur = srv.recvSMB(send_create(
            srv, tid, "dur-%s.txt" % tag, s3.SMB2_OPLOCK_LEVEL_BATCH,
            context(b"DHnQ", b"\0" * 16)))
        plain = srv.recvSMB(send_create(srv, tid, "plain-%s.txt" % tag, 0))
        fid = c.createFile(tid, "closed-%s.txt" % tag)
        c.closeFile(tid, fid)
        c.logoff()
        return dur["Status"], plain["Status"]
    finally:
        c.close()


def stats(d):
    return get(d, "/api/v1/statistics")


def uses(d):
    return {s["name"]: s["current_uses"]
            for s in items(d, "/api/v1/shares")}["limited"]


def detached(d):
    return [o for o in items(d, "/api/v1/opens")
            if o["state"] == "detached"]


def test_logoff_and_logon_again_never_hits_the_share_limit(daemon_factory):
    d = daemon_factory(users={USER: PASSWORD})
    d.shares = {"limited": {"path": d.state_dir + "/limited",
                            "read only": "no", "max uses": "2",
                            "durable timeout": str(DURABLE_MS)}}
    d.start()
    assert wait_for(lambda: get(d, "/api/v1/server") is not None)
    base = stats(d)

    # One client, counts checked after each logoff.
    for i in range(ROUNDS):
        assert round_trip(d, "a%d" % i) == (0, 0)
        s = stats(d)
        assert uses(d) == 0, "round %d" % i
        assert s["sts0_sopens"] == base["sts0_sopens"] == 0
        assert s["sessions"] == 0 and s["trees"] == 0
        # The plain opens closed; the durable ones wait, in no tree.
        kept = detached(d)
        assert all(o["tree_id"] is None and o["session_id"] is None
                   for o in kept)
        assert s["opens"] == len(kept) <= i + 1

    # Two clients at once, 50 rounds each: every tree connect succeeds.
    errors = []

    def worker(name):
        for i in range(ROUNDS):
            try:
                got = round_trip(d, "%s%d" % (name, i))
                if got != (0, 0):
                    errors.append((name, i, got))
            except Exception as e:          # a refused tree connect
                errors.append((name, i, repr(e)))

    threads = [threading.Thread(target=worker, args=(n,)) for n in "bc"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert uses(d) == 0
    s = stats(d)
    assert s["sts0_sopens"] == 0 and s["sessions"] == 0 and s["trees"] == 0

    # The durable opens wait on the scavenger, then expire and are gone.
    assert get(d, "/api/v1/scavenger")["pending"] == len(detached(d)) > 0
    assert wait_for(lambda: get(d, "/api/v1/scavenger")["pending"] == 0,
                    timeout=DURABLE_MS / 1000 + 20)
    assert stats(d)["opens"] == 0 and detached(d) == []
    evs = get(d, "/api/v1/events?since=0&limit=1000")["items"]
    while len(evs) % 1000 == 0 and evs:
        more = get(d, "/api/v1/events?since=%s&limit=1000" %
                   evs[-1]["seq"])["items"]
        if not more:
            break
        evs += more
    # Every durable open was left behind by a logoff and none reclaimed:
    # each one either expired on the scavenger or, in the first phase,
    # had already expired before the later rounds looked.
    expired = [e for e in evs if e["type"] == "open.expired"]
    assert len(expired) == 3 * ROUNDS
    assert "disconnected from [limited] (uses 0)" in d.log()
