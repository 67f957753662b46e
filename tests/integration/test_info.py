"""QUERY_INFO and SET_INFO (MS-SMB2 3.3.5.20, 3.3.5.21) with real clients.

smbclient shows what users see (allinfo, setmode, rename, del, rmdir)
and smbcacls the security descriptor; impacket's SMB3 object sends
hand-made requests for each information class field by field (MS-FSCC
2.4, 2.5), the buffer-size rules, the statuses, and the sets; smbtorture
runs its own getinfo checks.  Files are made and checked directly in the
share's folder."""
import os
import socket
import stat
import struct
import subprocess
import time

import pytest
from impacket import smb3structs as s3
from impacket.nt_errors import STATUS_ACCESS_DENIED, \
    STATUS_BUFFER_OVERFLOW, STATUS_BUFFER_TOO_SMALL, STATUS_CANNOT_DELETE, \
    STATUS_DIRECTORY_NOT_EMPTY, STATUS_INFO_LENGTH_MISMATCH, \
    STATUS_INVALID_INFO_CLASS, STATUS_INVALID_PARAMETER, \
    STATUS_NOT_SUPPORTED, STATUS_OBJECT_NAME_COLLISION, \
    STATUS_OBJECT_NAME_NOT_FOUND, STATUS_SHARING_VIOLATION, STATUS_SUCCESS
from impacket.smbconnection import SMBConnection, SessionError

from smbclients import PASSWORD, USER, smbclient

INFO_FILE, INFO_FS, INFO_SECURITY = 1, 2, 3
BASIC, STANDARD, INTERNAL, NAME, RENAME, DISPOSITION = 4, 5, 6, 9, 10, 13
ALL, ALLOCATION, EOF, ALTNAME, STREAM, NETOPEN = 18, 19, 20, 21, 22, 34
NORMALIZED, DISPOSITION_EX = 48, 64
FS_VOLUME, FS_SIZE, FS_DEVICE, FS_ATTRIBUTE, FS_FULL_SIZE = 1, 3, 4, 5, 7
FS_SECTOR_SIZE = 11
OWNER, GROUP, DACL, SACL = 1, 2, 4, 8
MAXIMUM_ALLOWED, DELETE, READ_CONTROL = 0x02000000, 0x00010000, 0x00020000
READ_ATTRIBUTES, SYNCHRONIZE = 0x80, 0x00100000
SHARE_ALL = 7
DIRECTORY_FILE = 1
FILE_READ_ONLY_VOLUME = 0x00080000


@pytest.fixture
def server(daemon_factory):
    d = daemon_factory(users={USER: PASSWORD})
    d.shares = {
        "data": {"path": d.state_dir + "/data", "read only": "no"},
        "ro": {"path": d.state_dir + "/ro", "read only": "yes"},
    }
    d.start()
    d.data = d.state_dir + "/data"
    d.ro = d.state_dir + "/ro"
    return d


def put(path, data=b"hello"):
    with open(path, "wb") as f:
        f.write(data)


def client(d, cmd, share="data"):
    return smbclient(d, share, user=USER, password=PASSWORD, cmd=cmd)


def out(r):
    return r.stdout + r.stderr


# ---- smbclient ----

def test_allinfo_shows_times_attributes_and_stream(server):
    put(os.path.join(server.data, "f.txt"), b"twelve bytes")
    os.mkdir(os.path.join(server.data, "sub"))
    r = client(server, "allinfo f.txt; allinfo sub")
    assert r.returncode == 0, out(r)
    for field in ("create_time:", "access_time:", "write_time:",
                  "change_time:"):
        assert out(r).count(field) == 2, out(r)
    assert "attributes: A (20)" in r.stdout
    assert "stream: [::$DATA], 12 bytes" in r.stdout
    assert "attributes: D (10)" in r.stdout
    # An 8.3 name is its own alternate name.
    assert "altname: f.txt" in r.stdout


def test_setmode_read_only_shows_in_allinfo_and_mode(server):
    p = os.path.join(server.data, "f.txt")
    put(p)
    r = client(server, "setmode f.txt +r; allinfo f.txt")
    assert r.returncode == 0, out(r)
    assert "attributes: RA (21)" in r.stdout
    assert os.stat(p).st_mode & 0o222 == 0
    r = client(server, "setmode f.txt -r; allinfo f.txt")
    assert "attributes: A (20)" in r.stdout, out(r)
    assert os.stat(p).st_mode & stat.S_IWUSR


