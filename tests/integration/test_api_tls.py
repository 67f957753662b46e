"""The admin API over TLS: "admin tls certificate" and "admin tls key".

Certificates are made with the openssl command in the test's temporary
directory: a self-signed one for 127.0.0.1 (subjectAltName IP:127.0.0.1)
that clients trust as their CA, and an unrelated one that must not be
trusted.  Clients are curl, Python's ssl module, impacket (an SMB session
to list) and smbctl with --cacert.
"""
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import time

import warnings

import pytest
from impacket.smbconnection import SMBConnection

from apischema import document, validate
from conftest import SMBCTL, SMBSRVD, wait_for
from smbclients import PASSWORD, USER

TIMEOUT = 20

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None,
                                reason="the openssl command is needed")


def make_cert(dirname, name, cn="127.0.0.1", san="IP:127.0.0.1",
              days=30):
    """A self-signed EC certificate and its key: (cert path, key path)."""
    crt = os.path.join(dirname, name + ".crt")
    key = os.path.join(dirname, name + ".key")
    r = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:P-256", "-nodes", "-days", str(days),
         "-subj", "/CN=" + cn, "-addext", "subjectAltName=" + san,
         "-keyout", key, "-out", crt],
        capture_output=True, text=True, timeout=TIMEOUT)
    assert r.returncode == 0, r.stderr
    os.chmod(key, 0o600)
    return crt, key


def tls_lines(crt, key):
    return "admin tls certificate = %s\nadmin tls key = %s\n" % (crt, key)


@pytest.fixture
def certs(tmp_path):
    d = str(tmp_path / "certs")
    os.makedirs(d)
    good = make_cert(d, "admin")
    other = make_cert(d, "other")
    return {"dir": d, "crt": good[0], "key": good[1],
            "other_crt": other[0], "other_key": other[1]}


@pytest.fixture
def tlsd(daemon_factory, certs):
    d = daemon_factory(extra_global=tls_lines(certs["crt"], certs["key"]),
                       users={USER: PASSWORD})
    d.start()
    return d


def token(d):
    with open(d.token_path) as f:
        return f.read().strip()


def url(d, path=""):
    return "https://127.0.0.1:%d%s" % (d.admin_port, path)


def curl(*args):
    """curl's exit status, HTTP status (0 if none) and body."""
    r = subprocess.run(["curl", "-sS", "--max-time", "10", "-o", "-",
                        "-w", "\n%{http_code}"] + list(args),
                       capture_output=True, text=True, timeout=TIMEOUT)
    body, _, code = r.stdout.rpartition("\n")
    return r.returncode, int(code or 0), body, r.stderr


def get(d, path, cacert, tok=None):
    args = ["--cacert", cacert]
    if tok is not None:
        args += ["-H", "Authorization: Bearer " + tok]
    return curl(*args, url(d, path))


def smbctl(*args):
    return subprocess.run([SMBCTL] + list(args), capture_output=True,
                          text=True, timeout=TIMEOUT)


def failed_start(d):
    """Starts d expecting it to refuse; returns its log."""
    d.start(wait=False)
    assert wait_for(lambda: d.proc.poll() is not None, 10), \
        "smbsrvd kept running:\n" + d.log()
    assert d.proc.returncode != 0
    assert not os.path.exists(d.socket_path)
    log = d.log()
    d.stop()
    return log


def peer_cert(d, cafile):
    """The DER certificate the listener presents, verified with cafile."""
    ctx = ssl.create_default_context(cafile=cafile)
    with socket.create_connection(("127.0.0.1", d.admin_port),
                                  timeout=5) as s:
        with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
            return t.getpeercert(binary_form=True)


# --- HTTPS with the certificate and the token --------------------------------

