"""IOCTL file-system controls beyond the SMB2 core (issue 4): server-side
copy (FSCTL_SRV_REQUEST_RESUME_KEY, FSCTL_SRV_COPYCHUNK and _WRITE,
MS-SMB2 3.3.5.15.3 and 3.3.5.15.6) with Samba's own smbtorture tests,
which pass against Samba 4.17, and an impacket copy whose data is checked
byte for byte; FSCTL_QUERY_NETWORK_INTERFACE_INFO (3.3.5.15.11) naming
the address the server listens on; the compression controls on a
volume without compression; FSCTL_GET_REPARSE_POINT refused as MS-FSA says for a file
that is no reparse point."""
import hashlib
import os
import re
import socket
import struct
import subprocess

import pytest
from impacket import smb3structs as s3
from impacket.smb3 import SessionError
from impacket.smbconnection import SMBConnection

from smbclients import PASSWORD, USER

FSCTL_SRV_REQUEST_RESUME_KEY = 0x00140078
FSCTL_SRV_COPYCHUNK = 0x001440F2
FSCTL_GET_REPARSE_POINT = 0x000900A8
FSCTL_QUERY_NETWORK_INTERFACE_INFO = 0x001401FC
STATUS_NOT_SUPPORTED = 0xC00000BB
STATUS_BUFFER_TOO_SMALL = 0xC0000023
SMB2_0_IOCTL_IS_FSCTL = 1
STATUS_NOT_A_REPARSE_POINT = 0xC0000275
STATUS_OBJECT_NAME_NOT_FOUND = 0xC0000034
STATUS_INVALID_PARAMETER = 0xC000000D
FILE_ALL_ACCESS = 0x001F01FF
FILE_NON_DIRECTORY_FILE = 0x40
FILE_OPEN_IF = 3

TORTURE = ["smb2.ioctl.req_resume_key", "smb2.ioctl.req_two_resume_keys",
           "smb2.ioctl.network_interface_info",
           "smb2.ioctl.compress_notsup_get",
           "smb2.ioctl.compress_notsup_set"] + [
    "smb2.ioctl.copy_chunk_" + x for x in (
        "simple", "multi", "tiny", "overwrite", "append", "limits",
        "src_lock", "dest_lock", "bad_key", "src_is_dest",
        "src_is_dest_overlap", "bad_access", "write_access", "src_exceed",
        "src_exceed_multi", "sparse_dest", "max_output_sz", "zero_length",
        "across_shares")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from conftest import Daemon
    d = Daemon(tmp_path_factory.mktemp("ioctl"), users={USER: PASSWORD})
    d.shares = {"share": {"path": d.state_dir + "/share",
                          "read only": "no"}}
    d.start()
    yield d
    assert d.stop() == 0, d.log()


@pytest.mark.parametrize("name", TORTURE)
def test_smbtorture_ioctl(server, name):
    r = subprocess.run(
        ["smbtorture", "//127.0.0.1/share", "-p", str(server.smb_port),
         "-U", "%s%%%s" % (USER, PASSWORD), name],
        capture_output=True, text=True, timeout=300,
        stdin=subprocess.DEVNULL)
    out = r.stdout + r.stderr
    results = re.findall(r"^(success|failure|error|skip): (.*)$", out, re.M)
    assert r.returncode == 0 and results and \
        all(x[0] == "success" for x in results), out[-3000:]
    assert server.proc.poll() is None, server.log()[-3000:]


def login(d, dialect=s3.SMB2_DIALECT_30):
    c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=d.smb_port,
                      preferredDialect=dialect, timeout=10)
    c.login(USER, PASSWORD)
    srv = c.getSMBServer()
    return c, srv, srv.connectTree("share")


def fsctl(srv, tid, fid, ctl, blob=b"", maxout=65536):
    return srv.ioctl(tid, fid, ctl, SMB2_0_IOCTL_IS_FSCTL, blob,
                     maxOutputResponse=maxout)