def test_rename_in_and_across_directories(server):
    put(os.path.join(server.data, "a.txt"), b"A")
    os.mkdir(os.path.join(server.data, "sub"))
    r = client(server, "rename a.txt b.txt; rename b.txt sub\\c.txt")
    assert r.returncode == 0, out(r)
    assert not os.path.exists(os.path.join(server.data, "a.txt"))
    assert not os.path.exists(os.path.join(server.data, "b.txt"))
    with open(os.path.join(server.data, "sub", "c.txt"), "rb") as f:
        assert f.read() == b"A"


def test_rename_onto_existing_name_is_a_collision(server):
    put(os.path.join(server.data, "a.txt"), b"A")
    put(os.path.join(server.data, "b.txt"), b"B")
    r = client(server, "rename a.txt b.txt")
    assert "NT_STATUS_OBJECT_NAME_COLLISION" in out(r)
    with open(os.path.join(server.data, "b.txt"), "rb") as f:
        assert f.read() == b"B"
    assert os.path.exists(os.path.join(server.data, "a.txt"))


def test_del_and_rmdir_of_a_directory_that_is_not_empty(server):
    put(os.path.join(server.data, "f.txt"))
    os.mkdir(os.path.join(server.data, "d"))
    put(os.path.join(server.data, "d", "in.txt"))
    r = client(server, "del f.txt; rmdir d")
    assert "NT_STATUS_DIRECTORY_NOT_EMPTY" in out(r)
    assert not os.path.exists(os.path.join(server.data, "f.txt"))
    assert os.path.exists(os.path.join(server.data, "d", "in.txt"))
    r = client(server, "del d\\in.txt; rmdir d")
    assert r.returncode == 0, out(r)
    assert not os.path.exists(os.path.join(server.data, "d"))


def test_read_only_share_refuses_rename_delete_and_setmode(server):
    p = os.path.join(server.ro, "f.txt")
    put(p)
    os.mkdir(os.path.join(server.ro, "d"))
    for cmd in ("rename f.txt g.txt", "del f.txt", "setmode f.txt +r",
                "rmdir d"):
        r = client(server, cmd, share="ro")
        assert "NT_STATUS_ACCESS_DENIED" in out(r), (cmd, out(r))
    assert os.path.exists(p) and os.stat(p).st_mode & stat.S_IWUSR
    assert os.path.isdir(os.path.join(server.ro, "d"))
    # Reading is what the share is for.
    r = client(server, "allinfo f.txt", share="ro")
    assert "attributes: A (20)" in r.stdout, out(r)


def free_loopback_445():
    """A 127.x.y.z where port 445 is free, or None (smbcacls has no port
    option: it only reaches port 445)."""
    if os.geteuid() != 0:
        return None
    for i in range(20):
        addr = "127.%d.%d.%d" % (os.getpid() % 200 + 20, i + 1,
                                 (int(time.time()) + i) % 250 + 2)
        with socket.socket() as s:
            try:
                s.bind((addr, 445))
                return addr
            except OSError:
                continue
    return None


def test_smbcacls_prints_owner_group_and_acl(daemon_factory):
    addr = free_loopback_445()
    if addr is None:
        pytest.skip("smbcacls needs port 445: not root or none free")
    d = daemon_factory(users={USER: PASSWORD},
                       extra_global="smb listen = %s:445" % addr)
    d.shares = {"data": {"path": d.state_dir + "/data", "read only": "no"}}
    d.start()
    p = os.path.join(d.state_dir, "data", "f.txt")
    put(p)
    os.chmod(p, 0o640)
    st = os.stat(p)
    os.mkdir(os.path.join(d.state_dir, "data", "dir"), 0o750)

    def cacls(*args):
        r = subprocess.run(["smbcacls", *args, "-U",
                            "%s%%%s" % (USER, PASSWORD)],
                           capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
        return r.stdout + r.stderr

    # No LSA here: SIDs stay numeric, and smbcacls says it could not
    # look up the domain, which is harmless.
    text = cacls("--numeric", "//%s/data" % addr, "f.txt")
    assert "OWNER:S-1-22-1-%d" % st.st_uid in text, text
    assert "GROUP:S-1-22-2-%d" % st.st_gid in text
    assert "ACL:S-1-22-1-%d:0/0x0/0x0012019f" % st.st_uid in text
    assert "ACL:S-1-22-2-%d:0/0x0/0x00120089" % st.st_gid in text
    assert "ACL:S-1-1-0:0/0x0/0x00000000" in text
    text = cacls("//%s/data" % addr, "dir")
    assert "CONTROL:SR|DP" in text, text
    assert "ACL:S-1-22-1-%d:ALLOWED/OI|CI/FULL" % st.st_uid in text
    assert "ACL:S-1-22-2-%d:ALLOWED/OI|CI/READ" % st.st_gid in text


# ---- impacket: hand-made requests ----

def connect(d, share="data"):
    c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=d.smb_port,
                      preferredDialect=s3.SMB2_DIALECT_30, timeout=30)
    c.login(USER, PASSWORD)
    return c, c.getSMBServer(), c.connectTree(share)


