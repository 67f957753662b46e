"""Config goldens: smbsrvd -nv -c tests/conf/NN.conf against NN.ok.

NN.ok is the expected stdout with the absolute directory of tests/conf
written as @DIR@; the output must also parse again to the same output.
bad-NN.conf must make smbsrvd -nv exit 1 with the line in bad-NN.err on
stderr (the file named as passed, tests/conf/bad-NN.conf, from the top of
the tree).  The man page must list the keywords in the order -nv prints
them, and smbsrvd.conf.example must pass -n.
"""

import os
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CONF_DIR = REPO / "tests" / "conf"
BIN = os.environ.get("SMBSRVD_BIN", str(REPO / "bin" / "smbsrvd"))
TIMEOUT = 10

GOOD = sorted(p.name for p in CONF_DIR.glob("[0-9][0-9].conf"))
BAD = sorted(p.name for p in CONF_DIR.glob("bad-[0-9][0-9].conf"))


def smbsrvd(*args, cwd=REPO):
    assert os.access(BIN, os.X_OK), f"no smbsrvd binary at {BIN}"
    return subprocess.run([BIN, *args], cwd=cwd, capture_output=True,
                          timeout=TIMEOUT)


def check_ok(path, cwd=REPO):
    r = smbsrvd("-nv", "-c", str(path), cwd=cwd)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    return r.stdout.decode()


def test_goldens_exist():
    assert len(GOOD) >= 5 and len(BAD) >= 20
    for name in GOOD:
        assert (CONF_DIR / name).with_suffix(".ok").is_file(), name
    for name in BAD:
        assert (CONF_DIR / name).with_suffix(".err").is_file(), name


@pytest.mark.parametrize("name", GOOD)
def test_conf_golden(name, tmp_path):
    out = check_ok(Path("tests/conf") / name)
    want = (CONF_DIR / name).with_suffix(".ok").read_text()
    assert out.replace(str(CONF_DIR), "@DIR@") == want

    # Printed paths are absolute: the copy parses anywhere, to the same.
    again = tmp_path / "printed.conf"
    again.write_text(out)
    assert check_ok(again, cwd=tmp_path) == out


@pytest.mark.parametrize("name", BAD)
def test_conf_bad_golden(name):
    r = smbsrvd("-nv", "-c", f"tests/conf/{name}")
    want = (CONF_DIR / name).with_suffix(".err").read_text().strip()
    assert r.returncode == 1
    assert want in r.stderr.decode(errors="replace")
    assert r.stdout == b""


def test_conf_missing_file():
    r = smbsrvd("-n", "-c", "tests/conf/no-such.conf")
    assert r.returncode == 1
    assert (b"tests/conf/no-such.conf: cannot open: No such file or "
            b"directory") in r.stderr


def test_example_config_parses():
    r = smbsrvd("-n", "-c", "smbsrvd.conf.example")
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    check_ok(Path("smbsrvd.conf.example"))


def printed_keywords(text):
    """Keywords in the order -nv prints them, each once."""
    keys = []
    for line in text.splitlines():
        m = re.match(r"\t([a-z ]+) =", line)
        if m and m.group(1) not in keys:
            keys.append(m.group(1))
    return keys


def test_man_page_lists_keywords_in_table_order():
    man = (REPO / "man" / "smbsrvd.conf.5").read_text()
    listed = re.findall(r"^\.It Cm (.+?) No = ", man, re.M)
    printed = printed_keywords(check_ok(Path("tests/conf/01.conf")))
    assert printed, "no keywords printed"
    # Every printed keyword appears, in the same order (aliases between).
    missing = [k for k in printed if k not in listed]
    assert not missing, f"not in smbsrvd.conf(5): {missing}"
    positions = [listed.index(k) for k in printed]
    assert positions == sorted(positions), listed
