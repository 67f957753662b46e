"""Resilient opens (MS-SMB2 3.3.5.15.9 FSCTL_LMR_REQUEST_RESILIENCY).

With impacket: the request's limits and statuses; a resilient open kept
after its connection drops or its session logs off (3.3.7.1, 3.3.5.6)
and reclaimed with DHnC (3.3.5.9.7) by its owner, data and all; refused
to another user; closed by the scavenger once its ResiliencyTimeout has
passed.  No oplock or lease is involved: resiliency does not need one.
"""
import struct

import pytest
from impacket import smb3structs as s3
from impacket.smb3 import SessionError
from impacket.smbconnection import SMBConnection

from conftest import wait_for
from smbclients import PASSWORD, USER

FSCTL_LMR_REQUEST_RESILIENCY = 0x001401D4
SMB2_0_IOCTL_IS_FSCTL = 1
STATUS_INVALID_DEVICE_REQUEST = 0xC0000010
STATUS_INVALID_PARAMETER = 0xC000000D
STATUS_OBJECT_NAME_NOT_FOUND = 0xC0000034
STATUS_ACCESS_DENIED = 0xC0000022
STATUS_FILE_CLOSED = 0xC0000128
STATUS_SHARING_VIOLATION = 0xC0000043
FILE_ALL_ACCESS = 0x001F01FF
FILE_NON_DIRECTORY_FILE = 0x40
FILE_OPEN, FILE_OPEN_IF = 1, 3
OTHER, OTHER_PASSWORD = "other", "other-pass-1"
DETACHED = "disconnected, kept"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from conftest import Daemon
    d = Daemon(tmp_path_factory.mktemp("resilient"),
               users={USER: PASSWORD, OTHER: OTHER_PASSWORD})
    d.shares = {"share": {"path": d.state_dir + "/share",
                          "read only": "no"}}
    d.start()
    yield d
    assert d.stop() == 0, d.log()


def login(d, user=USER, password=PASSWORD, dialect=s3.SMB2_DIALECT_30):
    c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=d.smb_port,
                      preferredDialect=dialect, timeout=10)
    c.login(user, password)
    srv = c.getSMBServer()
    return c, srv, srv.connectTree("share")


class Context:
    """One SMB2_CREATE_CONTEXT (2.2.13.2) for impacket's create()."""

    def __init__(self, name, data):
        self.raw = struct.pack("<IHHHHI", 0, 16, len(name), 0, 24,
                               len(data)) + name + b"\0" * 4 + data

    def getData(self):
        return self.raw


def open_file(srv, tid, name, share=7, contexts=None):
    return srv.create(tid, name, FILE_ALL_ACCESS, share,
                      FILE_NON_DIRECTORY_FILE, FILE_OPEN_IF, 0x80,
                      createContexts=contexts)


def reconnect(srv, tid, name, fid):
    """DHnC (2.2.13.2.4): the FileId of the open to reclaim."""
    return srv.create(tid, name, FILE_ALL_ACCESS, 7,
                      FILE_NON_DIRECTORY_FILE, FILE_OPEN, 0x80,
                      createContexts=[Context(b"DHnC", fid)])


def resiliency(srv, tid, fid, timeout=None, blob=None):
    """The FSCTL's status (0 on success) for Timeout ms or a raw input."""
    if blob is None:
        blob = struct.pack("<II", timeout, 0)
    try:
        out = srv.ioctl(tid, fid, FSCTL_LMR_REQUEST_RESILIENCY,
                        SMB2_0_IOCTL_IS_FSCTL, blob, maxOutputResponse=0)
    except SessionError as e:
        return e.get_error_code()
    assert out in (b"", None)
    return 0


def write(srv, tid, fid, data, offset):
    # impacket writes nothing (and charges no credit) without the length.
    srv.write(tid, fid, data, offset, len(data))


def status_of(fn, *args):
    try:
        fn(*args)
    except SessionError as e:
        return e.get_error_code()
    return 0


def drop(d, c):
    """Closes the TCP connection under impacket; waits for the detach."""
    before = d.log().count(DETACHED)
    c.getSMBServer()._NetBIOSSession.close()
    assert wait_for(lambda: d.log().count(DETACHED) > before), d.log()


