"""Configured timeouts of durable and resilient opens, with impacket.

smbsrvd.conf's "durable timeout max", "durable timeout", "resilient
timeout" and "resilient timeout max" set smaller than Windows' values
(300 s, 60 s, 120 s, 300 s): a DH2Q asking for more than the ceiling is
granted the ceiling, told so in its response and kept that long (MS-SMB2
3.3.5.9.10 step 4); one asking for 0 gets the share's default; a
resiliency request above the ceiling is STATUS_INVALID_PARAMETER and one
for 0 is kept the configured default (3.3.5.15.9 steps 3 and 4).  The
admin API shows the values and holds a share's timeout to the ceiling.
"""
import struct

import pytest
from impacket import smb3structs as s3

from conftest import wait_for
from smbclients import PASSWORD, USER
from test_api_manage import api, api_up, problem
from test_resilient import (Context, login, reconnect, resiliency,
                            status_of, STATUS_INVALID_PARAMETER,
                            STATUS_OBJECT_NAME_NOT_FOUND, FILE_ALL_ACCESS,
                            FILE_NON_DIRECTORY_FILE, FILE_OPEN_IF)

DURABLE_MAX = 2500
DURABLE_DEFAULT = 1000
SHARE_DEFAULT = 1800
RESILIENT_MAX = 3000
RESILIENT_DEFAULT = 1200


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from conftest import Daemon
    d = Daemon(tmp_path_factory.mktemp("timeouts"), users={USER: PASSWORD},
               extra_global="\n".join([
                   "durable timeout max = %d" % DURABLE_MAX,
                   "durable timeout = %d" % DURABLE_DEFAULT,
                   "resilient timeout = %d" % RESILIENT_DEFAULT,
                   "resilient timeout max = %d" % RESILIENT_MAX]))
    d.shares = {"share": {"path": d.state_dir + "/share",
                          "read only": "no"},
                "other": {"path": d.state_dir + "/other",
                          "read only": "no",
                          "durable timeout": str(SHARE_DEFAULT)}}
    d.start()
    assert wait_for(lambda: api_up(d))
    yield d
    assert d.stop() == 0, d.log()


def create_contexts(srv, tid, name, ctx):
    """CREATE with a batch oplock and ctx; the FileId and the response's
    create contexts as {name: data} (2.2.14, 2.2.13.2)."""
    got = {}
    recv = srv.recvSMB

    def keep(*args, **kw):
        got["ans"] = recv(*args, **kw)
        return got["ans"]
    srv.recvSMB = keep
    try:
        fid = srv.create(tid, name, FILE_ALL_ACCESS, 0,
                         FILE_NON_DIRECTORY_FILE, FILE_OPEN_IF, 0x80,
                         oplockLevel=s3.SMB2_OPLOCK_LEVEL_BATCH,
                         createContexts=[ctx])
    finally:
        del srv.recvSMB
    raw = got["ans"]["Data"]
    # CreateContextsOffset/Length at body offset 80; offsets count from
    # the SMB2 header (64 bytes) before the body.
    off, length = struct.unpack_from("<II", raw, 80)
    out = {}
    pos = off - 64
    end = pos + length
    while length and pos < end:
        nxt, noff, nlen, _, doff, dlen = struct.unpack_from("<IHHHHI", raw,
                                                            pos)
        out[raw[pos + noff:pos + noff + nlen]] = \
            raw[pos + doff:pos + doff + dlen]
        if nxt == 0:
            break
        pos += nxt
    return fid, out


def dh2q(timeout, guid):
    return Context(b"DH2Q", struct.pack("<IIQ", timeout, 0, 0) + guid)


def granted_v2(d, share, name, asked, guid):
    c, srv, tid = login(d) if share == "share" else login_to(d, share)
    fid, ctxs = create_contexts(srv, tid, name, dh2q(asked, guid))
    timeout, flags = struct.unpack("<II", ctxs[b"DH2Q"])
    assert flags == 0
    return c, srv, tid, fid, timeout


def login_to(d, share):
    from impacket.smbconnection import SMBConnection
    c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=d.smb_port,
                      preferredDialect=s3.SMB2_DIALECT_30, timeout=10)
    c.login(USER, PASSWORD)
    srv = c.getSMBServer()
    return c, srv, srv.connectTree(share)


def opens_by_path(d):
    return {o["path"]: o for o in api(d, "GET", "/api/v1/opens")["items"]}


