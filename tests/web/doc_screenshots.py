"""Makes the README's screenshots (web/doc/*.png): a daemon with a few
clients coming and going for a minute, so the overview's chart has a
history, then the overview and sessions views at 1280x800.

    SMBSRVD_BIN=bin/smbsrvd /usr/bin/python3 tests/web/doc_screenshots.py web/doc

Not a test; make check does not run it.
"""
import os
import sys
import tempfile
import time

from impacket import smb3structs
from impacket.smbconnection import SMBConnection
from selenium.webdriver.common.by import By

from webutil import Daemon, make_browser, wait_for


def client(d, user, password, dialect):
    c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=d.smb_port,
                      preferredDialect=dialect, timeout=10)
    c.login(user, password)
    return c


def main(out):
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="smbsrvd-doc-")
    users = {"alice": "alice-pass-1", "bob": "bob-pass-1"}
    d = Daemon(tmp, users=users)
    d.shares = {
        "public": {"path": d.state_dir + "/public", "read only": "no",
                   "guest ok": "yes"},
        "projects": {"path": d.state_dir + "/projects", "read only": "no",
                     "max uses": "10", "comment": "team projects"},
    }
    d.start()
    held = []
    b = None
    try:
        dialects = [smb3structs.SMB2_DIALECT_21, smb3structs.SMB2_DIALECT_30,
                    smb3structs.SMB2_DIALECT_21]
        for step in range(12):
            user = "alice" if step % 2 else "bob"
            c = client(d, user, users[user], dialects[step % 3])
            tid = c.connectTree("projects")
            for i in range(step % 4 + 1):
                fid = c.createFile(tid, "%s-%d-%d.txt" % (user, step, i))
                c.writeFile(tid, fid, b"x" * 100)
            held.append(c)
            if step % 3 == 2:
                held.pop(0).close()
            time.sleep(3)
        with open(d.token_path) as f:
            token = f.read().strip()
        b = make_browser()
        b.get("http://127.0.0.1:%d/#token=%s" % (d.admin_port, token))
        wait_for(lambda: b.find_element(By.ID, "live").text == "live", 15)
        time.sleep(1.5)
        b.save_screenshot(os.path.join(out, "overview.png"))
        b.execute_script("location.hash = '#/sessions'")
        time.sleep(1.5)
        b.find_element(By.XPATH, "//table[@id='sess-table']//tbody/tr[1]"
                       "//button[text()='Details']").click()
        time.sleep(1)
        b.save_screenshot(os.path.join(out, "sessions.png"))
    finally:
        if b is not None:
            b.quit()
        for c in held:
            c.close()
        d.stop()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "web/doc")
