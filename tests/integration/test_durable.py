"""Durable handles with impacket (MS-SMB2 3.3.5.9.6, 3.3.5.9.7, 3.3.5.9.10,
3.3.7.1, 3.3.6.2) and the "durable timeout" keyword.

A durable open with a batch oplock outlives its dropped connection and is
reclaimed with DHnC, data and position intact; its DurableOpenTimeout is
the configured one for v1 and for a v2 request asking for 0, the client's
otherwise; after it passes, the scavenger closes the open and a reconnect
is not found.
"""
import struct

import pytest
from impacket import smb3structs as s3

from conftest import wait_for
from test_resilient import (Context, login, reconnect, status_of, write,
                            STATUS_OBJECT_NAME_NOT_FOUND, FILE_ALL_ACCESS,
                            FILE_NON_DIRECTORY_FILE, FILE_OPEN_IF)
from smbclients import PASSWORD, USER

TIMEOUT_MS = 1500


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from conftest import Daemon
    d = Daemon(tmp_path_factory.mktemp("durable"), users={USER: PASSWORD},
               extra_global="durable timeout = %d" % TIMEOUT_MS)
    d.shares = {"share": {"path": d.state_dir + "/share",
                          "read only": "no"}}
    d.start()
    yield d
    assert d.stop() == 0, d.log()


def durable_open(srv, tid, name, ctx):
    return srv.create(tid, name, FILE_ALL_ACCESS, 0,
                      FILE_NON_DIRECTORY_FILE, FILE_OPEN_IF, 0x80,
                      oplockLevel=s3.SMB2_OPLOCK_LEVEL_BATCH,
                      createContexts=[ctx])


def dhnq():
    return Context(b"DHnQ", b"\0" * 16)


def dh2q(timeout, guid):
    return Context(b"DH2Q", struct.pack("<IIQ", timeout, 0, 0) + guid)


def _wait(d, text, before, timeout=10):
    return wait_for(lambda: d.log().count(text) > before, timeout)


def test_durable_open_reclaimed_after_connection_loss(server):
    c, srv, tid = login(server)
    fid = durable_open(srv, tid, "dur.dat", dhnq())
    write(srv, tid, fid, b"durable data", 0)
    before = server.log().count("kept %d ms" % TIMEOUT_MS)
    c.getSMBServer()._NetBIOSSession.close()
    # v1: the configured DurableOpenTimeout.
    assert _wait(server, "kept %d ms" % TIMEOUT_MS, before)
    c2, srv2, tid2 = login(server)
    fid2 = reconnect(srv2, tid2, "dur.dat", fid)
    assert srv2.read(tid2, fid2, 0, 12) == b"durable data"
    write(srv2, tid2, fid2, b"!", 12)
    assert srv2.read(tid2, fid2, 0, 13) == b"durable data!"
    srv2.close(tid2, fid2)
    c2.close()


def test_durable_open_closed_after_configured_timeout(server):
    c, srv, tid = login(server)
    fid = durable_open(srv, tid, "expire.dat", dh2q(0, b"\x42" * 16))
    before = server.log().count("durable timeout, closed")
    c.getSMBServer()._NetBIOSSession.close()
    # v2 with Timeout 0: the configured value too, then the scavenger.
    assert _wait(server, "durable timeout, closed", before,
                 timeout=TIMEOUT_MS / 1000 + 10)
    assert "kept %d ms" % TIMEOUT_MS in server.log()
    c2, srv2, tid2 = login(server)
    assert status_of(reconnect, srv2, tid2, "expire.dat", fid) == \
        STATUS_OBJECT_NAME_NOT_FOUND
    fid2 = srv2.create(tid2, "expire.dat", FILE_ALL_ACCESS, 0,
                       FILE_NON_DIRECTORY_FILE, FILE_OPEN_IF, 0x80)
    srv2.close(tid2, fid2)
    c2.close()


def test_durable_v2_timeout_asked_by_client_wins(server):
    c, srv, tid = login(server)
    durable_open(srv, tid, "v2.dat", dh2q(4000, b"\x43" * 16))
    before = server.log().count("kept 4000 ms")
    c.getSMBServer()._NetBIOSSession.close()
    assert _wait(server, "kept 4000 ms", before)


def test_break_closes_a_disconnected_durable_open(server):
    """3.3.4.6: nobody can acknowledge its break, so another client's
    conflicting open closes it at once (smb2.durable-open.oplock)."""
    c, srv, tid = login(server)
    fid = durable_open(srv, tid, "taken.dat", dhnq())
    before = server.log().count("kept %d ms" % TIMEOUT_MS)
    c.getSMBServer()._NetBIOSSession.close()
    assert _wait(server, "kept %d ms" % TIMEOUT_MS, before)
    c2, srv2, tid2 = login(server)
    fid2 = durable_open(srv2, tid2, "taken.dat", dhnq())
    assert "broken while disconnected, closed" in server.log()
    assert status_of(reconnect, srv2, tid2, "taken.dat", fid) == \
        STATUS_OBJECT_NAME_NOT_FOUND
    srv2.close(tid2, fid2)
    c2.close()