def test_https_with_cacert_and_token_is_200(tlsd, certs):
    rc, status, body, err = get(tlsd, "/api/v1/server", certs["crt"],
                                token(tlsd))
    assert rc == 0, err
    assert status == 200
    s = json.loads(body)
    doc = document()
    validate(doc, s, doc["components"]["schemas"]["Server"])
    assert s["admin_listen"] == "127.0.0.1:%d" % tlsd.admin_port
    assert s["admin_url"] == url(tlsd)
    assert s["admin_tls"]["certificate"] == certs["crt"]
    assert s["admin_tls"]["subject"] == "CN=127.0.0.1"
    # openssl -days 30 from a moment ago.
    left = time.mktime(time.strptime(s["admin_tls"]["not_after"],
                                     "%Y-%m-%dT%H:%M:%S.000Z")) - \
        time.mktime(time.gmtime())
    assert 29 * 86400 < left <= 30 * 86400 + 60


def test_https_without_token_is_401(tlsd, certs):
    rc, status, body, err = get(tlsd, "/api/v1/server", certs["crt"])
    assert rc == 0, err
    assert status == 401
    assert json.loads(body)["status"] == 401
    rc, status, _, _ = get(tlsd, "/api/v1/server", certs["crt"], "0" * 64)
    assert status == 401


def test_unix_socket_stays_plain_http(tlsd):
    r = subprocess.run(["curl", "-sS", "--max-time", "10", "--unix-socket",
                        tlsd.socket_path, "http://localhost/api/v1/server"],
                       capture_output=True, text=True, timeout=TIMEOUT)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["admin_url"] == url(tlsd)


def test_plain_http_to_the_tls_port_gets_no_http_answer(tlsd, certs):
    rc, status, _, _ = curl("http://127.0.0.1:%d/healthz" % tlsd.admin_port)
    assert rc != 0 and status == 0
    with socket.create_connection(("127.0.0.1", tlsd.admin_port),
                                  timeout=5) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        got = b""
        try:
            while len(got) < 4096:
                b = s.recv(4096)
                if not b:
                    break
                got += b
        except (socket.timeout, ConnectionResetError):
            pass
    assert not got.startswith(b"HTTP/")
    # The listener is still there for TLS clients.
    assert tlsd.proc.poll() is None
    assert peer_cert(tlsd, certs["crt"])


def test_a_wrong_ca_fails_verification(tlsd, certs):
    rc, status, _, err = get(tlsd, "/healthz", certs["other_crt"])
    assert rc == 60, err         # CURLE_PEER_FAILED_VERIFICATION
    assert status == 0
    with pytest.raises(ssl.SSLCertVerificationError):
        peer_cert(tlsd, certs["other_crt"])
    # The right CA, and the name in the certificate, do verify.
    assert peer_cert(tlsd, certs["crt"])


