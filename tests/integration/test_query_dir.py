"""QUERY_DIRECTORY (MS-SMB2 3.3.5.18) with real clients.

Files are made directly in the share's folder; smbclient and impacket
list them with and without patterns, and every name must come back
exactly once.  impacket's SMB3 object also sends hand-made requests to
check what clients rarely exercise: each information class field by
field (MS-FSCC 2.4), small buffers and the entry that did not fit, the
flags, and the error statuses."""
import collections
import os
import re
import struct

import pytest
from impacket import smb3structs as s3
from impacket.nt_errors import STATUS_ACCESS_DENIED, \
    STATUS_INFO_LENGTH_MISMATCH, STATUS_INVALID_INFO_CLASS, \
    STATUS_INVALID_PARAMETER, STATUS_NO_MORE_FILES, STATUS_NO_SUCH_FILE, \
    STATUS_OBJECT_NAME_INVALID, STATUS_SUCCESS
from impacket.smbconnection import SMBConnection, SessionError

from smbclients import DIALECTS, PASSWORD, USER, smbclient

NAMES = ["a.txt", "b.TXT", "abc.log", "aXc", "README", "x.y.txt",
         "caf\u00e9.txt", "two words.txt"]
DIRS = ["sub"]

# MS-FSCC 2.4 classes and FieldOffset(FileName) of each.
DIRECTORY, FULL, BOTH, NAMES_INFO, ID_BOTH, ID_FULL = 1, 2, 3, 12, 37, 38
BASE = {DIRECTORY: 64, FULL: 68, BOTH: 94, NAMES_INFO: 12, ID_BOTH: 104,
        ID_FULL: 80}
RESTART, SINGLE, INDEX, REOPEN = 0x01, 0x02, 0x04, 0x10

# "  name   A   123  Mon Jan  1 00:00:00 2024" (smbclient display_finfo)
LS_LINE = re.compile(r"^  (.+?)\s+([A-Z]*)\s+(\d+)\s+"
                     r"\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$")


@pytest.fixture
def server(daemon_factory):
    d = daemon_factory(users={USER: PASSWORD})
    d.shares = {"data": {"path": d.state_dir + "/data", "read only": "no"}}
    d.start()
    d.data = d.state_dir + "/data"
    return d


def populate(d, names=NAMES, dirs=DIRS, where=""):
    top = os.path.join(d.data, where)
    for n in names:
        with open(os.path.join(top, n), "w") as f:
            f.write(n)
    for n in dirs:
        os.mkdir(os.path.join(top, n))


def ls(d, cmd, dialect=None):
    """The names smbclient lists, and its output."""
    r = smbclient(d, "data", user=USER, password=PASSWORD, cmd=cmd,
                  dialect=dialect, timeout=300)
    names = [m.group(1) for m in map(LS_LINE.match, r.stdout.splitlines())
             if m]
    return names, r


def same(got, want):
    """got holds each of want exactly once, and nothing else."""
    assert collections.Counter(got) == collections.Counter(want), \
        "extra %s, missing %s" % (
            sorted(set(got) - set(want)), sorted(set(want) - set(got)))


# ---- smbclient ----

@pytest.mark.parametrize("dialect", DIALECTS)
def test_smbclient_ls_lists_every_name_once(server, dialect):
    populate(server)
    names, r = ls(server, "ls", dialect)
    assert r.returncode == 0, r.stdout + r.stderr
    same(names, [".", ".."] + NAMES + DIRS)


@pytest.mark.parametrize("pattern,want", [
    ("*.txt", ["a.txt", "b.TXT", "x.y.txt", "caf\u00e9.txt",
               "two words.txt"]),
    ("*.TXT", ["a.txt", "b.TXT", "x.y.txt", "caf\u00e9.txt",
               "two words.txt"]),
    ("a?c*", ["aXc", "abc.log"]),
    ("readme", ["README"]),
    ("caf?.txt", ["caf\u00e9.txt"]),
    ("*.*", [".", ".."] + NAMES + DIRS),
    ("*", [".", ".."] + NAMES + DIRS),
    ("s*", ["sub"]),
])
def test_smbclient_patterns(server, pattern, want):
    populate(server)
    names, r = ls(server, 'ls "%s"' % pattern)
    assert r.returncode == 0, r.stdout + r.stderr
    same(names, want)


def test_smbclient_dir_in_subdirectory(server):
    populate(server)
    populate(server, names=["in1.c", "in2.h"], dirs=[], where="sub")
    names, r = ls(server, "dir sub\\*.c")
    assert r.returncode == 0, r.stdout + r.stderr
    same(names, ["in1.c"])
    names, r = ls(server, "cd sub; ls")
    same(names, [".", "..", "in1.c", "in2.h"])