def open_(smb, tid, name, access=MAXIMUM_ALLOWED, disp=s3.FILE_OPEN,
          options=0, share=SHARE_ALL):
    return smb.create(tid, name, access, share, options, disp, 0)


def query(smb, tid, fid, cls, outlen=65535, itype=INFO_FILE, addl=0):
    """(status, data): the response buffer, or the ERROR body."""
    p = smb.SMB_PACKET()
    p["Command"] = s3.SMB2_QUERY_INFO
    p["TreeID"] = tid
    q = s3.SMB2QueryInfo()
    q["FileID"] = fid
    q["InfoType"] = itype
    q["FileInfoClass"] = cls
    q["OutputBufferLength"] = outlen
    q["AdditionalInformation"] = addl
    q["InputBufferOffset"] = 0
    q["Buffer"] = b"\0"
    p["Data"] = q
    ans = smb.recvSMB(smb.sendSMB(p))
    if ans["Status"] in (STATUS_SUCCESS, STATUS_BUFFER_OVERFLOW):
        return ans["Status"], bytes(s3.SMB2QueryInfo_Response(
            ans["Data"])["Buffer"])
    return ans["Status"], bytes(ans["Data"])


def close(smb, tid, fid):
    """CLOSE; impacket 0.10 keeps one table entry per name, so a second
    open of the same name fails in its bookkeeping, not on the wire."""
    try:
        smb.close(tid, fid)
    except KeyError:
        pass


def set_(smb, tid, fid, cls, blob, itype=INFO_FILE, addl=0):
    p = smb.SMB_PACKET()
    p["Command"] = s3.SMB2_SET_INFO
    p["TreeID"] = tid
    s = s3.SMB2SetInfo()
    s["InfoType"] = itype
    s["FileInfoClass"] = cls
    s["BufferLength"] = len(blob)
    s["AdditionalInformation"] = addl
    s["FileID"] = fid
    s["Buffer"] = blob
    p["Data"] = s
    return smb.recvSMB(smb.sendSMB(p))["Status"]


def ok(status_data):
    st, data = status_data
    assert st == STATUS_SUCCESS, hex(st)
    return data


def rename_blob(name, replace=False):
    n = name.encode("utf-16le")
    return struct.pack("<B7xQI", 1 if replace else 0, 0, len(n)) + n


def test_file_classes_describe_the_file(server):
    os.mkdir(os.path.join(server.data, "sub"))
    p = os.path.join(server.data, "sub", "f.txt")
    put(p, b"x" * 1000)
    os.link(p, os.path.join(server.data, "sub", "link.txt"))
    st = os.stat(p)
    c, smb, tid = connect(server)
    try:
        f = open_(smb, tid, "sub\\f.txt")
        d = open_(smb, tid, "sub", options=DIRECTORY_FILE)

        alloc, eof, nlink, pending, isdir = struct.unpack(
            "<QQIBB2x", ok(query(smb, tid, f, STANDARD)))
        assert (eof, nlink, pending, isdir) == (1000, 2, 0, 0)
        assert alloc >= 1000
        _, eof, nlink, _, isdir = struct.unpack(
            "<QQIBB2x", ok(query(smb, tid, d, STANDARD)))
        assert (eof, nlink, isdir) == (0, 1, 1)

        assert struct.unpack("<Q", ok(query(smb, tid, f, INTERNAL)))[0] \
            == st.st_ino
        name = ok(query(smb, tid, f, NAME))
        assert name[4:].decode("utf-16le") == "\\sub\\f.txt"
        assert struct.unpack_from("<I", name)[0] == len(name) - 4

        b = ok(query(smb, tid, f, BASIC))
        times = struct.unpack_from("<4Q", b)
        assert abs(times[2] / 1e7 - 11644473600 - st.st_mtime) < 1
        assert struct.unpack_from("<I", b, 32)[0] == 0x20    # ARCHIVE

        a = ok(query(smb, tid, f, ALL))
        assert a[:40] == b
        assert a[100:].decode("utf-16le") == "\\sub\\f.txt"

        s = ok(query(smb, tid, f, STREAM))
        assert struct.unpack_from("<IIQ", s) == (0, 14, 1000)
        assert s[24:].decode("utf-16le") == "::$DATA"
        assert ok(query(smb, tid, d, STREAM)) == b""

        alt = ok(query(smb, tid, f, ALTNAME))
        assert alt[4:].decode("utf-16le") == "f.txt"
        assert query(smb, tid, open_(smb, tid, "sub\\link.txt"),
                     ALTNAME)[0] == STATUS_SUCCESS
        put(os.path.join(server.data, "a long name.text"))
        g = open_(smb, tid, "a long name.text")
        assert query(smb, tid, g, ALTNAME)[0] == \
            STATUS_OBJECT_NAME_NOT_FOUND

        n = ok(query(smb, tid, f, NETOPEN))
        assert struct.unpack_from("<Q", n, 40)[0] == 1000
        # 3.1.1 only (3.3.5.20.1); this connection is 3.0.
        assert query(smb, tid, f, NORMALIZED)[0] == STATUS_NOT_SUPPORTED
        assert query(smb, tid, f, 99)[0] == STATUS_INVALID_INFO_CLASS
    finally:
        c.close()


