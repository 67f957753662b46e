"""MS-SRVS over the srvsvc named pipe, against real clients.

smbclient -L (user, guest and anonymous, every dialect), rpcclient,
impacket's srvs and wkst modules, smbtorture's rpc.srvsvc and, where the
test may bind port 445 on a loopback address, net rpc.  What they print
is compared with what the REST API reports at the same moment; the
actions (NetrFileClose, NetrSessionDel) are seen through the REST API and
by the affected client.  The pipe itself: names, FSCTL_PIPE_TRANSCEIVE
with a short output buffer, QUERY_INFO, malformed PDUs, the switch.
"""
import os
import re
import socket
import struct
import subprocess

import pytest
from impacket import smb3structs
from impacket.dcerpc.v5 import srvs, transport, wkst
from impacket.dcerpc.v5.dtypes import NULL
from impacket.dcerpc.v5.rpcrt import DCERPCException
from impacket.nt_errors import STATUS_ACCESS_DENIED, \
    STATUS_BUFFER_OVERFLOW, STATUS_FILE_CLOSED, \
    STATUS_OBJECT_NAME_NOT_FOUND, STATUS_SUCCESS, \
    STATUS_USER_SESSION_DELETED
from impacket.smbconnection import SMBConnection, SessionError

from smbclients import DIALECTS, PASSWORD, USER, smbclient
from test_api_admin import get, items

OTHER, OTHER_PW = "carol", "carol-pass-1"
ERROR_ACCESS_DENIED = 5
ERROR_INVALID_LEVEL = 0x7c
NERR_FileIdNotFound = 0x90a
FSCTL_PIPE_TRANSCEIVE = 0x0011C017
SRVSVC_UUID = bytes.fromhex("c84f324b7016d30112785a47bf6ee188")
NDR20 = bytes.fromhex("045d888aeb1cc9119fe808002b104860")


@pytest.fixture
def server(daemon_factory):
    d = daemon_factory(users={USER: PASSWORD, OTHER: OTHER_PW},
                       extra_global="admin users = %s\n"
                       "map to guest = bad user" % USER)
    d.shares = {
        "data": {"path": d.state_dir + "/data", "read only": "no",
                 "comment": "the data share"},
        "public": {"path": d.state_dir + "/public", "guest ok": "yes",
                   "max uses": "7"},
    }
    d.start()
    return d


def login(d, user=USER, password=PASSWORD,
          dialect=smb3structs.SMB2_DIALECT_30):
    c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=d.smb_port,
                      preferredDialect=dialect, timeout=10)
    c.login(user, password)
    return c


def rpc(d, pipe="srvsvc", user=USER, password=PASSWORD):
    t = transport.SMBTransport("127.0.0.1", d.smb_port, "\\" + pipe,
                               username=user, password=password)
    dce = t.get_dce_rpc()
    dce.connect()
    dce.bind(srvs.MSRPC_UUID_SRVS if pipe == "srvsvc" else
             wkst.MSRPC_UUID_WKST)
    return dce


def rpc_error(fn, *args):
    with pytest.raises(DCERPCException) as e:
        fn(*args)
    return e.value.get_error_code()


