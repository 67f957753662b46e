"""The web UI's files as the daemon serves them (rpc/web.c): types,
caching, security headers, no token for static files but still for the
API, nothing outside the embedded set, and the sign-in link on start."""
import http.client
import os
import pty
import re
import select
import subprocess
import time

import pytest

from webutil import Daemon, itest

SMBSRVD = itest.SMBSRVD
WEB_DIR = os.path.join(itest.REPO, "web")


@pytest.fixture(scope="module")
def daemon(module_tmp):
    d = Daemon(module_tmp / "static")
    os.makedirs(d.tmp, exist_ok=True)
    d.start()
    yield d
    assert d.stop() == 0, d.log()


def req(d, path, method="GET", headers=None):
    c = http.client.HTTPConnection("127.0.0.1", d.admin_port, timeout=10)
    try:
        c.putrequest(method, path, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            c.putheader(k, v)
        c.endheaders()
        r = c.getresponse()
        body = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body
    finally:
        c.close()


def token(d):
    with open(d.token_path) as f:
        return f.read().strip()


@pytest.mark.parametrize("path,name,ctype", [
    ("/", "index.html", "text/html; charset=utf-8"),
    ("/web/index.html", "index.html", "text/html; charset=utf-8"),
    ("/web/app.js", "app.js", "text/javascript; charset=utf-8"),
    ("/web/style.css", "style.css", "text/css; charset=utf-8"),
    ("/web/icon.svg", "icon.svg", "image/svg+xml"),
])
def test_files_served_without_token(daemon, path, name, ctype):
    st, h, body = req(daemon, path)
    assert st == 200
    assert h["content-type"] == ctype
    with open(os.path.join(WEB_DIR, name), "rb") as f:
        assert body == f.read()
    assert h["cache-control"] == "no-cache"
    assert re.fullmatch(r'"[0-9a-f]{20}"', h["etag"])
    assert h["x-content-type-options"] == "nosniff"
    assert h["x-frame-options"] == "DENY"
    assert h["referrer-policy"] == "no-referrer"
    csp = h["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self';" in csp and "style-src 'self';" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp


def test_etag_revalidates(daemon):
    _, h, _ = req(daemon, "/web/app.js")
    st, h2, body = req(daemon, "/web/app.js",
                       headers={"If-None-Match": h["etag"]})
    assert st == 304 and body == b"" and h2["etag"] == h["etag"]
    st, _, _ = req(daemon, "/web/app.js",
                   headers={"If-None-Match": 'W/"0", ' + h["etag"]})
    assert st == 304
    st, _, body = req(daemon, "/web/app.js",
                      headers={"If-None-Match": '"0000"'})
    assert st == 200 and body
    st, h3, body = req(daemon, "/web/app.js", method="HEAD")
    assert st == 200 and body == b"" and h3["etag"] == h["etag"]


def test_no_inline_script_or_style():
    """The CSP forbids them, so the page must not rely on them."""
    with open(os.path.join(WEB_DIR, "index.html")) as f:
        html = f.read()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)
    for name in os.listdir(WEB_DIR):
        if name.endswith((".html", ".js", ".css")):
            with open(os.path.join(WEB_DIR, name)) as f:
                text = f.read()
            assert not re.search(r"(src|href)=[\"']?(https?:)?//", text), \
                "%s refers to another site" % name


@pytest.mark.parametrize("path", [
    "/web/..", "/web/../../etc/passwd", "/web/.hidden", "/web/README.md",
    "/web/%2e%2e", "/web/nothing.js", "/web/a%2fb", "/web/",
    "/web/index.html/", "/web//index.html", "/web/doc/overview.png",
])
def test_nothing_outside_the_embedded_files(daemon, path):
    auth = {"Authorization": "Bearer " + token(daemon)}
    st, h, body = req(daemon, path, headers=auth)
    assert st == 404, (path, st, body)
    assert h["content-type"] == "application/problem+json"
    assert b"root:" not in body


def test_api_still_needs_the_token(daemon):
    st, h, _ = req(daemon, "/api/v1/server")
    assert st == 401 and "bearer" in h["www-authenticate"].lower()
    st, _, _ = req(daemon, "/api/v1/server",
                   headers={"Authorization": "Bearer " + token(daemon)})
    assert st == 200
    # Unknown paths still look alike to strangers.
    st, _, _ = req(daemon, "/no/such/thing")
    assert st == 401


def test_static_routes_answer_only_get(daemon):
    st, h, _ = req(daemon, "/", method="POST",
                   headers={"Authorization": "Bearer " + token(daemon)})
    assert st == 405 and h["allow"] == "GET, HEAD"


def read_until(fd, pattern, timeout):
    out = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        if fd in r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            m = re.search(pattern, out)
            if m:
                return m, out
    return None, out


def test_signin_link_on_a_terminal(module_tmp):
    """Started from a terminal, smbsrvd prints the sign-in link; the link
    carries the token of the token file and signs in (see test_ui)."""
    d = Daemon(module_tmp / "tty")
    os.makedirs(d.tmp, exist_ok=True)
    d.write_config()
    master, slave = pty.openpty()
    p = subprocess.Popen([SMBSRVD, "-f", "-c", d.conf_path],
                         stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    try:
        m, out = read_until(master, rb"web UI: (http://\S+)", 15)
        assert m, out.decode("utf-8", "replace")
        url = m.group(1).decode()
        assert url == "http://127.0.0.1:%d/#token=%s" % (d.admin_port,
                                                         token(d))
    finally:
        p.terminate()
        p.wait(10)
        os.close(master)


def test_no_signin_link_in_the_log(daemon):
    """Not on a terminal (a service, a log file): the token is not shown."""
    assert token(daemon) not in daemon.log()
    assert "web UI:" not in daemon.log()
