"""The REST API's first routes and smbctl server, against the real daemon.

curl speaks to the Unix socket and to the TCP listener (with and without
the bearer token); smbctl is run as a user would run it.  Every routed
operation in rpc/openapi.yaml is requested and must answer with a status
the document lists.
"""
import json
import os
import re
import stat
import subprocess

import pytest

from conftest import REPO, SMBCTL, port_open, wait_for, free_port

try:
    import yaml
except ImportError:         # python3-yaml is a test dependency
    yaml = None

OPENAPI = os.path.join(REPO, "rpc", "openapi.yaml")
RFC3339_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                  r"[0-9a-f]{12}$")
TIMEOUT = 20


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers      # lower-case names
        self.body = body

    def json(self):
        return json.loads(self.body)


def curl(args, method="GET", headers=()):
    """Runs curl, returns a Reply from its -i output."""
    cmd = ["curl", "-sS", "-i", "--max-time", "10", "-X", method]
    if method == "HEAD":
        cmd[cmd.index("-X"):cmd.index("-X") + 2] = ["-I"]
    for h in headers:
        cmd += ["-H", h]
    r = subprocess.run(cmd + list(args), capture_output=True,
                       timeout=TIMEOUT)
    assert r.returncode == 0, r.stderr.decode()
    raw = r.stdout.decode("utf-8", "replace")
    head, _, body = raw.partition("\r\n\r\n")
    lines = head.split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    return Reply(status, hdrs, body)


def unix(d, path, **kw):
    return curl(["--unix-socket", d.socket_path, "http://localhost" + path],
                **kw)


def tcp(d, path, token=None, **kw):
    headers = list(kw.pop("headers", ()))
    if token is not None:
        headers.append("Authorization: Bearer " + token)
    return curl(["http://127.0.0.1:%d%s" % (d.admin_port, path)],
                headers=headers, **kw)


def token(d):
    with open(d.token_path) as f:
        return f.read().strip()


def smbctl(*args, cwd=None):
    return subprocess.run([SMBCTL] + list(args), capture_output=True,
                          text=True, timeout=TIMEOUT, cwd=cwd)


def assert_problem(r, status):
    assert r.status == status
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["cache-control"] == "no-store"
    p = r.json()
    assert set(p) == {"type", "title", "status", "detail"}
    assert p["status"] == status
    assert p["title"] and p["detail"]


def openapi():
    if yaml is None:
        pytest.skip("python3-yaml is not installed")
    with open(OPENAPI) as f:
        return yaml.safe_load(f)


# --- the Unix socket -------------------------------------------------------

def test_server_over_unix_socket(smbsrvd):
    r = unix(smbsrvd, "/api/v1/server")
    assert r.status == 200
    assert r.headers["content-type"] == "application/json"
    assert r.headers["cache-control"] == "no-store"
    s = r.json()
    assert s["state_directory"] == smbsrvd.state_dir
    assert s["smb_listen"] == ["127.0.0.1:%d" % smbsrvd.smb_port]
    assert s["admin_socket"] == smbsrvd.socket_path
    assert s["admin_listen"] == "127.0.0.1:%d" % smbsrvd.admin_port
    assert s["config_file"] == smbsrvd.conf_path
    assert s["log_level"] == 3
    assert RFC3339_MS.match(s["start_time"]), s["start_time"]
    assert GUID.match(s["guid"]), s["guid"]
    assert isinstance(s["uptime_ms"], int) and s["uptime_ms"] >= 0
    assert s["shares"] == 1
    assert s["reloads"] == 0
    assert isinstance(s["connections"], int)


def test_server_record_matches_the_contract(smbsrvd):
    schema = openapi()["components"]["schemas"]["Server"]
    s = unix(smbsrvd, "/api/v1/server").json()
    assert set(s) == set(schema["required"]) == set(schema["properties"])


def test_healthz(smbsrvd):
    r = unix(smbsrvd, "/healthz")
    assert r.status == 200
    assert r.json() == {"status": "ok"}


def test_head_has_no_body(smbsrvd):
    r = unix(smbsrvd, "/api/v1/server", method="HEAD")
    assert r.status == 200
    assert r.body == ""