def test_file_system_classes_describe_the_share(server):
    c, smb, tid = connect(server)
    try:
        root = open_(smb, tid, "")
        v = ok(query(smb, tid, root, FS_VOLUME, itype=INFO_FS))
        assert struct.unpack_from("<I", v, 12)[0] == 8
        assert v[18:].decode("utf-16le") == "data"
        dev = ok(query(smb, tid, root, FS_DEVICE, itype=INFO_FS))
        assert struct.unpack("<II", dev) == (7, 0x20)
        a = ok(query(smb, tid, root, FS_ATTRIBUTE, itype=INFO_FS))
        flags, maxname, nlen = struct.unpack_from("<III", a)
        assert a[12:].decode("utf-16le") == "NTFS" and maxname == 255
        assert flags & 0x0f == 0x0f and not flags & FILE_READ_ONLY_VOLUME
        total, caller, free, spu, bps = struct.unpack(
            "<QQQII", ok(query(smb, tid, root, FS_FULL_SIZE,
                               itype=INFO_FS)))
        sv = os.statvfs(server.data)
        assert abs(total * spu * bps - sv.f_blocks * sv.f_frsize) < \
            spu * bps
        assert caller <= free <= total
        size = ok(query(smb, tid, root, FS_SIZE, itype=INFO_FS))
        assert struct.unpack_from("<Q", size)[0] == total
        assert len(ok(query(smb, tid, root, FS_SECTOR_SIZE,
                            itype=INFO_FS))) == 28
        assert query(smb, tid, root, 2, itype=INFO_FS)[0] == \
            STATUS_INVALID_INFO_CLASS
    finally:
        c.close()
    c, smb, tid = connect(server, "ro")
    try:
        root = open_(smb, tid, "")
        a = ok(query(smb, tid, root, FS_ATTRIBUTE, itype=INFO_FS))
        assert struct.unpack_from("<I", a)[0] & FILE_READ_ONLY_VOLUME
        dev = ok(query(smb, tid, root, FS_DEVICE, itype=INFO_FS))
        assert struct.unpack("<II", dev) == (7, 0x22)
    finally:
        c.close()


def test_buffer_sizes_and_their_statuses(server):
    put(os.path.join(server.data, "bufsize.txt"))
    c, smb, tid = connect(server)
    try:
        f = open_(smb, tid, "bufsize.txt")
        full = ok(query(smb, tid, f, ALL))
        assert len(full) == 100 + len("\\bufsize.txt") * 2
        # Below the fixed size: nothing.
        assert query(smb, tid, f, ALL, 103)[0] == \
            STATUS_INFO_LENGTH_MISMATCH
        # Cut short: the name so far, its length still the whole one.
        st, part = query(smb, tid, f, ALL, 104)
        assert st == STATUS_BUFFER_OVERFLOW and part == full[:104]
        assert struct.unpack_from("<I", part, 96)[0] == len(full) - 100
        # A stream entry is not cut: it is left out.
        st, part = query(smb, tid, f, STREAM, 33)
        assert st == STATUS_BUFFER_OVERFLOW and part == b""
        assert query(smb, tid, f, BASIC, 39)[0] == \
            STATUS_INFO_LENGTH_MISMATCH
        assert query(smb, tid, f, BASIC, 1 << 30)[0] == \
            STATUS_INVALID_PARAMETER
        # Security: the size needed comes back as ErrorData (2.2.2).
        st, body = query(smb, tid, f, 0, 0, INFO_SECURITY, OWNER | DACL)
        assert st == STATUS_BUFFER_TOO_SMALL
        sb, _, _, count, need = struct.unpack("<HBBII", body)
        assert (sb, count) == (9, 4)
        sd = ok(query(smb, tid, f, 0, need, INFO_SECURITY, OWNER | DACL))
        assert len(sd) == need
    finally:
        c.close()


