"""The conformance mission: every active smbtorture test in
tests/conformance/mission.txt (one parametrized case each) against a
real smbsrvd.  That file is our copy of shared/conformance/mission.txt,
so that a clone run anywhere runs the whole mission; where the shared
original sits beside the repository, test_mission_copy_is_current()
fails as soon as the two differ.

tests/conformance/expected-failures.txt names the mission tests that
cannot pass yet and why (the issue that will make them pass).  Those run
as strict expected failures: when one starts to pass, the suite says so
and the line must go.  Stretch lines ('# stretch:') are not mission
tests: tests/conformance/stretch.txt lists the stretch goals, those that
pass as normal cases and the others, with what they need, as strict
expected failures too.
"""
import os
import re
import subprocess

import pytest

from conftest import REPO
from smbclients import PASSWORD, USER

SHARED = os.path.join(os.path.dirname(REPO), "shared", "conformance",
                      "mission.txt")
MISSION = os.path.join(REPO, "tests", "conformance", "mission.txt")
EXPECTED = os.path.join(REPO, "tests", "conformance",
                        "expected-failures.txt")
STRETCH = os.path.join(REPO, "tests", "conformance", "stretch.txt")


def mission():
    names = []
    with open(MISSION) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.append(line)
    return names


def expected_failures(path=EXPECTED):
    """NAME [REASON] lines of path: {name: reason, '' if none}."""
    out = {}
    with open(path) as f:
        for line in f:
            if line.strip() == "" or line.startswith("#"):
                continue
            name, _, why = line.strip().partition(" ")
            out[name] = why.strip()
    return out


def params():
    xf = expected_failures()
    unknown = set(xf) - set(mission())
    assert not unknown, \
        "expected-failures.txt names tests not in the mission: %s" % unknown
    for name in mission():
        if name in xf:
            yield pytest.param(name, marks=pytest.mark.xfail(
                strict=True, reason=xf[name]), id=name)
        else:
            yield pytest.param(name, id=name)
    stretch = expected_failures(STRETCH)
    assert not set(stretch) & set(mission()), \
        "stretch.txt names mission tests: %s" % (set(stretch) &
                                                 set(mission()))
    for name, why in stretch.items():
        if why:
            yield pytest.param(name, marks=pytest.mark.xfail(
                strict=True, reason=why), id=name)
        else:
            yield pytest.param(name, id=name)


@pytest.fixture(scope="module")
def torture_server(tmp_path_factory):
    from conftest import Daemon
    d = Daemon(tmp_path_factory.mktemp("torture"), users={USER: PASSWORD})
    d.shares = {"share": {"path": d.state_dir + "/share",
                          "read only": "no"}}
    d.start()
    yield d
    assert d.stop() == 0, d.log()


def test_mission_copy_is_current():
    if not os.path.exists(SHARED):
        pytest.skip("shared/conformance is not beside the repository")
    with open(SHARED) as a, open(MISSION) as b:
        assert a.read() == b.read(), \
            "tests/conformance/mission.txt differs from %s: copy it" % SHARED


def test_mission_is_not_empty():
    assert len(mission()) >= 80


@pytest.mark.parametrize("name", params())
def test_smbtorture(torture_server, name):
    d = torture_server
    r = subprocess.run(
        ["smbtorture", "//127.0.0.1/share", "-p", str(d.smb_port),
         "-U", "%s%%%s" % (USER, PASSWORD), name],
        capture_output=True, text=True, timeout=300,
        stdin=subprocess.DEVNULL)
    out = r.stdout + r.stderr
    results = re.findall(r"^(success|failure|error|skip): (.*)$", out,
                         re.M)
    # A skip is not a pass: Samba passes every active line in full.
    bad = [x for x in results if x[0] != "success"]
    assert r.returncode == 0 and results and not bad, \
        "smbtorture %s:\n%s" % (name, out[-3000:])
    assert d.proc.poll() is None, "smbsrvd died:\n" + d.log()[-3000:]