def test_unknown_path_is_404_problem(smbsrvd):
    assert_problem(unix(smbsrvd, "/api/v1/nope"), 404)
    assert_problem(unix(smbsrvd, "/api/v1/server/"), 404)


def test_wrong_method_is_405_with_allow(smbsrvd):
    r = unix(smbsrvd, "/api/v1/server", method="DELETE")
    assert_problem(r, 405)
    assert r.headers["allow"] == "GET, HEAD"


def test_openapi_document_is_served(smbsrvd):
    r = unix(smbsrvd, "/api/v1/openapi.yaml")
    assert r.status == 200
    assert r.headers["content-type"] == "application/yaml"
    with open(OPENAPI) as f:
        assert r.body == f.read()


def route_table():
    """The (method, pattern) rows of ops_table in rpc/ops.c."""
    with open(os.path.join(REPO, "rpc", "ops.c")) as f:
        src = f.read()
    table = src[src.index("ops_table[] = {"):]
    table = table[:table.index("\n};")]
    return set(re.findall(r'\{ "([A-Z]+)",\s+"([^"]+)"', table))


def test_contract_lists_exactly_the_route_table():
    doc = openapi()
    documented = {(m.upper(), p) for p, item in doc["paths"].items()
                  for m in item}
    assert documented == route_table()


def test_every_documented_operation_answers_as_documented(smbsrvd):
    doc = openapi()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            r = unix(smbsrvd, path, method=method.upper())
            assert str(r.status) in op["responses"], (method, path,
                                                      r.status)
            if r.status < 300 and method == "get":
                ctype = r.headers["content-type"]
                assert ctype in op["responses"][str(r.status)]["content"]


# --- the TCP listener and its token ----------------------------------------

def test_token_file_is_created_0600(smbsrvd):
    st = os.stat(smbsrvd.token_path)
    assert stat.S_IMODE(st.st_mode) == 0o600
    assert re.match(r"^[0-9a-f]{64}$", token(smbsrvd))


def test_tcp_without_token_is_401(smbsrvd):
    for path in ("/api/v1/server", "/api/v1/nope"):
        r = tcp(smbsrvd, path)
        assert_problem(r, 401)
        assert r.headers["www-authenticate"].startswith("Bearer")


def test_tcp_with_wrong_token_is_401(smbsrvd):
    r = tcp(smbsrvd, "/api/v1/server", token="0" * 64)
    assert_problem(r, 401)
    assert "invalid_token" in r.headers["www-authenticate"]


def test_tcp_with_token_is_200(smbsrvd):
    r = tcp(smbsrvd, "/api/v1/server", token=token(smbsrvd))
    assert r.status == 200
    assert r.json()["admin_listen"] == "127.0.0.1:%d" % smbsrvd.admin_port


def test_tcp_healthz_needs_no_token(smbsrvd):
    assert tcp(smbsrvd, "/healthz").status == 200


def test_reload_moves_tcp_listener(smbsrvd):
    old = smbsrvd.admin_port
    new = free_port()
    text = smbsrvd.config_text().replace("admin listen = 127.0.0.1:%d" % old,
                                         "admin listen = 127.0.0.1:%d" % new)
    smbsrvd.write_config(text)
    smbsrvd.reload()
    assert wait_for(lambda: not port_open(old), 5)
    smbsrvd.admin_port = new
    r = tcp(smbsrvd, "/api/v1/server", token=token(smbsrvd))
    assert r.status == 200
    assert r.json()["admin_listen"] == "127.0.0.1:%d" % new
    assert r.json()["reloads"] == 1


def test_group_readable_token_file_is_refused(daemon_factory):
    d = daemon_factory()
    os.makedirs(d.state_dir)
    with open(d.token_path, "w") as f:
        f.write("s3cret\n")
    os.chmod(d.token_path, 0o640)
    d.start(wait=False)
    assert wait_for(lambda: d.proc.poll() is not None, 10)
    assert d.proc.returncode != 0
    assert "readable by group or others" in d.log()
    assert not os.path.exists(d.socket_path)
    d.stop()