def test_security_descriptor_follows_the_mode(server):
    p = os.path.join(server.data, "f.txt")
    put(p)
    os.chmod(p, 0o640)
    uid, gid = os.stat(p).st_uid, os.stat(p).st_gid
    c, smb, tid = connect(server)
    try:
        f = open_(smb, tid, "f.txt")
        sd = ok(query(smb, tid, f, 0, itype=INFO_SECURITY,
                      addl=OWNER | GROUP | DACL))
        rev, control, o_owner, o_group, o_sacl, o_dacl = struct.unpack_from(
            "<BxHIIII", sd)
        assert (rev, control, o_owner, o_sacl) == (1, 0x8004, 20, 0)
        assert sd[o_owner:o_owner + 16] == struct.pack(
            "<BB6sII", 1, 2, b"\0" * 5 + b"\x16", 1, uid)
        assert sd[o_group:o_group + 16] == struct.pack(
            "<BB6sII", 1, 2, b"\0" * 5 + b"\x16", 2, gid)
        masks = [struct.unpack_from("<I", sd, o_dacl + 8 + off + 4)[0]
                 for off in (0, 24, 48)]
        assert masks == [0x0012019f, 0x00120089, 0]
        # Only what AdditionalInformation names.
        assert len(ok(query(smb, tid, f, 0, itype=INFO_SECURITY,
                            addl=0))) == 20
        # The SACL needs ACCESS_SYSTEM_SECURITY, never granted here.
        assert query(smb, tid, f, 0, itype=INFO_SECURITY,
                     addl=SACL)[0] == STATUS_ACCESS_DENIED

        # Writing back what was read changes nothing and is accepted;
        # a DACL the mode can say becomes the mode (Everyone r: o+r).
        assert set_(smb, tid, f, 0, sd, INFO_SECURITY,
                    OWNER | GROUP | DACL) == STATUS_SUCCESS
        assert os.stat(p).st_mode & 0o777 == 0o640
        changed = bytearray(sd)
        struct.pack_into("<I", changed, o_dacl + 8 + 48 + 4, 0x00120089)
        assert set_(smb, tid, f, 0, bytes(changed), INFO_SECURITY,
                    DACL) == STATUS_SUCCESS
        assert os.stat(p).st_mode & 0o777 == 0o644
        assert ok(query(smb, tid, f, 0, itype=INFO_SECURITY,
                        addl=OWNER | GROUP | DACL)) == bytes(changed)
        with pytest.raises(OSError):
            os.getxattr(p, "user.smbsrvd.acl")

        # Owner, group and DACL need READ_CONTROL.
        a = open_(smb, tid, "f.txt", access=READ_ATTRIBUTES | SYNCHRONIZE)
        assert query(smb, tid, a, 0, itype=INFO_SECURITY,
                     addl=OWNER)[0] == STATUS_ACCESS_DENIED
        assert query(smb, tid, a, BASIC)[0] == STATUS_SUCCESS
        r = open_(smb, tid, "f.txt", access=READ_CONTROL | SYNCHRONIZE)
        assert query(smb, tid, r, BASIC)[0] == STATUS_ACCESS_DENIED
        assert query(smb, tid, r, STANDARD)[0] == STATUS_SUCCESS
    finally:
        c.close()


ANON_SID = struct.pack("<BB6sI", 1, 1, b"\0" * 5 + b"\x05", 7)  # S-1-5-7


def add_ace(sd, sid, mask, ace_type=0):
    """sd (self-relative, owner, group, DACL last) with one more ACE."""
    o_dacl = struct.unpack_from("<I", sd, 16)[0]
    size, count = struct.unpack_from("<HH", sd, o_dacl + 2)
    ace = struct.pack("<BBHI", ace_type, 0, 8 + len(sid), mask) + sid
    dacl = (sd[o_dacl:o_dacl + 2] + struct.pack("<HH", size + len(ace),
            count + 1) + sd[o_dacl + 6:o_dacl + size] + ace)
    return sd[:o_dacl] + dacl