def test_smbclient_pattern_matching_nothing_is_no_such_file(server):
    populate(server)
    names, r = ls(server, "ls nomatch*")
    assert names == []
    assert "NT_STATUS_NO_SUCH_FILE" in r.stdout + r.stderr


def test_smbclient_lists_3000_files_each_once(server):
    # Names of many lengths, so responses end at every alignment.
    names = ["f%04d-%s.dat" % (i, "x" * (i % 97)) for i in range(3000)]
    populate(server, names=names, dirs=[])
    got, r = ls(server, "ls")
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr
    same(got, [".", ".."] + names)
    got, r = ls(server, "ls f1*")
    same(got, [n for n in names if n.startswith("f1")])


# ---- impacket ----

def connect(d, dialect=None):
    c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=d.smb_port,
                      preferredDialect=dialect, timeout=30)
    c.login(USER, PASSWORD)
    return c


def test_impacket_list_path_with_patterns(server):
    populate(server)
    populate(server, names=["deep.txt"], dirs=[], where="sub")
    c = connect(server)
    try:
        def names(path):
            return [f.get_longname() for f in c.listPath("data", path)]
        same(names("*"), [".", ".."] + NAMES + DIRS)
        same(names("*.txt"), ["a.txt", "b.TXT", "x.y.txt", "caf\u00e9.txt",
                              "two words.txt"])
        same(names("A?C*"), ["aXc", "abc.log"])
        same(names("sub\\*"), [".", "..", "deep.txt"])
        same(names("x.y.txt"), ["x.y.txt"])
        with pytest.raises(SessionError) as e:
            names("nothing-like-this*")
        assert e.value.getErrorCode() == STATUS_NO_SUCH_FILE
    finally:
        c.close()


def test_impacket_lists_3000_files_each_once(server):
    names = ["g%04d%s" % (i, "y" * (i % 61)) for i in range(3000)]
    populate(server, names=names, dirs=[])
    c = connect(server)
    try:
        same([f.get_longname() for f in c.listPath("data", "*")],
             [".", ".."] + names)
    finally:
        c.close()


class Dir:
    """A directory open on one impacket connection, queried by hand."""

    def __init__(self, d, path="", dialect=None, access=None,
                 options=s3.FILE_DIRECTORY_FILE):
        self.c = connect(d, dialect)
        self.s = self.c.getSMBServer()
        self.tid = self.c.connectTree("data")
        if access is None:
            access = s3.FILE_READ_DATA | s3.FILE_READ_ATTRIBUTES
        self.fid = self.s.create(
            self.tid, path, access, s3.FILE_SHARE_READ |
            s3.FILE_SHARE_WRITE | s3.FILE_SHARE_DELETE, options,
            s3.FILE_OPEN, 0)

    def query(self, pattern="*", cls=ID_BOTH, flags=0, outlen=65536,
              charge=None):
        """(status, data) of one QUERY_DIRECTORY."""
        p = self.s.SMB_PACKET()
        p["Command"] = s3.SMB2_QUERY_DIRECTORY
        p["TreeID"] = self.tid
        q = s3.SMB2QueryDirectory()
        q["FileInformationClass"] = cls
        q["Flags"] = flags
        q["FileID"] = self.fid
        q["OutputBufferLength"] = outlen
        q["Buffer"] = pattern.encode("utf-16le")
        q["FileNameLength"] = len(q["Buffer"])
        p["Data"] = q
        if charge is not None:
            p["CreditCharge"] = charge
        elif self.s._Connection["SupportsMultiCredit"]:
            p["CreditCharge"] = 1 + (outlen - 1) // 65536
        ans = self.s.recvSMB(self.s.sendSMB(p))
        if ans["Status"] != STATUS_SUCCESS:
            return ans["Status"], b""
        rsp = s3.SMB2QueryDirectory_Response(ans["Data"])
        assert rsp["StructureSize"] == 9
        assert rsp["OutputBufferOffset"] == 72
        assert 0 < len(rsp["Buffer"]) <= outlen
        return STATUS_SUCCESS, rsp["Buffer"]

    def entries(self, **kw):
        st, data = self.query(**kw)
        assert st == STATUS_SUCCESS, "status 0x%08x" % st
        return parse(data, kw.get("cls", ID_BOTH))

    def all(self, **kw):
        """Every entry until STATUS_NO_MORE_FILES."""
        out = []
        while True:
            st, data = self.query(**kw)
            if st == STATUS_NO_MORE_FILES:
                return out
            assert st == STATUS_SUCCESS, "status 0x%08x" % st
            out += parse(data, kw.get("cls", ID_BOTH))
            kw["flags"] = kw.get("flags", 0) & ~(RESTART | REOPEN)

    def close(self):
        self.c.close()