def test_server_shows_the_configured_timeouts(server):
    s = api(server, "GET", "/api/v1/server")
    assert s["durable_timeout_ms"] == DURABLE_DEFAULT
    assert s["durable_timeout_max_ms"] == DURABLE_MAX
    assert s["resilient_timeout_ms"] == RESILIENT_DEFAULT
    assert s["resilient_timeout_max_ms"] == RESILIENT_MAX


def test_v2_request_above_the_max_is_granted_the_max_and_kept_so_long(
        server):
    """3.3.5.9.10 step 4: min(Timeout, "durable timeout max"), in the
    DH2Q response and as the scavenger's deadline."""
    c, srv, tid, fid, timeout = granted_v2(server, "share", "cap.dat",
                                           60000, b"\x51" * 16)
    assert timeout == DURABLE_MAX
    assert opens_by_path(server)["cap.dat"]["durable_timeout_ms"] == \
        DURABLE_MAX
    before = server.log().count("kept %d ms" % DURABLE_MAX)
    c.getSMBServer()._NetBIOSSession.close()
    assert wait_for(lambda: server.log().count("kept %d ms" % DURABLE_MAX)
                    > before)
    # Gone once the ceiling has passed, not the 60 s asked for.
    assert wait_for(lambda: "cap.dat" not in opens_by_path(server),
                    timeout=DURABLE_MAX / 1000 + 5)
    c2, srv2, tid2 = login(server)
    assert status_of(reconnect, srv2, tid2, "cap.dat", fid) == \
        STATUS_OBJECT_NAME_NOT_FOUND
    c2.close()


def test_v2_request_below_the_max_and_zero(server):
    c, srv, tid, fid, timeout = granted_v2(server, "share", "below.dat",
                                           DURABLE_MAX - 1, b"\x52" * 16)
    assert timeout == DURABLE_MAX - 1
    srv.close(tid, fid)
    # 0: the share's default, the global one here...
    fid, ctxs = create_contexts(srv, tid, "zero.dat",
                                dh2q(0, b"\x53" * 16))
    assert struct.unpack("<I", ctxs[b"DH2Q"][:4])[0] == DURABLE_DEFAULT
    srv.close(tid, fid)
    c.close()
    # ...and a share's own where it sets one.
    c, srv, tid, fid, timeout = granted_v2(server, "other", "zero.dat", 0,
                                           b"\x54" * 16)
    assert timeout == SHARE_DEFAULT
    srv.close(tid, fid)
    c.close()


def test_resiliency_above_the_configured_max_is_invalid(server):
    """3.3.5.15.9 step 3 with MaxResiliencyTimeout configured."""
    c, srv, tid = login(server)
    fid = srv.create(tid, "res.dat", FILE_ALL_ACCESS, 7,
                     FILE_NON_DIRECTORY_FILE, FILE_OPEN_IF, 0x80)
    assert resiliency(srv, tid, fid, RESILIENT_MAX + 1) == \
        STATUS_INVALID_PARAMETER
    # Windows' own ceiling is above ours: refused too.
    assert resiliency(srv, tid, fid, 300000) == STATUS_INVALID_PARAMETER
    assert opens_by_path(server)["res.dat"]["durability"] is None
    assert resiliency(srv, tid, fid, RESILIENT_MAX) == 0
    o = opens_by_path(server)["res.dat"]
    assert o["durability"] == "resilient"
    assert o["durable_timeout_ms"] == RESILIENT_MAX
    # Step 4: 0 is the configured default, and kept that long.
    assert resiliency(srv, tid, fid, 0) == 0
    assert opens_by_path(server)["res.dat"]["durable_timeout_ms"] == \
        RESILIENT_DEFAULT
    before = server.log().count("kept %d ms" % RESILIENT_DEFAULT)
    c.getSMBServer()._NetBIOSSession.close()
    assert wait_for(lambda: server.log().count(
        "kept %d ms" % RESILIENT_DEFAULT) > before)
    assert wait_for(lambda: "res.dat" not in opens_by_path(server),
                    timeout=RESILIENT_DEFAULT / 1000 + 5)


def test_share_timeout_through_the_api_is_held_to_the_max(server):
    d = problem(server, "PATCH", "/api/v1/shares/other", 422,
                body={"durable_timeout_ms": DURABLE_MAX + 1})
    assert "durable_timeout_ms must be 0 to %d" % DURABLE_MAX in d
    sh = api(server, "PATCH", "/api/v1/shares/other",
             {"durable_timeout_ms": DURABLE_MAX})
    assert sh["durable_timeout_ms"] == DURABLE_MAX
    c, srv, tid, fid, timeout = granted_v2(server, "other", "patched.dat",
                                           0, b"\x55" * 16)
    assert timeout == DURABLE_MAX
    srv.close(tid, fid)
    c.close()