def test_set_security_keeps_a_dacl_the_mode_cannot_say(server):
    """MS-SMB2 3.3.5.21.3: an ACE for another principal is kept beside
    the file (user.smbsrvd.acl) and read back; the mode keeps what the
    owner, group and Everyone ACEs say; a chmod outside the server makes
    the kept DACL stale, and the mode is reported again."""
    p = os.path.join(server.data, "k.txt")
    put(p)
    os.chmod(p, 0o640)
    c, smb, tid = connect(server)
    try:
        f = open_(smb, tid, "k.txt")
        sd = ok(query(smb, tid, f, 0, itype=INFO_SECURITY,
                      addl=OWNER | GROUP | DACL))
        mine = add_ace(sd, ANON_SID, 0x001f01ff)
        assert set_(smb, tid, f, 0, mine, INFO_SECURITY,
                    DACL) == STATUS_SUCCESS
        assert os.stat(p).st_mode & 0o777 == 0o640
        assert os.getxattr(p, "user.smbsrvd.acl")
        assert ok(query(smb, tid, f, 0, itype=INFO_SECURITY,
                        addl=OWNER | GROUP | DACL)) == mine
        # A deny of the owner's write before its allow takes w away.
        denied = add_ace(sd, sd[20:36], 0x2, ace_type=1)
        o_dacl = struct.unpack_from("<I", denied, 16)[0]
        aces = denied[o_dacl + 8:]
        deny, rest = aces[-24:], aces[:-24]
        denied = denied[:o_dacl + 8] + deny + rest
        assert set_(smb, tid, f, 0, denied, INFO_SECURITY,
                    DACL) == STATUS_SUCCESS
        assert os.stat(p).st_mode & 0o777 == 0o440
        assert ok(query(smb, tid, f, 0, itype=INFO_SECURITY,
                        addl=DACL))[20:] == denied[o_dacl:]
        os.chmod(p, 0o600)
        now = ok(query(smb, tid, f, 0, itype=INFO_SECURITY,
                       addl=OWNER | GROUP | DACL))
        masks = [struct.unpack_from("<I", now, o_dacl + 8 + off + 4)[0]
                 for off in (0, 24, 48)]
        assert struct.unpack_from("<H", now, o_dacl + 4)[0] == 3
        assert masks == [0x0012019f, 0, 0]

        # An owner that is no Unix user cannot be kept; a malformed
        # descriptor is refused before anything changes.
        world = struct.pack("<BB6sI", 1, 1, b"\0" * 5 + b"\x01", 0)
        bad_owner = sd[:20] + world + sd[32:]
        assert set_(smb, tid, f, 0, bad_owner, INFO_SECURITY,
                    OWNER) == 0xC000005A      # STATUS_INVALID_OWNER
        assert set_(smb, tid, f, 0, sd[:30], INFO_SECURITY,
                    DACL) == 0xC0000079       # INVALID_SECURITY_DESCR
        assert os.stat(p).st_mode & 0o777 == 0o600
    finally:
        c.close()


def test_set_security_through_an_open_for_write_dac_only(server):
    """An open granted READ_CONTROL | WRITE_DAC alone, no data access
    (as smbcacls opens), sets and reads back a DACL; without WRITE_DAC
    the set is refused (MS-FSA 2.1.5.16)."""
    p = os.path.join(server.data, "w.txt")
    put(p)
    os.chmod(p, 0o600)
    c, smb, tid = connect(server)
    try:
        f = open_(smb, tid, "w.txt", access=READ_CONTROL | 0x00040000 |
                  SYNCHRONIZE)
        sd = ok(query(smb, tid, f, 0, itype=INFO_SECURITY,
                      addl=OWNER | GROUP | DACL))
        mine = add_ace(sd, ANON_SID, 0x00120089)
        assert set_(smb, tid, f, 0, mine, INFO_SECURITY,
                    DACL) == STATUS_SUCCESS
        assert ok(query(smb, tid, f, 0, itype=INFO_SECURITY,
                        addl=OWNER | GROUP | DACL)) == mine
        assert os.stat(p).st_mode & 0o777 == 0o600
        r = open_(smb, tid, "w.txt", access=READ_CONTROL | SYNCHRONIZE)
        assert set_(smb, tid, r, 0, sd, INFO_SECURITY,
                    DACL) == STATUS_ACCESS_DENIED
    finally:
        c.close()


