"""Direct-TCP framing against the real daemon: split messages, garbage,
oversize lengths and many connections; a bad peer never affects others."""
import socket
import struct
import time

import smb2wire as w


def connect(d):
    return socket.create_connection(("127.0.0.1", d.smb_port), timeout=5)


def assert_answers_negotiate(sock, mid=0):
    sock.sendall(w.frame(w.negotiate(mid)))
    h = w.parse_header(w.recv_msg(sock))
    assert h["magic"] == w.SMB2_MAGIC
    assert h["command"] == w.NEGOTIATE
    assert h["mid"] == mid
    assert h["flags"] & 1, "SERVER_TO_REDIR not set"


def test_negotiate_split_into_single_bytes_is_answered(smbsrvd):
    data = w.frame(w.negotiate(mid=0))
    with connect(smbsrvd) as s:
        for i in range(len(data)):
            s.sendall(data[i:i + 1])
            time.sleep(0.002)
        h = w.parse_header(w.recv_msg(s))
        assert h["mid"] == 0 and h["command"] == w.NEGOTIATE


def test_garbage_closes_only_that_connection(smbsrvd):
    good = connect(smbsrvd)  # opened before the bad peers arrive
    with connect(smbsrvd) as bad:
        bad.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert w.closed_by_peer(bad)
    with connect(smbsrvd) as bad:
        bad.sendall(w.frame(b"\x00" * 100))     # framed, but not SMB
        assert w.closed_by_peer(bad)
    assert_answers_negotiate(good)
    good.close()


def test_sixteen_mib_length_prefix_is_refused(smbsrvd):
    good = connect(smbsrvd)
    with connect(smbsrvd) as bad:
        bad.sendall(struct.pack(">I", 16 << 20))
        assert w.closed_by_peer(bad)
    with connect(smbsrvd) as bad:
        bad.sendall(struct.pack(">I", (16 << 20) - 1))
        assert w.closed_by_peer(bad)
    assert "message of 16777215 bytes refused" in smbsrvd.log()
    assert_answers_negotiate(good)
    good.close()


def test_request_before_negotiate_disconnects(smbsrvd):
    with connect(smbsrvd) as s:
        s.sendall(w.frame(w.header(3, 0) + b"\x09\x00" + b"\0" * 7))
        assert w.closed_by_peer(s)


def test_many_connections_are_all_served(smbsrvd):
    socks = [connect(smbsrvd) for _ in range(100)]
    try:
        for i, s in enumerate(socks):
            s.sendall(w.frame(w.negotiate(mid=0)))
        for s in socks:
            h = w.parse_header(w.recv_msg(s))
            assert h["command"] == w.NEGOTIATE
    finally:
        for s in socks:
            s.close()


def test_peer_closing_mid_message_is_harmless(smbsrvd):
    data = w.frame(w.negotiate())
    for cut in (2, 4, 30, len(data) - 1):
        with connect(smbsrvd) as s:
            s.sendall(data[:cut])
    with connect(smbsrvd) as s:
        assert_answers_negotiate(s)