def parse(buf, cls):
    """MS-FSCC 2.4 entries, checking the layout rules on the way."""
    out, off, base = [], 0, BASE[cls]
    while True:
        nxt, index = struct.unpack_from("<II", buf, off)
        e = {"index": index}
        if cls == NAMES_INFO:
            (nlen,) = struct.unpack_from("<I", buf, off + 8)
        else:
            (e["ctime"], e["atime"], e["mtime"], e["chtime"], e["eof"],
             e["alloc"], e["attrs"], nlen) = struct.unpack_from(
                "<QQQQQQII", buf, off + 8)
        if cls in (FULL, BOTH, ID_BOTH, ID_FULL):
            (e["ea"],) = struct.unpack_from("<I", buf, off + 64)
        if cls in (BOTH, ID_BOTH):
            e["short"] = buf[off + 68:off + 94]	# length, reserved, name
        if cls == ID_BOTH:
            e["reserved"], e["fileid"] = struct.unpack_from("<HQ", buf,
                                                            off + 94)
        if cls == ID_FULL:
            e["reserved"], e["fileid"] = struct.unpack_from("<IQ", buf,
                                                            off + 68)
        e["name"] = buf[off + base:off + base + nlen].decode("utf-16le")
        out.append(e)
        if nxt == 0:
            # No padding after the last entry.
            assert off + base + nlen == len(buf)
            return out
        # 8-aligned, and no more padding than that needs.
        assert nxt % 8 == 0 and base + nlen <= nxt < base + nlen + 8
        off += nxt


@pytest.mark.parametrize("cls", [DIRECTORY, FULL, BOTH, NAMES_INFO, ID_BOTH,
                                 ID_FULL])
def test_every_class_field_by_field(server, cls):
    populate(server)
    when = 1600000000 * 10**9 + 500 * 10**6
    for n in NAMES:
        os.utime(os.path.join(server.data, n), ns=(when, when))
    filetime = when // 100 + 116444736000000000
    h = Dir(server)
    try:
        got = h.all(cls=cls)
    finally:
        h.close()
    same([e["name"] for e in got], [".", ".."] + NAMES + DIRS)
    for e in got:
        assert e["index"] == 0
        if cls == NAMES_INFO:
            continue
        path = os.path.join(server.data, e["name"])
        st = os.stat(path)
        is_dir = e["name"] in DIRS + [".", ".."]
        assert bool(e["attrs"] & 0x10) == is_dir
        if e["name"] in NAMES:
            assert e["eof"] == st.st_size
            assert e["mtime"] == filetime
            assert e["atime"] == filetime
        if cls != DIRECTORY:
            assert e["ea"] == 0
        if cls in (BOTH, ID_BOTH):
            assert e["short"] == b"\0" * 26
        if cls in (ID_BOTH, ID_FULL):
            assert e["reserved"] == 0
            if e["name"] not in (".", ".."):
                assert e["fileid"] == st.st_ino


def test_empty_pattern_is_star(server):
    populate(server)
    h = Dir(server)
    try:
        same([e["name"] for e in h.all(pattern="")],
             [".", ".."] + NAMES + DIRS)
    finally:
        h.close()


def test_statuses_at_the_end(server):
    populate(server)
    h = Dir(server)
    try:
        # First query that matches nothing, then continuations.
        assert h.query(pattern="zz*")[0] == STATUS_NO_SUCH_FILE
        assert h.query(pattern="zz*")[0] == STATUS_NO_MORE_FILES
        assert h.query(pattern="")[0] == STATUS_NO_MORE_FILES
        # REOPEN makes it a first query again.
        assert h.query(pattern="zz*", flags=REOPEN)[0] == \
            STATUS_NO_SUCH_FILE
    finally:
        h.close()
    h = Dir(server)
    try:
        assert len(h.all()) == len(NAMES + DIRS) + 2
        assert h.query()[0] == STATUS_NO_MORE_FILES
    finally:
        h.close()


def test_small_buffers_never_lose_an_entry(server):
    long_name = "L" * 60 + ".txt"	# 104 + 128 bytes as FileIdBoth
    names = NAMES + [long_name]
    populate(server, names=names)
    h = Dir(server)
    try:
        # Below the fixed part of the class: refused before anything.
        assert h.query(outlen=103)[0] == STATUS_INFO_LENGTH_MISMATCH
        got, seen_mismatch = [], False
        while True:
            # 200 bytes hold one short entry, never two, never the long.
            st, data = h.query(outlen=200)
            if st == STATUS_NO_MORE_FILES:
                break
            if st == STATUS_INFO_LENGTH_MISMATCH:
                # The entry that did not fit is still next.
                seen_mismatch = True
                e = h.entries(outlen=4096, flags=SINGLE)
                assert [x["name"] for x in e] == [long_name]
                got += e
                continue
            assert st == STATUS_SUCCESS
            e = parse(data, ID_BOTH)
            assert len(e) == 1
            got += e
        assert seen_mismatch
        same([e["name"] for e in got], [".", ".."] + names + DIRS)
    finally:
        h.close()