def test_set_end_of_file_allocation_and_times(server):
    p = os.path.join(server.data, "f.txt")
    put(p, b"y" * 100)
    c, smb, tid = connect(server)
    try:
        f = open_(smb, tid, "f.txt")
        assert set_(smb, tid, f, EOF, struct.pack("<Q", 5000)) == \
            STATUS_SUCCESS
        assert os.path.getsize(p) == 5000
        # An allocation below the end of file cuts the file there.
        assert set_(smb, tid, f, ALLOCATION, struct.pack("<Q", 10)) == \
            STATUS_SUCCESS
        assert os.path.getsize(p) == 10
        assert set_(smb, tid, f, ALLOCATION, struct.pack("<Q", 1 << 20)) \
            == STATUS_SUCCESS
        assert os.path.getsize(p) == 10
        # 2001-09-09 01:46:40 UTC as LastWriteTime; 0 and -1 leave.
        ft = (1000000000 + 11644473600) * 10000000
        assert set_(smb, tid, f, BASIC, struct.pack(
            "<qqqqII", 0, -1, ft, 0, 0, 0)) == STATUS_SUCCESS
        assert os.stat(p).st_mtime == 1000000000
        assert set_(smb, tid, f, BASIC, struct.pack(
            "<qqqqII", -3, 0, 0, 0, 0, 0)) == STATUS_INVALID_PARAMETER
        assert set_(smb, tid, f, BASIC, bytes(36)) == \
            STATUS_INFO_LENGTH_MISMATCH
        assert set_(smb, tid, f, BASIC, b"") == STATUS_INVALID_PARAMETER
        d = open_(smb, tid, "", options=DIRECTORY_FILE)
        assert set_(smb, tid, d, EOF, struct.pack("<Q", 1)) == \
            STATUS_INVALID_PARAMETER
    finally:
        c.close()


def test_disposition_deletes_at_the_last_close(server):
    p = os.path.join(server.data, "f.txt")
    put(p)
    os.mkdir(os.path.join(server.data, "d"))
    put(os.path.join(server.data, "d", "in.txt"))
    put(os.path.join(server.data, "ro.txt"))
    os.chmod(os.path.join(server.data, "ro.txt"), 0o444)
    c, smb, tid = connect(server)
    try:
        f = open_(smb, tid, "f.txt", access=DELETE | READ_ATTRIBUTES)
        g = open_(smb, tid, "f.txt", access=READ_ATTRIBUTES)
        assert set_(smb, tid, f, DISPOSITION, b"\1") == STATUS_SUCCESS
        pending = struct.unpack("<QQIBB2x", ok(query(smb, tid, g,
                                                     STANDARD)))[3]
        assert pending == 1
        close(smb, tid, f)
        assert os.path.exists(p)
        close(smb, tid, g)
        assert not os.path.exists(p)

        d = open_(smb, tid, "d", access=DELETE, options=DIRECTORY_FILE)
        assert set_(smb, tid, d, DISPOSITION, b"\1") == \
            STATUS_DIRECTORY_NOT_EMPTY
        r = open_(smb, tid, "ro.txt", access=DELETE)
        assert set_(smb, tid, r, DISPOSITION, b"\1") == STATUS_CANNOT_DELETE
        # POSIX semantics would need the name gone at this close.
        assert set_(smb, tid, r, DISPOSITION_EX, struct.pack("<I", 3)) == \
            STATUS_NOT_SUPPORTED
        assert set_(smb, tid, r, DISPOSITION_EX, struct.pack(
            "<I", 0x11)) == STATUS_SUCCESS
        close(smb, tid, r)
        assert not os.path.exists(os.path.join(server.data, "ro.txt"))
        n = open_(smb, tid, "d\\in.txt", access=READ_ATTRIBUTES)
        assert set_(smb, tid, n, DISPOSITION, b"\1") == STATUS_ACCESS_DENIED
    finally:
        c.close()
    assert os.path.exists(os.path.join(server.data, "d", "in.txt"))