def test_resiliency_request_limits_and_statuses(server):
    c, srv, tid = login(server)
    fid = open_file(srv, tid, "limits.dat")
    # 2.2.31.3: 8 bytes; MaxResiliencyTimeout is 300000 ms (<226>).
    assert resiliency(srv, tid, fid, 300001) == STATUS_INVALID_PARAMETER
    assert resiliency(srv, tid, fid, blob=b"\x10\x27\0\0") == \
        STATUS_INVALID_PARAMETER
    assert resiliency(srv, tid, fid, 300000) == 0
    assert resiliency(srv, tid, fid, 0) == 0
    # An open that is not there.
    srv._Session["OpenTable"][b"\x11" * 16] = \
        srv._Session["OpenTable"][fid]
    assert resiliency(srv, tid, b"\x11" * 16, 1000) == STATUS_FILE_CLOSED
    del srv._Session["OpenTable"][b"\x11" * 16]
    srv.close(tid, fid)
    c.close()
    # Not valid on 2.0.2 (2.2.31.3; 3.3.5.15.9 MAY refuse).
    c, srv, tid = login(server, dialect=s3.SMB2_DIALECT_002)
    fid = open_file(srv, tid, "limits.dat")
    assert resiliency(srv, tid, fid, 1000) == STATUS_INVALID_DEVICE_REQUEST
    srv.close(tid, fid)
    c.close()


def test_resilient_open_survives_connection_loss_and_is_reclaimed(server):
    c, srv, tid = login(server)
    fid = open_file(srv, tid, "loss.dat", share=0)
    write(srv, tid, fid, b"before the drop", 0)
    assert resiliency(srv, tid, fid, 30000) == 0
    drop(server, c)
    # Kept with its share modes: another open is refused meanwhile.
    c2, srv2, tid2 = login(server)
    assert status_of(open_file, srv2, tid2, "loss.dat") == \
        STATUS_SHARING_VIOLATION
    fid2 = reconnect(srv2, tid2, "loss.dat", fid)
    assert srv2.read(tid2, fid2, 0, 15) == b"before the drop"
    write(srv2, tid2, fid2, b" and after", 15)
    assert srv2.read(tid2, fid2, 0, 25) == b"before the drop and after"
    # Reclaimed once only: the old FileId is the open's again.
    assert status_of(reconnect, srv2, tid2, "loss.dat", fid) == \
        STATUS_OBJECT_NAME_NOT_FOUND
    srv2.close(tid2, fid2)
    c2.close()


def test_resilient_open_survives_logoff(server):
    c, srv, tid = login(server)
    fid = open_file(srv, tid, "logoff.dat")
    write(srv, tid, fid, b"kept", 0)
    assert resiliency(srv, tid, fid, 30000) == 0
    before = server.log().count(DETACHED)
    srv.logoff()
    assert wait_for(lambda: server.log().count(DETACHED) > before)
    c.close()
    c2, srv2, tid2 = login(server)
    fid2 = reconnect(srv2, tid2, "logoff.dat", fid)
    assert srv2.read(tid2, fid2, 0, 4) == b"kept"
    srv2.close(tid2, fid2)
    c2.close()


def test_resilient_open_refused_to_another_user(server):
    c, srv, tid = login(server)
    fid = open_file(srv, tid, "owner.dat")
    assert resiliency(srv, tid, fid, 30000) == 0
    drop(server, c)
    # 3.3.5.9.7: the current user must be the DurableOwner.
    c2, srv2, tid2 = login(server, OTHER, OTHER_PASSWORD)
    assert status_of(reconnect, srv2, tid2, "owner.dat", fid) == \
        STATUS_ACCESS_DENIED
    c2.close()
    c3, srv3, tid3 = login(server)
    fid3 = reconnect(srv3, tid3, "owner.dat", fid)
    srv3.close(tid3, fid3)
    c3.close()


def test_resilient_open_closed_when_its_timeout_passes(server):
    c, srv, tid = login(server)
    fid = open_file(srv, tid, "expire.dat", share=0)
    assert resiliency(srv, tid, fid, 1000) == 0
    drop(server, c)
    assert server.wait_log("resilient timeout, closed", timeout=10)
    c2, srv2, tid2 = login(server)
    assert status_of(reconnect, srv2, tid2, "expire.dat", fid) == \
        STATUS_OBJECT_NAME_NOT_FOUND
    # Its share modes went with it.
    fid2 = open_file(srv2, tid2, "expire.dat", share=0)
    srv2.close(tid2, fid2)
    c2.close()


def test_open_without_resiliency_or_durability_closes_on_loss(server):
    c, srv, tid = login(server)
    fid = open_file(srv, tid, "plain.dat", share=0)
    c.getSMBServer()._NetBIOSSession.close()
    c2, srv2, tid2 = login(server)
    # Closed with its connection (3.3.7.1 B.3): the file is free.
    fids = []

    def free():
        try:
            fids.append(open_file(srv2, tid2, "plain.dat", share=0))
        except SessionError as e:
            assert e.get_error_code() == STATUS_SHARING_VIOLATION
            return False
        return True
    assert wait_for(free)
    assert status_of(reconnect, srv2, tid2, "plain.dat", fid) == \
        STATUS_OBJECT_NAME_NOT_FOUND
    srv2.close(tid2, fids[0])
    c2.close()
