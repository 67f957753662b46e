"""Minimal SMB2 wire helpers for transport-level tests (MS-SMB2 2.1, 2.2)."""
import socket
import struct
import time
import uuid

SMB2_MAGIC = b"\xfeSMB"
NEGOTIATE = 0


def header(command, mid, credits=1, flags=0, session_id=0, tree_id=0):
    return struct.pack("<4sHHIHHIIQIIQ16s", SMB2_MAGIC, 64, 0, 0, command,
                       credits, flags, 0, mid, 0, tree_id, session_id,
                       b"\0" * 16)


def negotiate(mid=0, dialects=(0x0202, 0x0210)):
    body = struct.pack("<HHHHI16sQ", 36, len(dialects), 1, 0, 0,
                       uuid.uuid4().bytes, 0)
    body += b"".join(struct.pack("<H", d) for d in dialects)
    return header(NEGOTIATE, mid) + body


def frame(msg):
    return struct.pack(">I", len(msg)) + msg


def recv_exact(sock, n, timeout=5.0):
    sock.settimeout(timeout)
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed after %d of %d bytes" %
                                  (len(buf), n))
        buf += chunk
    return buf


def recv_msg(sock, timeout=5.0):
    hdr = recv_exact(sock, 4, timeout)
    assert hdr[0] == 0, "bad frame header from server"
    return recv_exact(sock, struct.unpack(">I", hdr)[0], timeout)


def parse_header(msg):
    (magic, size, charge, status, cmd, credits, flags, nxt, mid
     ) = struct.unpack_from("<4sHHIHHIIQ", msg)
    return {"magic": magic, "size": size, "status": status,
            "command": cmd, "credits": credits, "flags": flags,
            "next": nxt, "mid": mid}


def closed_by_peer(sock, timeout=5.0):
    """True if the server closes the connection within timeout."""
    sock.settimeout(0.2)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if sock.recv(65536) == b"":
                return True
        except socket.timeout:
            continue
        except ConnectionResetError:
            return True
    return False