def test_buffer_that_ends_inside_padding(server):
    # Two 5-character names: 104 + 10 = 114 bytes, 120 with padding.
    populate(server, names=["aaaaa", "bbbbb"], dirs=[])
    h = Dir(server)
    try:
        # "?????" leaves out "." and "..".  The second entry would start
        # at 120 and end at 234 bytes.
        for outlen, count in ((233, 1), (234, 2)):
            e = h.entries(pattern="?????", flags=RESTART, outlen=outlen)
            assert len(e) == count
    finally:
        h.close()


def test_single_entry_restart_and_reopen(server):
    populate(server)
    h = Dir(server)
    try:
        one = []
        while True:
            st, data = h.query(flags=SINGLE)
            if st == STATUS_NO_MORE_FILES:
                break
            e = parse(data, ID_BOTH)
            assert len(e) == 1
            one += e
        same([e["name"] for e in one], [".", ".."] + NAMES + DIRS)
        # RESTART_SCANS starts over, and takes a new pattern.
        same([e["name"] for e in h.all(flags=RESTART)],
             [".", ".."] + NAMES + DIRS)
        same([e["name"] for e in h.all(pattern="*.log", flags=RESTART)],
             ["abc.log"])
        # RESTART_SCANS without a pattern keeps the last one.
        same([e["name"] for e in h.all(pattern="", flags=RESTART)],
             ["abc.log"])
        # REOPEN too; files made since show up.
        populate(server, names=["new.log"], dirs=[])
        same([e["name"] for e in h.all(pattern="*.log", flags=REOPEN)],
             ["abc.log", "new.log"])
        # INDEX_SPECIFIED is ignored: the enumeration just goes on.
        e = h.entries(pattern="*", flags=RESTART | SINGLE)
        rest = h.all(pattern="*", flags=INDEX)
        same([x["name"] for x in e + rest],
             [".", ".."] + NAMES + DIRS + ["new.log"])
    finally:
        h.close()


def test_new_pattern_on_continuation_starts_over(server):
    populate(server)
    h = Dir(server)
    try:
        e = h.entries(pattern="*", flags=SINGLE)
        assert len(e) == 1
        same([x["name"] for x in h.all(pattern="*.txt")],
             ["a.txt", "b.TXT", "x.y.txt", "caf\u00e9.txt",
              "two words.txt"])
    finally:
        h.close()


def test_dos_wildcards(server):
    populate(server, names=["a.b.txt", "Makefile", "ab.c", "abcd.c"],
             dirs=[])
    h = Dir(server)
    try:
        def names(p):
            return [e["name"] for e in h.all(pattern=p, flags=RESTART)]
        same(names("<.txt"), ["a.b.txt"])
        same(names("<"), ["Makefile"])		# Win32 "*."
        same(names(">>.c"), ["ab.c"])		# Win32 "??.c"
        same(names("ab\"*"), ["ab.c"])		# Win32 "ab.*"
    finally:
        h.close()


def test_request_checks(server):
    populate(server)
    h = Dir(server)
    try:
        assert h.query(cls=4)[0] == STATUS_INVALID_INFO_CLASS
        assert h.query(cls=0x3c)[0] == STATUS_INVALID_INFO_CLASS
        assert h.query(pattern="sub\\*")[0] == STATUS_OBJECT_NAME_INVALID
        assert h.query(pattern="a/b")[0] == STATUS_OBJECT_NAME_INVALID
        assert h.query(pattern="x" * 600)[0] == STATUS_OBJECT_NAME_INVALID
        # 3.3.5.2.5: 128 KiB back needs a CreditCharge of 2.
        assert h.query(outlen=131072, charge=1)[0] == \
            STATUS_INVALID_PARAMETER
        assert h.query(outlen=131072, charge=2)[0] == STATUS_SUCCESS
    finally:
        h.close()
    # A file is not a directory.
    f = Dir(server, "a.txt", options=s3.FILE_NON_DIRECTORY_FILE)
    try:
        assert f.query()[0] == STATUS_INVALID_PARAMETER
    finally:
        f.close()
    # Listing needs FILE_LIST_DIRECTORY.
    h = Dir(server, "sub", access=s3.FILE_READ_ATTRIBUTES)
    try:
        assert h.query()[0] == STATUS_ACCESS_DENIED
    finally:
        h.close()


def test_output_beyond_max_transact(server):
    # 2.0.2 has no multi-credit, so MaxTransactSize is 64 KiB there.
    h = Dir(server, dialect=s3.SMB2_DIALECT_002)
    try:
        assert h.query(outlen=65536 + 1)[0] == STATUS_INVALID_PARAMETER
        assert h.query(outlen=65536)[0] == STATUS_SUCCESS
    finally:
        h.close()