def test_rename_rules_and_opens_that_follow(server):
    os.mkdir(os.path.join(server.data, "d"))
    put(os.path.join(server.data, "d", "child.txt"))
    put(os.path.join(server.data, "a.txt"), b"A")
    put(os.path.join(server.data, "b.txt"), b"B")
    c, smb, tid = connect(server)
    try:
        a = open_(smb, tid, "a.txt", access=DELETE | READ_ATTRIBUTES)
        assert set_(smb, tid, a, RENAME, rename_blob("b.txt")) == \
            STATUS_OBJECT_NAME_COLLISION
        # The target is open: it is not replaced.
        b = open_(smb, tid, "b.txt", access=READ_ATTRIBUTES | 1)
        assert set_(smb, tid, a, RENAME, rename_blob("b.txt", True)) == \
            STATUS_ACCESS_DENIED
        close(smb, tid, b)
        assert set_(smb, tid, a, RENAME, rename_blob("b.txt", True)) == \
            STATUS_SUCCESS
        with open(os.path.join(server.data, "b.txt"), "rb") as fh:
            assert fh.read() == b"A"
        name = ok(query(smb, tid, a, NAME))
        assert name[4:].decode("utf-16le") == "\\b.txt"
        # A directory is never the one replaced.
        assert set_(smb, tid, a, RENAME, rename_blob("d", True)) == \
            STATUS_ACCESS_DENIED
        close(smb, tid, a)

        # A directory with an open file beneath it moves, and the open
        # follows: its name, and its delete on close.
        d = open_(smb, tid, "d", access=DELETE | READ_ATTRIBUTES,
                  options=DIRECTORY_FILE)
        ch = open_(smb, tid, "d\\child.txt", access=DELETE | READ_ATTRIBUTES)
        assert set_(smb, tid, d, RENAME, rename_blob("e")) == STATUS_SUCCESS
        assert ok(query(smb, tid, ch, NAME))[4:].decode("utf-16le") == \
            "\\e\\child.txt"
        assert set_(smb, tid, ch, DISPOSITION, b"\1") == STATUS_SUCCESS
        close(smb, tid, ch)
        assert not os.path.exists(os.path.join(server.data, "e",
                                               "child.txt"))
        assert os.path.isdir(os.path.join(server.data, "e"))

        # The target directory held open with DELETE access refuses
        # (Windows opens it to add the name; MS-FSA 2.1.5.1.2).
        put(os.path.join(server.data, "e", "x.txt"))
        x = open_(smb, tid, "e\\x.txt", access=DELETE)
        assert set_(smb, tid, x, RENAME, rename_blob("e\\y.txt")) == \
            STATUS_SHARING_VIOLATION
        close(smb, tid, d)
        assert set_(smb, tid, x, RENAME, rename_blob("e\\y.txt")) == \
            STATUS_SUCCESS
        assert set_(smb, tid, x, RENAME, rename_blob("")) == \
            STATUS_INVALID_PARAMETER
        assert set_(smb, tid, x, RENAME, rename_blob("..\\out.txt")) != \
            STATUS_SUCCESS
    finally:
        c.close()
    assert os.path.exists(os.path.join(server.data, "e", "y.txt"))
    assert not os.path.exists(os.path.join(server.data, "..", "out.txt"))


def test_read_only_share_refuses_every_change(server):
    put(os.path.join(server.ro, "f.txt"))
    c, smb, tid = connect(server, "ro")
    try:
        f = open_(smb, tid, "f.txt")
        for cls, blob in ((BASIC, bytes(40)), (EOF, bytes(8)),
                          (DISPOSITION, b"\1"),
                          (RENAME, rename_blob("g.txt"))):
            assert set_(smb, tid, f, cls, blob) == STATUS_ACCESS_DENIED
        sd = ok(query(smb, tid, f, 0, itype=INFO_SECURITY, addl=DACL))
        assert set_(smb, tid, f, 0, sd, INFO_SECURITY,
                    DACL) == STATUS_ACCESS_DENIED
        assert ok(query(smb, tid, f, STANDARD))
    finally:
        c.close()
    assert os.path.exists(os.path.join(server.ro, "f.txt"))


# ---- smbtorture's getinfo checks ----

@pytest.mark.parametrize("name", [
    "smb2.getinfo.fsinfo", "smb2.getinfo.qfile_buffercheck",
    "smb2.getinfo.qfs_buffercheck", "smb2.getinfo.qsec_buffercheck",
    "smb2.getinfo.granted"])
def test_smbtorture_getinfo(server, name):
    r = subprocess.run(
        ["smbtorture", "//127.0.0.1/data", "-p", str(server.smb_port),
         "-U", "%s%%%s" % (USER, PASSWORD), name],
        capture_output=True, text=True, timeout=300,
        stdin=subprocess.DEVNULL)
    assert r.returncode == 0 and "success:" in r.stdout, \
        r.stdout[-3000:] + r.stderr[-2000:]