# --- smbctl ----------------------------------------------------------------

def test_smbctl_server_table(smbsrvd):
    r = smbctl("--socket", smbsrvd.socket_path, "server")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    rows = dict(re.match(r"^([a-z ]+):\s+(.*)$", line).groups()
                for line in r.stdout.splitlines())
    assert rows["smb listen"] == "127.0.0.1:%d" % smbsrvd.smb_port
    assert rows["state directory"] == smbsrvd.state_dir
    assert rows["admin listen"] == "127.0.0.1:%d" % smbsrvd.admin_port
    assert "uptime" in rows and "start time" in rows


def test_smbctl_server_json(smbsrvd):
    for args in (["-j", "server"], ["server", "-j"], ["--json", "ser"]):
        r = smbctl("--socket", smbsrvd.socket_path, *args)
        assert r.returncode == 0, r.stderr
        s = json.loads(r.stdout)
        assert s["state_directory"] == smbsrvd.state_dir


def test_smbctl_over_tcp_with_token_file(smbsrvd):
    url = "http://127.0.0.1:%d" % smbsrvd.admin_port
    r = smbctl("--url", url, "--token-file", smbsrvd.token_path, "-j",
               "server")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["admin_socket"] == smbsrvd.socket_path


def test_smbctl_token_missing_or_refused(smbsrvd, tmp_path):
    url = "http://127.0.0.1:%d/" % smbsrvd.admin_port
    r = smbctl("--url", url, "server")
    assert r.returncode == 1
    assert "--token-file" in r.stderr
    bad = tmp_path / "bad.token"
    bad.write_text("wrong\n")
    r = smbctl("--url", url, "--token-file", str(bad), "server")
    assert r.returncode == 1
    assert "refused the token from %s" % bad in r.stderr


def test_smbctl_against_stopped_daemon(smbsrvd):
    sock = smbsrvd.socket_path
    assert smbsrvd.stop() == 0
    r = smbctl("--socket", sock, "server")
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr == ("smbctl: cannot reach smbsrvd at %s: No such file "
                        "or directory \u2014 is it running?\n" % sock)
    port = free_port()
    r = smbctl("--url", "http://127.0.0.1:%d" % port, "server")
    assert r.returncode == 1
    assert "Connection refused \u2014 is it running?" in r.stderr


def test_smbctl_default_socket_is_var_in_cwd(tmp_path):
    (tmp_path / "var").mkdir()
    r = smbctl("server", cwd=str(tmp_path))
    assert r.returncode == 1
    assert r.stderr.startswith(
        "smbctl: cannot reach smbsrvd at var/smbsrvd.sock: ")


def test_smbctl_usage_errors_exit_2(tmp_path):
    cases = [
        ["bogus"],
        ["server", "extra"],
        ["server", "-x"],
        ["--socket", "a", "--url", "http://b", "server"],
        ["--token-file", "t", "server"],
        ["--url", "ftp://b", "server"],
        ["--socket"],
        ["--no-such-option", "server"],
        ["help", "bogus"],
    ]
    for args in cases:
        r = smbctl(*args, cwd=str(tmp_path))
        assert r.returncode == 2, (args, r.stderr)
        assert r.stderr.startswith(("smbctl: ", "usage: ")), r.stderr
        assert r.stdout == ""
    # Without a command smbctl is its shell; with no terminal and nothing
    # to read it has nothing to do.
    r = subprocess.run([SMBCTL], capture_output=True, text=True, timeout=10,
                       stdin=subprocess.DEVNULL, cwd=str(tmp_path))
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


def test_smbctl_help_and_version(tmp_path):
    r = smbctl("--help")
    assert r.returncode == 0
    assert re.search(r"^  server\s+show ", r.stdout, re.M)
    assert re.search(r"^  help \[COMMAND\]\s+", r.stdout, re.M)
    r = smbctl("help", "serv")
    assert r.returncode == 0
    assert r.stdout.startswith("usage: smbctl server\n")
    r = smbctl("--version")
    assert r.returncode == 0
    with open(os.path.join(REPO, "VERSION")) as f:
        assert r.stdout == "smbctl %s\n" % f.read().strip()