def tls_version(d, cafile, version):
    """Handshakes at exactly version; the negotiated version or None.

    SECLEVEL=0 lets this client offer TLS 1.0 and 1.1 at all, so a
    refusal can only come from the server."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx = ssl.create_default_context(cafile=cafile)
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = ctx.maximum_version = version
    try:
        with socket.create_connection(("127.0.0.1", d.admin_port),
                                      timeout=5) as s:
            with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
                return t.version()
    except ssl.SSLError:
        return None


def test_tls_before_1_2_is_refused(tlsd, certs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old = (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1)
    for v in old:
        assert tls_version(tlsd, certs["crt"], v) is None
    assert tls_version(tlsd, certs["crt"], ssl.TLSVersion.TLSv1_2) == \
        "TLSv1.2"
    assert tls_version(tlsd, certs["crt"], ssl.TLSVersion.TLSv1_3) == \
        "TLSv1.3"


def test_event_stream_over_tls_delivers_events(tlsd, certs):
    """MHD's suspended connections resume over TLS in our epoll loop."""
    p = subprocess.Popen(
        ["curl", "-sS", "-N", "--max-time", "8", "--cacert", certs["crt"],
         "-H", "Authorization: Bearer " + token(tlsd),
         "-H", "Accept: text/event-stream", url(tlsd, "/api/v1/events")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # Once the stream's preamble is in, it waits suspended.
        out = b""
        while b"retry:" not in out:
            line = p.stdout.readline()
            assert line, p.stderr.read()
            out += line
        tlsd.reload()
        deadline = time.monotonic() + 8
        while b"server.reloaded" not in out and \
                time.monotonic() < deadline:
            line = p.stdout.readline()
            if not line:
                break
            out += line
        assert b"server.reloaded" in out, out
    finally:
        p.kill()
        p.wait(5)


# --- smbctl ------------------------------------------------------------------

def test_smbctl_with_cacert_lists_sessions(tlsd, certs):
    c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=tlsd.smb_port,
                      timeout=10)
    c.login(USER, PASSWORD)
    try:
        r = smbctl("--url", url(tlsd), "--token-file", tlsd.token_path,
                   "--cacert", certs["crt"], "-j", "session", "list")
        assert r.returncode == 0, r.stderr
        items = json.loads(r.stdout)["items"]
        assert [s["user"] for s in items] == [USER]
        r = smbctl("--url", url(tlsd), "--token-file", tlsd.token_path,
                   "--cacert", certs["crt"], "session", "list")
        assert r.returncode == 0, r.stderr
        assert re.search(r"^\S+\s+%s\s" % USER, r.stdout, re.M), r.stdout
    finally:
        c.close()


def test_smbctl_never_trusts_an_unverified_server(tlsd, certs):
    # No --cacert: the system's CAs do not know a self-signed certificate.
    r = smbctl("--url", url(tlsd), "--token-file", tlsd.token_path,
               "server")
    assert r.returncode == 1
    assert r.stdout == ""
    assert "give the server's certificate or its CA as the CA file" in \
        r.stderr
    r = smbctl("--url", url(tlsd), "--token-file", tlsd.token_path,
               "--cacert", certs["other_crt"], "server")
    assert r.returncode == 1
    assert "not signed by the certificates in the CA file" in r.stderr


def test_smbctl_cacert_usage_errors(tlsd, certs, tmp_path):
    r = smbctl("--url", "http://127.0.0.1:%d" % tlsd.admin_port,
               "--cacert", certs["crt"], "server")
    assert r.returncode == 2
    assert "--cacert goes with an https:// --url" in r.stderr
    r = smbctl("--cacert", certs["crt"], "server")
    assert r.returncode == 2
    missing = str(tmp_path / "none.pem")
    r = smbctl("--url", url(tlsd), "--token-file", tlsd.token_path,
               "--cacert", missing, "server")
    assert r.returncode == 1
    assert "CA file %s: No such file or directory" % missing in r.stderr


# --- refusals at start --------------------------------------------------------

def test_missing_key_file_refuses_to_start(daemon_factory, certs):
    missing = os.path.join(certs["dir"], "missing.key")
    d = daemon_factory(extra_global=tls_lines(certs["crt"], missing))
    log = failed_start(d)
    assert "key file %s: No such file or directory" % missing in log
    assert "not listening on 127.0.0.1:%d" % d.admin_port in log


def test_key_of_another_certificate_refuses_to_start(daemon_factory, certs):
    d = daemon_factory(extra_global=tls_lines(certs["crt"],
                                              certs["other_key"]))
    log = failed_start(d)
    assert ("key file %s does not match the certificate in %s" % (
        certs["other_key"], certs["crt"])) in log


def test_world_readable_key_refuses_to_start(daemon_factory, certs):
    os.chmod(certs["key"], 0o644)
    d = daemon_factory(extra_global=tls_lines(certs["crt"], certs["key"]))
    log = failed_start(d)
    assert "key file %s is readable by others (mode 0644)" % certs["key"] \
        in log


def test_config_check_needs_both_files_and_a_tcp_listener(daemon_factory,
                                                           certs):
    d = daemon_factory(extra_global="admin tls certificate = %s\n" %
                       certs["crt"])
    d.write_config()
    r = subprocess.run([SMBSRVD, "-n", "-c", d.conf_path],
                       capture_output=True, text=True, timeout=TIMEOUT)
    assert r.returncode == 1
    assert '"admin tls certificate" needs "admin tls key" as well' in \
        r.stderr


def test_key_material_never_reaches_the_log(tlsd, certs):
    with open(certs["key"]) as f:
        body = [l for l in f.read().splitlines() if "-----" not in l]
    log = tlsd.log()
    for line in body:
        assert line not in log


# --- reload -------------------------------------------------------------------

def test_reload_with_a_new_certificate_switches_without_a_gap(tlsd, certs):
    before = peer_cert(tlsd, certs["crt"])
    new_crt, new_key = make_cert(certs["dir"], "renewed", days=90)
    shutil.copy(new_crt, certs["crt"])
    shutil.copy(new_key, certs["key"])
    tlsd.reload()
    assert tlsd.wait_log("new TLS certificate or key now")
    after = peer_cert(tlsd, new_crt)
    assert after != before
    with pytest.raises(ssl.SSLCertVerificationError):
        peer_cert(tlsd, os.path.join(certs["dir"], "other.crt"))
    rc, status, body, err = get(tlsd, "/api/v1/server", new_crt,
                                token(tlsd))
    assert (rc, status) == (0, 200), err
    assert json.loads(body)["reloads"] == 1


def test_reload_with_a_bad_key_keeps_the_running_certificate(tlsd, certs):
    before = peer_cert(tlsd, certs["crt"])
    keep = certs["crt"] + ".keep"
    shutil.copy(certs["crt"], keep)
    shutil.copy(certs["other_key"], certs["key"])
    tlsd.reload()
    assert "TLS files refused, the TCP listener runs on unchanged" in \
        tlsd.log()
    # The summary line does not claim a clean reload.
    assert "but 1 part(s) kept their old state" in tlsd.log()
    assert peer_cert(tlsd, keep) == before
    rc, status, body, _ = get(tlsd, "/api/v1/server", keep, token(tlsd))
    assert status == 200
    assert json.loads(body)["admin_tls"]["subject"] == "CN=127.0.0.1"


def test_reload_with_the_same_pair_elsewhere_keeps_connections(tlsd,
                                                                certs):
    ctx = ssl.create_default_context(cafile=certs["crt"])
    conn = http.client.HTTPSConnection("127.0.0.1", tlsd.admin_port,
                                       timeout=5, context=ctx)
    conn.request("GET", "/healthz")
    assert conn.getresponse().read() == b'{"status":"ok"}\n'
    sock = conn.sock
    moved_crt = os.path.join(certs["dir"], "moved.crt")
    moved_key = os.path.join(certs["dir"], "moved.key")
    shutil.copy(certs["crt"], moved_crt)
    shutil.copy(certs["key"], moved_key)
    os.chmod(moved_key, 0o600)
    tlsd.write_config(tlsd.config_text(
        extra_global=tls_lines(moved_crt, moved_key)))
    tlsd.reload()
    assert "new TLS certificate or key now" not in tlsd.log()
    rc, status, body, err = get(tlsd, "/api/v1/server", certs["crt"],
                                token(tlsd))
    assert (rc, status) == (0, 200), err
    assert json.loads(body)["admin_tls"]["certificate"] == moved_crt
    # The connection made before the reload still answers.
    conn.request("GET", "/healthz")
    assert conn.getresponse().status == 200
    assert conn.sock is sock
    conn.close()


def test_reload_can_turn_tls_off_and_on(tlsd, certs):
    tlsd.write_config(tlsd.config_text(extra_global=""))
    tlsd.reload()
    assert tlsd.wait_log("plain HTTP now")
    rc, status, body, err = curl(
        "-H", "Authorization: Bearer " + token(tlsd),
        "http://127.0.0.1:%d/api/v1/server" % tlsd.admin_port)
    assert (rc, status) == (0, 200), err
    s = json.loads(body)
    assert s["admin_url"] == "http://127.0.0.1:%d" % tlsd.admin_port
    assert s["admin_tls"] is None
    tlsd.write_config(tlsd.config_text(
        extra_global=tls_lines(certs["crt"], certs["key"])))
    tlsd.reload()
    rc, status, _, err = get(tlsd, "/api/v1/server", certs["crt"],
                             token(tlsd))
    assert (rc, status) == (0, 200), err
