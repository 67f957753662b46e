"""The daemon's life: start, signals, reload, pid file, config check."""
import os
import signal
import socket
import subprocess

import pytest

from conftest import SMBSRVD, port_open, wait_for, free_port


def test_start_writes_pid_and_socket_and_sigterm_removes_them(smbsrvd):
    with open(smbsrvd.pid_path) as f:
        assert int(f.read().strip()) == smbsrvd.proc.pid
    assert os.path.exists(smbsrvd.socket_path)
    assert port_open(smbsrvd.admin_port)
    assert os.path.isdir(os.path.join(smbsrvd.state_dir, "public"))
    assert smbsrvd.stop(signal.SIGTERM) == 0
    assert not os.path.exists(smbsrvd.pid_path)
    assert not os.path.exists(smbsrvd.socket_path)
    assert not port_open(smbsrvd.smb_port)


def test_ctrl_c_exits_zero_and_cleans_up(smbsrvd):
    assert smbsrvd.stop(signal.SIGINT) == 0
    assert not os.path.exists(smbsrvd.pid_path)
    assert not os.path.exists(smbsrvd.socket_path)


def test_shutdown_closes_client_connections(smbsrvd):
    s = socket.create_connection(("127.0.0.1", smbsrvd.smb_port), 5)
    assert wait_for(lambda: "accepted from" in smbsrvd.log())
    assert smbsrvd.stop() == 0
    s.settimeout(5)
    assert s.recv(1) == b""
    s.close()


def test_second_instance_on_same_state_directory_is_refused(smbsrvd):
    r = subprocess.run([SMBSRVD, "-f", "-c", smbsrvd.conf_path],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 1
    assert "already running" in r.stderr
    assert str(smbsrvd.proc.pid) in r.stderr
    # The running one is untouched.
    assert port_open(smbsrvd.smb_port)
    assert os.path.exists(smbsrvd.pid_path)


def test_reload_opens_new_listener_and_closes_removed_one(smbsrvd):
    extra = free_port()
    text = smbsrvd.config_text().replace(
        "\tstate directory",
        "\tsmb listen = 127.0.0.1:%d\n\tstate directory" % extra)
    smbsrvd.write_config(text)
    smbsrvd.reload()
    assert port_open(extra)
    assert port_open(smbsrvd.smb_port)
    # Now drop the original address.
    text = text.replace("\tsmb listen = 127.0.0.1:%d\n" % smbsrvd.smb_port,
                        "")
    smbsrvd.write_config(text)
    smbsrvd.reload()
    assert port_open(extra)
    assert wait_for(lambda: not port_open(smbsrvd.smb_port), 5)


def test_reload_with_bad_config_keeps_running_configuration(smbsrvd):
    smbsrvd.write_config("[global]\n\tno such key = 1\n")
    smbsrvd.reload(expect="reload failed")
    assert "smbsrvd.conf:2:" in smbsrvd.log()
    assert smbsrvd.proc.poll() is None
    assert port_open(smbsrvd.smb_port)


def test_reload_keeps_state_directory_until_restart(smbsrvd):
    text = smbsrvd.config_text().replace(
        "state directory = %s" % smbsrvd.state_dir,
        "state directory = %s2" % smbsrvd.state_dir)
    smbsrvd.write_config(text)
    smbsrvd.reload()
    assert "changes only at restart" in smbsrvd.log()
    assert os.path.exists(smbsrvd.pid_path)


def test_sigusr1_raises_log_level_at_run_time(smbsrvd):
    smbsrvd.proc.send_signal(signal.SIGUSR1)
    assert smbsrvd.wait_log("log level now 4")


def test_check_reports_file_line_and_problem(tmp_path):
    bad = tmp_path / "bad.conf"
    bad.write_text("[global]\n\tlog level = 2\n\tsmb listen = nowhere\n")
    r = subprocess.run([SMBSRVD, "-n", "-c", str(bad)], capture_output=True,
                       text=True, timeout=10)
    assert r.returncode == 1
    assert "bad.conf:3:" in r.stderr
    assert "smb listen" in r.stderr


def test_check_accepts_good_file_and_embedded_default(tmp_path):
    good = tmp_path / "good.conf"
    good.write_text("[global]\n\tsmb listen = 127.0.0.1:4455\n"
                    "[data]\n\tpath = /tmp\n")
    r = subprocess.run([SMBSRVD, "-n", "-c", str(good)],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([SMBSRVD, "-nv"], capture_output=True, text=True,
                       timeout=10, cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "smb listen = 127.0.0.1:4445" in r.stdout
    assert "admin listen = 127.0.0.1:8445" in r.stdout
    assert "[public]" in r.stdout
    assert "path = %s/var/public" % tmp_path in r.stdout


def test_missing_config_file_is_an_error(tmp_path):
    r = subprocess.run([SMBSRVD, "-f", "-c", str(tmp_path / "none.conf")],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 1
    assert "none.conf" in r.stderr


def test_version_and_usage():
    r = subprocess.run([SMBSRVD, "--version"], capture_output=True,
                       text=True, timeout=10)
    assert r.returncode == 0 and r.stdout.startswith("smbsrvd ")
    r = subprocess.run([SMBSRVD, "--help"], capture_output=True, text=True,
                       timeout=10)
    assert r.returncode == 0 and "-c" in r.stdout
    r = subprocess.run([SMBSRVD, "--bogus"], capture_output=True, text=True,
                       timeout=10)
    assert r.returncode == 2


def test_embedded_default_listens_on_documented_ports(tmp_path):
    """What `make run` starts: smbsrvd -f with no file, from a work tree."""
    if port_open(4445) or port_open(8445):
        pytest.skip("a documented default port is in use on this machine")
    p = subprocess.Popen([SMBSRVD, "-f"], cwd=str(tmp_path),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: port_open(4445) and port_open(8445)), \
            "default ports not listening"
        assert os.path.exists(tmp_path / "var" / "smbsrvd.sock")
        assert os.path.isdir(tmp_path / "var" / "public")
        p.send_signal(signal.SIGINT)
        assert p.wait(10) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(5)
        p.stderr.close()
    assert not os.path.exists(tmp_path / "var" / "smbsrvd.sock")
    assert not os.path.exists(tmp_path / "var" / "smbsrvd.pid")
