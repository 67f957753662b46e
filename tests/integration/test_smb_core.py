"""SMB2/3 core with real clients: negotiate at every dialect, user and
guest logons, signing, encryption, tree connect and its refusals."""
import re

import pytest

from smbclients import DIALECTS, PASSWORD, USER, smbclient


@pytest.fixture
def server(daemon_factory):
    d = daemon_factory(users={USER: PASSWORD})
    d.shares = {
        "public": {"path": d.state_dir + "/public", "read only": "no",
                   "guest ok": "yes"},
        "data": {"path": d.state_dir + "/data", "read only": "no"},
    }
    d.start()
    return d


def ok(r):
    assert r.returncode == 0, "smbclient failed:\n%s%s" % (r.stdout,
                                                           r.stderr)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_user_reaches_share_at_each_dialect(server, dialect):
    ok(smbclient(server, "data", user=USER, password=PASSWORD,
                 dialect=dialect))
    log = server.log()
    assert "user %s authenticated" % USER in log
    assert "tree" in log and "connected to [data]" in log


@pytest.mark.parametrize("dialect", DIALECTS)
def test_guest_reaches_guest_share_at_each_dialect(server, dialect):
    ok(smbclient(server, "public", dialect=dialect))
    assert "connected to [public]" in server.log()


def test_guest_is_refused_a_user_share(server):
    r = smbclient(server, "data")
    assert r.returncode != 0
    assert "NT_STATUS_ACCESS_DENIED" in r.stdout + r.stderr


@pytest.mark.parametrize("dialect", DIALECTS)
def test_wrong_password_is_logon_failure(server, dialect):
    r = smbclient(server, "data", user=USER, password="wrong",
                  dialect=dialect)
    assert r.returncode != 0
    assert "NT_STATUS_LOGON_FAILURE" in r.stdout + r.stderr


@pytest.mark.parametrize("dialect", DIALECTS)
def test_client_signing_required(server, dialect):
    ok(smbclient(server, "data", "--option=client signing=required",
                 user=USER, password=PASSWORD, dialect=dialect))
    assert re.search(r"authenticated from .*SMB [0-9.]+, signed",
                     server.log())


@pytest.mark.parametrize("dialect", ["SMB3_00", "SMB3_02", "SMB3_11"])
def test_client_encryption_required(server, dialect):
    ok(smbclient(server, "data", "--option=client smb encrypt=required",
                 user=USER, password=PASSWORD, dialect=dialect))
    assert "connected to [data]" in server.log()


def test_unknown_share_is_bad_network_name(server):
    r = smbclient(server, "nosuch", user=USER, password=PASSWORD)
    assert "NT_STATUS_BAD_NETWORK_NAME" in r.stdout + r.stderr


def test_server_signing_mandatory_signs_every_session(daemon_factory):
    d = daemon_factory(users={USER: PASSWORD},
                       extra_global="server signing = mandatory")
    d.start()
    ok(smbclient(d, "public", user=USER, password=PASSWORD,
                 dialect="SMB2_10"))
    assert re.search(r"authenticated from .*SMB 2.1, signed", d.log())


def test_server_encryption_required_refuses_smb2(daemon_factory):
    d = daemon_factory(users={USER: PASSWORD},
                       extra_global="smb encrypt = required")
    d.start()
    r = smbclient(d, "public", user=USER, password=PASSWORD,
                  dialect="SMB2_10")
    assert r.returncode != 0
    assert "NT_STATUS_ACCESS_DENIED" in r.stdout + r.stderr
    ok(smbclient(d, "public", user=USER, password=PASSWORD,
                 dialect="SMB3_11"))
    assert "SMB 3.1.1, encrypted" in d.log()


def test_dialect_limits_are_honoured(daemon_factory):
    d = daemon_factory(users={USER: PASSWORD},
                       extra_global="server min protocol = SMB3_00")
    d.start()
    r = smbclient(d, "public", user=USER, password=PASSWORD,
                  dialect="SMB2_10")
    assert r.returncode != 0
    assert "NT_STATUS" in r.stdout + r.stderr
    ok(smbclient(d, "public", user=USER, password=PASSWORD,
                 dialect="SMB3_02"))