def rpcclient(d, cmd, user=USER, password=PASSWORD):
    r = subprocess.run(["rpcclient", "-U", "%s%%%s" % (user, password),
                        "-p", str(d.smb_port), "127.0.0.1", "-c", cmd],
                       capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    return r


def s(v):
    """impacket's wide strings carry their NUL."""
    return v[:-1] if v.endswith("\0") else v


def api_shares(d):
    return {x["name"]: x for x in items(d, "/api/v1/shares")}


def drive_path(p):
    return "" if not p else "C:" + p.replace("/", "\\")


# --- smbclient -L -------------------------------------------------------------

@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("who", ["user", "guest", "anonymous"])
def test_smbclient_lists_the_shares(server, dialect, who):
    creds = {"user": (USER, PASSWORD), "guest": ("nobody", "x"),
             "anonymous": (None, None)}[who]
    args = ["smbclient", "-L", "//127.0.0.1", "-p", str(server.smb_port),
            "--option=client min protocol=%s" % dialect,
            "--option=client max protocol=%s" % dialect]
    args += ["-N"] if creds[0] is None else ["-U", "%s%%%s" % creds]
    r = subprocess.run(args, capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    listed = dict(re.findall(r"^\t(\S+)\s+(Disk|IPC)\s", r.stdout, re.M))
    shares = api_shares(server)
    assert listed == {n: "IPC" if n == "IPC$" else "Disk" for n in shares}, \
        r.stdout + r.stderr
    assert re.search(r"^\tdata\s+Disk\s+the data share$", r.stdout, re.M)


def test_srvsvc_pipe_can_be_switched_off(daemon_factory):
    d = daemon_factory(users={USER: PASSWORD},
                       extra_global="srvsvc pipe = no")
    d.start()
    r = subprocess.run(["smbclient", "-L", "//127.0.0.1", "-p",
                        str(d.smb_port), "-U", "%s%%%s" % (USER, PASSWORD)],
                       capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    # smbclient finds no pipe and lists nothing.
    assert not re.findall(r"^\t(\S+)\s+(Disk|IPC)\s", r.stdout, re.M), \
        r.stdout
    c = login(d)
    tid = c.connectTree("IPC$")
    with pytest.raises(SessionError) as e:
        c.openFile(tid, "srvsvc")
    assert e.value.getErrorCode() == STATUS_OBJECT_NAME_NOT_FOUND
    c.closeFile(tid, c.openFile(tid, "wkssvc"))
    c.close()


# --- the pipe -----------------------------------------------------------------

def test_pipe_names_and_the_open_registration(server):
    c = login(server)
    tid = c.connectTree("IPC$")
    before = get(server, "/api/v1/statistics")
    fids = [c.openFile(tid, n) for n in ("srvsvc", "SRVSVC", "PIPE\\srvsvc",
                                          "WksSvc")]
    for name in ("nosuch", "lsarpc", "srvsvc2", "PIPE\\"):
        with pytest.raises(SessionError) as e:
            c.openFile(tid, name)
        assert e.value.getErrorCode() == STATUS_OBJECT_NAME_NOT_FOUND
    after = get(server, "/api/v1/statistics")
    # MS-SRVS 2.2.4.39: named-pipe opens count in sts0_fopens, never in
    # sts0_devopens.
    assert after["sts0_fopens"] == before["sts0_fopens"] + 4
    assert after["sts0_devopens"] == 0
    opens = [o for o in items(server, "/api/v1/opens")
             if o["share"] == "IPC$"]
    assert sorted(o["path"] for o in opens) == \
        ["srvsvc", "srvsvc", "srvsvc", "wkssvc"]
    # FileStandardInformation as Windows gives it for a pipe.
    info = c._SMBConnection.queryInfo(tid, fids[0], fileInfoClass=5)
    alloc, eof, links, pending, isdir = struct.unpack("<QQIBB", info[:22])
    assert (alloc, eof, links, pending, isdir) == (4096, 0, 1, 1, 0)
    for f in fids:
        c.closeFile(tid, f)
    assert not [o for o in items(server, "/api/v1/opens")
                if o["share"] == "IPC$"]
    # FSCTL_PIPE_WAIT: a pipe we serve is there at once.
    for name, want in (("srvsvc", STATUS_SUCCESS),
                       ("nosuch", STATUS_OBJECT_NAME_NOT_FOUND)):
        u16 = name.encode("utf-16le")
        blob = struct.pack("<QIBB", 0, len(u16), 0, 0) + u16
        smb = c._SMBConnection
        p = smb.SMB_PACKET()
        p["Command"] = smb3structs.SMB2_IOCTL
        p["TreeID"] = tid
        io = smb3structs.SMB2Ioctl()
        io["FileID"] = b"\xff" * 16
        io["CtlCode"] = 0x00110018
        io["MaxInputResponse"] = 0
        io["MaxOutputResponse"] = 0
        io["InputCount"] = len(blob)
        io["Buffer"] = blob
        io["OutputOffset"] = 0
        io["Flags"] = smb3structs.SMB2_0_IOCTL_IS_FSCTL
        p["Data"] = io
        assert smb.recvSMB(smb.sendSMB(p))["Status"] == want, name
    c.close()


def test_pipe_io_needs_the_access_asked_for(server):
    c = login(server)
    tid = c.connectTree("IPC$")
    fid = c.openFile(tid, "srvsvc", desiredAccess=0x80)  # READ_ATTRIBUTES
    for fn, args in ((c.writeFile, (tid, fid, bind_pdu())),
                     (c.readFile, (tid, fid, 0, 100))):
        with pytest.raises(SessionError) as e:
            fn(*args)
        assert e.value.getErrorCode() == STATUS_ACCESS_DENIED
    st, _ = transceive(c, tid, fid, bind_pdu(), 4280)
    assert st == STATUS_ACCESS_DENIED
    c.closeFile(tid, fid)
    c.close()


def bind_pdu(max_frag=4280):
    body = struct.pack("<HHIB3x", max_frag, max_frag, 0, 1)
    body += struct.pack("<HBB", 0, 1, 0) + SRVSVC_UUID + \
        struct.pack("<I", 3) + NDR20 + struct.pack("<I", 2)
    return struct.pack("<BBBB4sHHI", 5, 0, 11, 3, b"\x10\0\0\0",
                       16 + len(body), 0, 1) + body


def request_pdu(opnum, stub, call_id=2):
    body = struct.pack("<IHH", len(stub), 0, opnum) + stub
    return struct.pack("<BBBB4sHHI", 5, 0, 0, 3, b"\x10\0\0\0",
                       16 + len(body), 0, call_id) + body


def transceive(c, tid, fid, data, max_out):
    """FSCTL_PIPE_TRANSCEIVE; (status, output) without raising."""
    smb = c._SMBConnection
    p = smb.SMB_PACKET()
    p["Command"] = smb3structs.SMB2_IOCTL
    p["TreeID"] = tid
    io = smb3structs.SMB2Ioctl()
    io["FileID"] = fid
    io["CtlCode"] = FSCTL_PIPE_TRANSCEIVE
    io["MaxInputResponse"] = 0
    io["MaxOutputResponse"] = max_out
    io["InputCount"] = len(data)
    io["Buffer"] = data
    io["OutputOffset"] = 0
    io["Flags"] = smb3structs.SMB2_0_IOCTL_IS_FSCTL
    p["Data"] = io
    ans = smb.recvSMB(smb.sendSMB(p))
    if ans["Status"] not in (STATUS_SUCCESS, STATUS_BUFFER_OVERFLOW):
        return ans["Status"], b""
    return ans["Status"], smb3structs.SMB2Ioctl_Response(ans["Data"])[
        "Buffer"]


def test_transceive_with_a_short_buffer_leaves_the_rest_to_read(server):
    c = login(server)
    tid = c.connectTree("IPC$")
    fid = c.openFile(tid, "srvsvc")
    st, ack = transceive(c, tid, fid, bind_pdu(), 4280)
    assert st == STATUS_SUCCESS and ack[2] == 12       # BIND_ACK
    # NetrRemoteTOD (opnum 28) with a NULL ServerName; 24 bytes only.
    st, part = transceive(c, tid, fid, request_pdu(28, b"\0" * 4), 24)
    assert st == STATUS_BUFFER_OVERFLOW and len(part) == 24
    frag_len = struct.unpack("<H", part[8:10])[0]
    rest = c.readFile(tid, fid, 0, 4280)
    assert len(part) + len(rest) == frag_len
    pdu = part + rest
    assert pdu[2] == 2                                  # RESPONSE
    stub = pdu[24:]
    year = struct.unpack("<I", stub[4 + 4 * 10:4 + 4 * 11])[0]
    assert year >= 2024 and struct.unpack("<I", stub[-4:])[0] == 0
    c.closeFile(tid, fid)
    c.close()


@pytest.mark.parametrize("garbage", [
    b"\0" * 16,                                         # version 0
    struct.pack("<BBBB4sHHI", 5, 0, 0, 3, b"\x10\0\0\0", 8, 0, 1),
    struct.pack("<BBBB4sHHI", 5, 0, 11, 3, b"\x10\0\0\0", 4000, 0, 1),
    struct.pack("<BBBB4sHHI", 5, 0, 11, 3, b"\x10\0\0\0", 40, 500, 1) +
    b"\0" * 24,
    request_pdu(15, b"\xff" * 64),                      # before a BIND
])
def test_malformed_pdus_end_the_association_not_the_server(server, garbage):
    c = login(server)
    tid = c.connectTree("IPC$")
    fid = c.openFile(tid, "srvsvc")
    c.writeFile(tid, fid, garbage)
    with pytest.raises(SessionError):
        c.readFile(tid, fid, 0, 4280)
    c.closeFile(tid, fid)
    # The server goes on.
    dce = rpc(server)
    assert srvs.hNetrShareEnum(dce, 1)["InfoStruct"]["ShareInfo"][
        "Level1"]["EntriesRead"] == len(api_shares(server))
    dce.disconnect()
    c.close()


def test_bad_stubs_and_unknown_opnums_fault(server):
    c = login(server)
    tid = c.connectTree("IPC$")
    fid = c.openFile(tid, "srvsvc")
    transceive(c, tid, fid, bind_pdu(), 4280)
    for opnum, stub, fault in [(99, b"", 0x1c010002),
                               (15, b"\0\0\0\0\1\0\0\0", 0x6f7),
                               (16, b"\0" * 4 + b"\xff" * 12, 0x6f7)]:
        st, pdu = transceive(c, tid, fid, request_pdu(opnum, stub), 4280)
        assert st == STATUS_SUCCESS and pdu[2] == 3    # FAULT
        assert struct.unpack("<I", pdu[24:28])[0] == fault
    c.closeFile(tid, fid)
    c.close()


# --- rpcclient against the REST API ---------------------------------------------

def test_rpcclient_server_and_shares(server):
    r = rpcclient(server, "srvinfo")
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"platform_id\s*:\s*500", r.stdout)
    assert re.search(r"server type\s*:\s*0x9003", r.stdout)
    host = get(server, "/api/v1/server")
    assert host["version"] in r.stdout

    holder = login(server)
    holder.connectTree("public")
    shares = api_shares(server)
    r = rpcclient(server, "netshareenumall")
    assert r.returncode == 0, r.stdout + r.stderr
    got = re.findall(r"netname: (\S+)\n\tremark:\t(.*)\n\tpath:\t(.*)\n",
                     r.stdout)
    assert {n: (rem, p) for n, rem, p in got} == \
        {n: (x["comment"], drive_path(x["path"])) for n, x in shares.items()}

    r = rpcclient(server, "netsharegetinfo public")
    assert r.returncode == 0, r.stdout + r.stderr
    uses = int(re.search(r"num_uses:\s*(-?\d+)", r.stdout).group(1))
    maxu = int(re.search(r"max_uses:\s*(-?\d+)", r.stdout).group(1))
    shares = api_shares(server)
    assert uses == shares["public"]["current_uses"] == 1
    assert maxu == shares["public"]["max_uses"] == 7
    r = rpcclient(server, "netsharegetinfo nosuch")
    assert "WERR_NERR_NETNAMENOTFOUND" in r.stdout + r.stderr
    r = rpcclient(server, "netremotetod")
    assert r.returncode == 0 and "result was" not in r.stdout, r.stdout
    holder.close()


def test_rpcclient_sessions_connections_files(server):
    a = login(server, dialect=smb3structs.SMB2_DIALECT_21)
    ta = a.connectTree("data")
    fa = a.createFile(ta, "held.txt")
    before = items(server, "/api/v1/sessions")
    r = rpcclient(server, "netsessenum")
    assert r.returncode == 0, r.stdout + r.stderr
    # Its own session joins those the API listed.
    assert "Received %d entries" % (len(before) + 1) in r.stdout
    r = rpcclient(server, "netfileenum 3")
    assert r.returncode == 0, r.stdout + r.stderr
    paths = set(l.strip() for l in r.stdout.splitlines() if l.strip())
    opens = items(server, "/api/v1/opens")
    assert {o["local_path"] for o in opens if o["share"] == "data"} <= paths
    assert os.path.join(server.state_dir, "data", "held.txt") in paths
    assert "\\PIPE\\srvsvc" in paths
    r = rpcclient(server, "netconnenum data 1")
    assert r.returncode == 0 and "result was" not in r.stdout, r.stdout
    a.closeFile(ta, fa)
    a.close()


# --- impacket -------------------------------------------------------------------

def test_impacket_enumerations_match_the_api(server):
    a = login(server, dialect=smb3structs.SMB2_DIALECT_21)
    ta = a.connectTree("data")
    fa = a.createFile(ta, "a.txt")
    dce = rpc(server)
    shares = api_shares(server)
    for level in (0, 1, 2, 501, 502):
        r = srvs.hNetrShareEnum(dce, level)["InfoStruct"]["ShareInfo"][
            "Level%d" % level]
        names = [s(e["shi%d_netname" % level]) for e in r["Buffer"]]
        assert sorted(names) == sorted(shares), level
    r = srvs.hNetrShareGetInfo(dce, "data\0", 2)["InfoStruct"][
        "ShareInfo2"]
    assert s(r["shi2_remark"]) == "the data share"
    assert s(r["shi2_path"]) == drive_path(shares["data"]["path"])
    assert r["shi2_current_uses"] == shares["data"]["current_uses"] == 1

    info = srvs.hNetrServerGetInfo(dce, 102)["InfoStruct"]["ServerInfo102"]
    assert info["sv102_platform_id"] == 500
    assert s(info["sv102_name"]) == get(server, "/api/v1/server")["name"]

    api_sess = {x["id"]: x for x in items(server, "/api/v1/sessions")}
    r = srvs.hNetrSessionEnum(dce, NULL, NULL, 502)["InfoStruct"][
        "SessionInfo"]["Level502"]
    assert r["EntriesRead"] == len(api_sess)
    by_user = {}
    for e in r["Buffer"]:
        by_user.setdefault(s(e["sesi502_username"]), []).append(e)
    assert sorted(by_user) == sorted({x["user"] for x in api_sess.values()})
    assert sum(e["sesi502_num_opens"] for e in r["Buffer"]) == \
        sum(x["opens"] for x in api_sess.values())
    assert all(s(e["sesi502_cname"]) == "127.0.0.1" for e in r["Buffer"])

    r = srvs.hNetrConnectionEnum(dce, "data\0", 1)["InfoStruct"][
        "ConnectInfo"]["Level1"]
    trees = [t for t in items(server, "/api/v1/trees")
             if t["share"] == "data"]
    assert sorted(e["coni1_id"] for e in r["Buffer"]) == \
        sorted(int(t["id"]) for t in trees)
    assert [s(e["coni1_username"]) for e in r["Buffer"]] == [USER]

    opens = {int(o["id"]): o for o in items(server, "/api/v1/opens")}
    r = srvs.hNetrFileEnum(dce, NULL, NULL, 3)["InfoStruct"]["FileInfo"][
        "Level3"]
    assert {e["fi3_id"] for e in r["Buffer"]} == set(opens)
    mine = [o for o in opens.values() if o["path"] == "a.txt"][0]
    g = srvs.hNetrFileGetInfo(dce, int(mine["id"]), 3)["InfoStruct"][
        "FileInfo3"]
    assert s(g["fi3_path_name"]) == mine["local_path"]
    assert s(g["fi3_username"]) == USER

    st = srvs.hNetrServerStatisticsGet(dce, NULL, 0, 0)["InfoStruct"]
    api = get(server, "/api/v1/statistics")
    for k in ("sopens", "fopens", "pwerrors", "permerrors", "stimedout"):
        assert st["sts0_" + k] == api["sts0_" + k], k
    assert st["sts0_devopens"] == 0
    dce.disconnect()

    w = rpc(server, "wkssvc")
    r = wkst.hNetrWkstaGetInfo(w, 100)["WkstaInfo"]["WkstaInfo100"]
    assert r["wki100_platform_id"] == 500
    assert s(r["wki100_computername"]) == \
        get(server, "/api/v1/server")["name"]
    w.disconnect()
    a.closeFile(ta, fa)
    a.close()


def test_many_shares_fragment_and_page(daemon_factory):
    """60 shares: the level 2 answer spans several fragments; a small
    PreferedMaximumLength pages through them with the resume handle."""
    d = daemon_factory(users={USER: PASSWORD},
                       extra_global="admin users = %s" % USER)
    d.shares = {"share%02d" % i: {"path": d.state_dir + "/s%02d" % i,
                                  "comment": "comment of share %d " % i * 3}
                for i in range(60)}
    d.start()
    want = sorted(api_shares(d))
    assert len(want) == 61
    r = rpcclient(d, "netshareenumall")
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(re.findall(r"^netname: (\S+)$", r.stdout, re.M)) == want

    dce = rpc(d)
    r = srvs.hNetrShareEnum(dce, 2)["InfoStruct"]["ShareInfo"]["Level2"]
    assert sorted(s(e["shi2_netname"]) for e in r["Buffer"]) == want
    got, resume, rounds = [], 0, 0
    while True:
        rounds += 1
        try:
            ans = srvs.hNetrShareEnum(dce, 1, resume, 1000)
            more = False
        except DCERPCException as e:
            assert e.get_error_code() == 0xea       # ERROR_MORE_DATA
            ans = e.get_packet()
            more = True
        page = ans["InfoStruct"]["ShareInfo"]["Level1"]
        assert 0 < page["EntriesRead"] < 61 or not more
        got += [s(x["shi1_netname"]) for x in page["Buffer"]]
        resume = ans["ResumeHandle"]
        if not more:
            break
        assert resume == len(got)
    assert rounds > 1 and sorted(got) == want
    dce.disconnect()


def test_file_close_and_session_del_act_like_the_api(server):
    a = login(server, OTHER, OTHER_PW, smb3structs.SMB2_DIALECT_21)
    ta = a.connectTree("data")
    fa = a.createFile(ta, "victim.txt")
    dce = rpc(server)
    victim = [o for o in items(server, "/api/v1/opens")
              if o["path"] == "victim.txt"][0]
    srvs.hNetrFileClose(dce, int(victim["id"]))
    assert not [o for o in items(server, "/api/v1/opens")
                if o["id"] == victim["id"]]
    with pytest.raises(SessionError) as e:
        a.readFile(ta, fa, 0, 1)
    assert e.value.getErrorCode() == STATUS_FILE_CLOSED
    assert rpc_error(srvs.hNetrFileClose, dce, int(victim["id"])) == \
        NERR_FileIdNotFound

    srvs.hNetrSessionDel(dce, NULL, OTHER + "\0")
    assert OTHER not in {x["user"] for x in items(server,
                                                   "/api/v1/sessions")}
    with pytest.raises(SessionError) as e:
        a.connectTree("public")
    assert e.value.getErrorCode() == STATUS_USER_SESSION_DELETED
    # Logged and evented as the API's actions are, naming who asked.
    ev = get(server, "/api/v1/events?since=0&limit=1000")["items"]
    kinds = [x["type"] for x in ev]
    assert "admin.open.closed" in kinds and "admin.session.closed" in kinds
    dce.disconnect()


def test_non_administrators_are_refused(server):
    dce = rpc(server, user=OTHER, password=OTHER_PW)
    # What anyone may do.
    assert srvs.hNetrShareEnum(dce, 1)["InfoStruct"]["ShareInfo"][
        "Level1"]["EntriesRead"] == len(api_shares(server))
    srvs.hNetrServerGetInfo(dce, 101)
    srvs.hNetrShareGetInfo(dce, "data\0", 1)
    srvs.hNetrRemoteTOD(dce)
    # What is for administrators only.
    for call in (lambda: srvs.hNetrShareEnum(dce, 2),
                 lambda: srvs.hNetrShareEnum(dce, 502),
                 lambda: srvs.hNetrShareGetInfo(dce, "data\0", 502),
                 lambda: srvs.hNetrServerGetInfo(dce, 102),
                 lambda: srvs.hNetrSessionEnum(dce, NULL, NULL, 10),
                 lambda: srvs.hNetrSessionDel(dce, NULL, USER + "\0"),
                 lambda: srvs.hNetrConnectionEnum(dce, "data\0", 1),
                 lambda: srvs.hNetrFileEnum(dce, NULL, NULL, 3),
                 lambda: srvs.hNetrFileGetInfo(dce, 1, 3),
                 lambda: srvs.hNetrFileClose(dce, 1),
                 lambda: srvs.hNetrServerStatisticsGet(dce, NULL, 0, 0)):
        with pytest.raises(DCERPCException) as e:
            call()
        assert e.value.get_error_code() == ERROR_ACCESS_DENIED
    assert rpc_error(srvs.hNetrServerGetInfo, dce, 7) == ERROR_INVALID_LEVEL
    dce.disconnect()
    # The refused NetrSessionDel left the administrator's sessions alone.
    r = rpcclient(server, "netsessenum", user=OTHER, password=OTHER_PW)
    assert "WERR_ACCESS_DENIED" in r.stdout + r.stderr


def share_add(dce, name="newshare", path="C:\\tmp", stype=0):
    add = srvs.NetrShareAdd()
    add["ServerName"] = NULL
    add["Level"] = 2
    add["InfoStruct"]["tag"] = 2
    i2 = add["InfoStruct"]["ShareInfo2"]
    i2["shi2_netname"] = name + "\0"
    i2["shi2_type"] = stype
    i2["shi2_remark"] = "made over srvsvc\0"
    i2["shi2_permissions"] = 0
    i2["shi2_max_uses"] = 0xffffffff
    i2["shi2_current_uses"] = 0
    i2["shi2_path"] = path + "\0"
    i2["shi2_passwd"] = NULL
    add["ParmErr"] = 0
    return add


def share_set(dce, name="data", level=1004, remark="changed"):
    st = srvs.NetrShareSetInfo()
    st["ServerName"] = NULL
    st["NetName"] = name + "\0"
    st["Level"] = level
    st["ShareInfo"]["tag"] = level
    if level == 1004:
        st["ShareInfo"]["ShareInfo1004"]["shi1004_remark"] = remark + "\0"
    elif level == 0:
        st["ShareInfo"]["ShareInfo0"]["shi0_netname"] = name + "\0"
    st["ParmErr"] = 0
    return st


def share_del(dce, name="data"):
    rm = srvs.NetrShareDel()
    rm["ServerName"] = NULL
    rm["NetName"] = name + "\0"
    rm["Reserved"] = 0
    return rm


def call_error(dce, req):
    """(NET_API_STATUS, ParmErr or None) of a call that fails."""
    with pytest.raises(DCERPCException) as e:
        dce.request(req)
    pkt = e.value.get_packet()
    parm = None
    if pkt is not None and "ParmErr" in pkt.fields:
        parm = pkt["ParmErr"]
    return e.value.get_error_code(), parm


def test_share_changes_are_checked_and_made_through_the_admin_interface(
        server, tmp_path):
    ERROR_INVALID_PARAMETER = 0x57
    NERR_DuplicateShare, NERR_NetNameNotFound = 0x846, 0x906
    newdir = tmp_path / "made-over-srvsvc"
    newdir.mkdir()
    (newdir / "hello.txt").write_text("hi\n")
    dce = rpc(server)
    # NetrShareAdd (3.1.4.7): the share is live at once, and persisted.
    resp = dce.request(share_add(dce, path=drive_path(str(newdir))))
    assert resp["ErrorCode"] == 0
    shares = api_shares(server)
    assert shares["newshare"]["path"] == str(newdir)
    assert shares["newshare"]["comment"] == "made over srvsvc"
    assert "[newshare]" in open(server.conf_path).read()
    r = subprocess.run(["smbclient", "//127.0.0.1/newshare", "-p",
                        str(server.smb_port), "-U",
                        "%s%%%s" % (USER, PASSWORD), "-c", "ls"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "hello.txt" in r.stdout, r.stdout + r.stderr
    assert srvs.hNetrShareGetInfo(dce, "newshare\0", 1)["InfoStruct"][
        "ShareInfo1"]["shi1_remark"] == "made over srvsvc\0"
    # NetrShareSetInfo (3.1.4.11) level 1004: the remark.
    resp = dce.request(share_set(dce, name="newshare", remark="changed"))
    assert resp["ErrorCode"] == 0
    assert api_shares(server)["newshare"]["comment"] == "changed"
    # NetrShareDel (3.1.4.12): gone from the server and from the file.
    resp = dce.request(share_del(dce, "newshare"))
    assert resp["ErrorCode"] == 0
    assert "newshare" not in api_shares(server)
    assert "[newshare]" not in open(server.conf_path).read()
    # A path that is no directory is refused by the admin interface.
    assert call_error(dce, share_add(
        dce, path=drive_path(str(tmp_path / "nosuch"))))[0] == \
        ERROR_INVALID_PARAMETER
    # 3.1.4.7, 3.1.4.11, 3.1.4.12: the checks before the change.
    assert call_error(dce, share_add(dce, name="DATA"))[0] == \
        NERR_DuplicateShare
    assert call_error(dce, share_add(dce, name="pipe"))[0] == \
        ERROR_ACCESS_DENIED
    assert call_error(dce, share_add(dce, name="x" * 81)) == \
        (ERROR_INVALID_PARAMETER, 1)
    assert call_error(dce, share_add(dce, path="relative")) == \
        (ERROR_INVALID_PARAMETER, 8)
    assert call_error(dce, share_add(dce, stype=1))[0] == \
        ERROR_INVALID_PARAMETER
    assert call_error(dce, share_set(dce, remark="r" * 49)) == \
        (ERROR_INVALID_PARAMETER, 4)
    assert call_error(dce, share_set(dce, name="nosuch"))[0] == \
        NERR_NetNameNotFound
    assert call_error(dce, share_set(dce, level=0))[0] == \
        ERROR_INVALID_LEVEL
    assert call_error(dce, share_del(dce, "nosuch"))[0] == \
        NERR_NetNameNotFound
    dce.disconnect()
    # Non-administrators are refused before anything else.
    dce = rpc(server, user=OTHER, password=OTHER_PW)
    for req in (share_add(dce), share_set(dce), share_del(dce),
                share_del(dce, "nosuch")):
        assert call_error(dce, req)[0] == ERROR_ACCESS_DENIED
    dce.disconnect()
    shares = api_shares(server)
    assert "newshare" not in shares
    assert shares["data"]["comment"] == "the data share"


# --- smbtorture -------------------------------------------------------------------

# rpc.srvsvc subtests a standalone Samba passes (NetConnEnum, NetFileEnum,
# NetSessEnum, NetSrvGetInfo, NetDiskEnum, NetRemoteTOD, NetNameValidate)
# and those that record Windows answers smbsrvd gives too.
TORTURE_PASS = [
    "srvsvc (admin access).NetConnEnum",
    "srvsvc (admin access).NetFileEnum",
    "srvsvc (admin access).NetSessEnum",
    "srvsvc (admin access).NetShareEnumAll",
    "srvsvc (admin access).NetSrvGetInfo",
    "srvsvc (admin access).NetDiskEnum",
    "srvsvc (admin access).NetRemoteTOD",
    "srvsvc (admin access).NetShareEnum",
    "srvsvc (admin access).NetShareGetInfo",
    "srvsvc (admin access).NetNameValidate",
    "srvsvc anonymous access.NetShareEnumAll",
    "srvsvc anonymous access.NetShareEnum",
    "srvsvc anonymous access.NetShareGetInfo",
]


def test_smbtorture_rpc_srvsvc(server):
    r = subprocess.run(["smbtorture", "//127.0.0.1/IPC$", "-p",
                        str(server.smb_port), "-U",
                        "%s%%%s" % (USER, PASSWORD), "rpc.srvsvc"],
                       capture_output=True, text=True, timeout=300,
                       stdin=subprocess.DEVNULL)
    passed = set(re.findall(r"^success: (.+)$", r.stdout, re.M))
    missing = [t for t in TORTURE_PASS if t not in passed]
    assert not missing, r.stdout[-4000:]
    assert server.proc.poll() is None


# --- net rpc (needs port 445: root and a free loopback address) -------------------

def bindable_445(addr):
    try:
        with socket.socket() as so:
            so.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            so.bind((addr, 445))
        return True
    except OSError:
        return False


NET_ADDR = "127.0.0.%d" % (200 + os.getpid() % 50)


@pytest.mark.skipif(not bindable_445(NET_ADDR),
                    reason="net rpc ignores -p: it needs port 445")
def test_net_rpc_share_and_file(daemon_factory):
    d = daemon_factory(users={USER: PASSWORD},
                       extra_global="admin users = %s" % USER)
    d.shares = {"data": {"path": d.state_dir + "/data",
                         "read only": "no"}}
    d.write_config(d.config_text().replace(
        "127.0.0.1:%d" % d.smb_port, "%s:445" % NET_ADDR))
    d.smb_port = 445
    d.start(wait=False)
    from conftest import port_open, wait_for
    assert wait_for(lambda: port_open(445, NET_ADDR)), d.log()
    net = ["net", "rpc", "-S", NET_ADDR, "-U", "%s%%%s" % (USER, PASSWORD)]
    r = subprocess.run(net[:2] + ["share", "list"] + net[2:],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(r.stdout.split()) == sorted(["IPC$", "data"])

    c = SMBConnection(NET_ADDR, NET_ADDR, sess_port=445, timeout=10)
    c.login(USER, PASSWORD)
    tid = c.connectTree("data")
    fid = c.createFile(tid, "netfile.txt")
    r = subprocess.run(net[:2] + ["file"] + net[2:], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    row = [l for l in r.stdout.splitlines() if "netfile.txt" in l][0]
    fileid = row.split()[0]
    r = subprocess.run(net[:2] + ["file", "close", fileid] + net[2:],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    with pytest.raises(SessionError) as e:
        c.readFile(tid, fid, 0, 1)
    assert e.value.getErrorCode() == STATUS_FILE_CLOSED
    c.close()
