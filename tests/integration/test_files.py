"""File operations with real clients: data integrity at every dialect,
directories, renames, deletes, recursive copies, read-only shares, and
paths that try to leave the share."""
import hashlib
import os
import subprocess

import pytest

from smbclients import DIALECTS, PASSWORD, USER, smbclient

# make check moves 1 GiB both ways at every dialect; SMBSRVD_BIG_MIB
# makes that smaller on a slow machine (never in CI).
BIG_MIB = int(os.environ.get("SMBSRVD_BIG_MIB", "1024"))


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    p = tmp_path_factory.mktemp("big") / "big.bin"
    h = hashlib.sha256()
    chunk = os.urandom(1 << 20)
    with open(p, "wb") as f:
        for i in range(BIG_MIB):
            # Vary every MiB so misplaced blocks change the digest.
            block = i.to_bytes(8, "little") + chunk[8:]
            f.write(block)
            h.update(block)
    return str(p), h.hexdigest()


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


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


def run(d, cmd, share="data", dialect=None, cwd=None, timeout=600):
    r = subprocess.run(
        ["smbclient", "-p", str(d.smb_port), "//127.0.0.1/%s" % share,
         "-U", "%s%%%s" % (USER, PASSWORD), "-c", cmd] +
        (["--option=client min protocol=%s" % dialect,
          "--option=client max protocol=%s" % dialect] if dialect else []),
        capture_output=True, text=True, timeout=timeout, cwd=cwd,
        stdin=subprocess.DEVNULL)
    return r


def ok(r):
    assert r.returncode == 0 and "NT_STATUS" not in r.stdout, \
        "smbclient:\n%s%s" % (r.stdout, r.stderr)
    return r


@pytest.mark.parametrize("dialect", DIALECTS)
def test_big_file_round_trip_at_each_dialect(server, big_file, dialect,
                                             tmp_path):
    src, digest = big_file
    ok(run(server, "put %s big.bin" % src, dialect=dialect))
    assert sha256(os.path.join(server.data, "big.bin")) == digest
    back = tmp_path / "back.bin"
    ok(run(server, "get big.bin %s" % back, dialect=dialect))
    assert sha256(back) == digest


def test_directories_rename_delete_and_listing(server, tmp_path):
    local = tmp_path / "x.txt"
    local.write_text("hello\n")
    ok(run(server, "mkdir d1; mkdir d1\\d2; put %s d1\\a.txt; "
           "put %s d1\\b.log" % (local, local)))
    assert os.path.isdir(os.path.join(server.data, "d1", "d2"))
    r = ok(run(server, "ls d1\\*.txt"))
    assert "a.txt" in r.stdout and "b.log" not in r.stdout
    ok(run(server, "rename d1\\a.txt d1\\c.txt"))
    assert os.path.exists(os.path.join(server.data, "d1", "c.txt"))
    assert not os.path.exists(os.path.join(server.data, "d1", "a.txt"))
    r = run(server, "rmdir d1")
    assert "NT_STATUS_DIRECTORY_NOT_EMPTY" in r.stdout + r.stderr
    ok(run(server, "del d1\\c.txt; del d1\\b.log; rmdir d1\\d2; rmdir d1"))
    assert os.listdir(server.data) == []


def test_allinfo_and_setmode(server, tmp_path):
    local = tmp_path / "f"
    local.write_bytes(b"x" * 1000)
    ok(run(server, "put %s f" % local))
    r = ok(run(server, "allinfo f"))
    assert "create_time" in r.stdout
    ok(run(server, "setmode f +r"))
    r = ok(run(server, "allinfo f"))
    assert "attributes: R" in r.stdout or "attributes: RA" in r.stdout
    r = run(server, "del f")
    assert "NT_STATUS" in r.stdout + r.stderr
    ok(run(server, "setmode f -r; del f"))


def test_recursive_copy_of_2000_files_both_ways(server, tmp_path):
    src = tmp_path / "tree"
    for i in range(20):
        sub = src / ("dir%02d" % i)
        sub.mkdir(parents=True)
        for j in range(100):
            (sub / ("f%03d.txt" % j)).write_text("%d/%d\n" % (i, j))
    ok(run(server, "prompt off; recurse on; mput tree", cwd=str(tmp_path)))
    count = sum(len(f) for _, _, f in os.walk(os.path.join(server.data,
                                                        "tree")))
    assert count == 2000
    dst = tmp_path / "back"
    dst.mkdir()
    ok(run(server, "prompt off; recurse on; mget tree", cwd=str(dst)))
    for i in range(20):
        for j in range(100):
            p = dst / "tree" / ("dir%02d" % i) / ("f%03d.txt" % j)
            assert p.read_text() == "%d/%d\n" % (i, j)


def test_read_only_share_refuses_writes(server, tmp_path):
    with open(os.path.join(server.ro, "keep.txt"), "w") as f:
        f.write("keep\n")
    local = tmp_path / "n.txt"
    local.write_text("no\n")
    r = run(server, "put %s new.txt" % local, share="ro")
    assert "NT_STATUS_ACCESS_DENIED" in r.stdout + r.stderr
    r = run(server, "del keep.txt", share="ro")
    assert "NT_STATUS_ACCESS_DENIED" in r.stdout + r.stderr
    r = run(server, "mkdir x", share="ro")
    assert "NT_STATUS_ACCESS_DENIED" in r.stdout + r.stderr
    back = tmp_path / "keep.txt"
    ok(run(server, "get keep.txt %s" % back, share="ro"))
    assert back.read_text() == "keep\n"
    assert sorted(os.listdir(server.ro)) == ["keep.txt"]


def test_dotdot_and_symlinks_cannot_leave_the_share(server, tmp_path):
    outside = os.path.join(server.tmp, "outside.txt")
    with open(outside, "w") as f:
        f.write("secret\n")
    os.symlink(outside, os.path.join(server.data, "abs-link"))
    os.symlink("../../outside.txt", os.path.join(server.data, "rel-link"))
    os.symlink(server.tmp, os.path.join(server.data, "dir-link"))
    for name in ("..\\..\\outside.txt", "abs-link", "rel-link",
                 "dir-link\\outside.txt"):
        back = tmp_path / "got"
        if back.exists():
            back.unlink()
        r = run(server, "get %s %s" % (name, back))
        assert "NT_STATUS" in r.stdout + r.stderr, name
        assert not back.exists() or "secret" not in back.read_text(), name
    with open(outside) as f:
        assert f.read() == "secret\n"