def test_copy_of_a_file_in_chunks_is_byte_for_byte(server):
    """A 5 MiB file copied in 1 MiB chunks (the chunk size limit) in two
    requests, the way Windows Explorer copies on one server; the target's
    SHA-256 is the source's, read back both through SMB and on disk."""
    c, srv, tid = login(server)
    data = os.urandom(5 * 2 ** 20 + 123)
    try:
        src = srv.create(tid, "cc-src.bin", FILE_ALL_ACCESS, 7,
                         FILE_NON_DIRECTORY_FILE, FILE_OPEN_IF, 0x80)
        for off in range(0, len(data), 2 ** 20):
            part = data[off:off + 2 ** 20]
            srv.write(tid, src, part, off, len(part))
        key = fsctl(srv, tid, src, FSCTL_SRV_REQUEST_RESUME_KEY)[:24]
        assert len(key) == 24
        dst = srv.create(tid, "cc-dst.bin", FILE_ALL_ACCESS, 7,
                         FILE_NON_DIRECTORY_FILE, FILE_OPEN_IF, 0x80)
        chunks = [(o, o, min(2 ** 20, len(data) - o))
                  for o in range(0, len(data), 2 ** 20)]
        total = 0
        for batch in (chunks[:3], chunks[3:]):
            blob = key + struct.pack("<II", len(batch), 0) + b"".join(
                struct.pack("<QQII", s, t, n, 0) for s, t, n in batch)
            out = fsctl(srv, tid, dst, FSCTL_SRV_COPYCHUNK, blob)
            written, partial, nbytes = struct.unpack("<III", out[:12])
            assert (written, partial) == (len(batch), 0)
            assert nbytes == sum(n for _, _, n in batch)
            total += nbytes
        assert total == len(data)
        got = b""
        while len(got) < len(data):
            got += srv.read(tid, dst, len(got), 2 ** 20)
        assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest()
        with open(os.path.join(server.state_dir, "share", "cc-dst.bin"),
                  "rb") as f:
            assert hashlib.sha256(f.read()).digest() == \
                hashlib.sha256(data).digest()
        # A key that names no open: 3.3.5.15.6.
        bad = bytes(24) + struct.pack("<II", 1, 0) + \
            struct.pack("<QQII", 0, 0, 1, 0)
        with pytest.raises(SessionError) as e:
            fsctl(srv, tid, dst, FSCTL_SRV_COPYCHUNK, bad)
        assert e.value.get_error_code() == STATUS_OBJECT_NAME_NOT_FOUND
        # After the source closes, its key names nothing either.
        srv.close(tid, src)
        with pytest.raises(SessionError) as e:
            fsctl(srv, tid, dst, FSCTL_SRV_COPYCHUNK, key + bad[24:])
        assert e.value.get_error_code() == STATUS_OBJECT_NAME_NOT_FOUND
        srv.close(tid, dst)
    finally:
        c.close()


def test_get_reparse_point_says_no_reparse_point(server):
    c, srv, tid = login(server)
    try:
        fid = srv.create(tid, "plain.txt", FILE_ALL_ACCESS, 7,
                         FILE_NON_DIRECTORY_FILE, FILE_OPEN_IF, 0x80)
        with pytest.raises(SessionError) as e:
            fsctl(srv, tid, fid, FSCTL_GET_REPARSE_POINT)
        assert e.value.get_error_code() == STATUS_NOT_A_REPARSE_POINT
        srv.close(tid, fid)
    finally:
        c.close()


def test_network_interfaces_are_the_listening_address(server):
    """The daemon listens on 127.0.0.1 only: that is the one interface
    it offers (2.2.32.5), with lo's index; a 2.1 connection, which was
    not offered multichannel, and a too small buffer are refused."""
    c, srv, tid = login(server)
    try:
        out = fsctl(srv, tid, None, FSCTL_QUERY_NETWORK_INTERFACE_INFO)
        assert len(out) % 152 == 0 and len(out) > 0
        entries = []
        for off in range(0, len(out), 152):
            nxt, index, caps, _, speed, family = struct.unpack_from(
                "<IIIIQH", out, off)
            assert nxt == (152 if off + 152 < len(out) else 0)
            assert family == 0x0002         # only IPv4 is listened on
            addr = ".".join(str(b) for b in out[off + 28:off + 32])
            entries.append((addr, index, caps, speed))
        assert [e[0] for e in entries] == ["127.0.0.1"]
        assert entries[0][1] == socket.if_nametoindex("lo")
        assert entries[0][2] == 0 and entries[0][3] > 0
        with pytest.raises(SessionError) as e:
            fsctl(srv, tid, None, FSCTL_QUERY_NETWORK_INTERFACE_INFO,
                  maxout=100)
        assert e.value.get_error_code() == STATUS_BUFFER_TOO_SMALL
    finally:
        c.close()
    c, srv, tid = login(server, s3.SMB2_DIALECT_21)
    try:
        with pytest.raises(SessionError) as e:
            fsctl(srv, tid, None, FSCTL_QUERY_NETWORK_INTERFACE_INFO)
        assert e.value.get_error_code() == STATUS_NOT_SUPPORTED
    finally:
        c.close()


def test_copy_within_one_file_over_an_overlap_is_a_move(server):
    """Source and target ranges of one file overlapping, a chunk of
    1 MiB - 4 KiB: the kernel refuses copy_file_range() there, and the
    result must be what smbtorture's src_is_dest_overlap checks at a
    small size, the source bytes as they were before the copy."""
    c, srv, tid = login(server)
    data = os.urandom(2 ** 20)
    try:
        fid = srv.create(tid, "cc-overlap.bin", FILE_ALL_ACCESS, 7,
                         FILE_NON_DIRECTORY_FILE, FILE_OPEN_IF, 0x80)
        srv.write(tid, fid, data, 0, len(data))
        key = fsctl(srv, tid, fid, FSCTL_SRV_REQUEST_RESUME_KEY)[:24]
        n = len(data) - 4096
        blob = key + struct.pack("<II", 1, 0) + \
            struct.pack("<QQII", 0, 4096, n, 0)
        out = fsctl(srv, tid, fid, FSCTL_SRV_COPYCHUNK, blob)
        assert struct.unpack("<III", out[:12]) == (1, 0, n)
        srv.close(tid, fid)
        with open(os.path.join(server.state_dir, "share", "cc-overlap.bin"),
                  "rb") as f:
            got = f.read()
        assert got[:4096] == data[:4096]
        assert got[4096:] == data[:n]
    finally:
        c.close()
