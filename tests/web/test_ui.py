"""The web UI in headless Chromium against a real smbsrvd with real SMB
clients (impacket, smbclient) connected.

The tests of this module run in order on one daemon and one browser, as
an administrator would: sign in, look at the clients' sessions, force a
logoff, watch a dropped durable open wait in the opens view, add a share
and connect to it, follow the events, survive a daemon restart.  Every
view is saved as a screenshot under $WEB_ARTIFACTS, and at the end the
browser's console must hold no error.
"""
import json
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from impacket import smb3structs
from impacket.nt_errors import STATUS_FILE_CLOSED, \
    STATUS_USER_SESSION_DELETED
from impacket.smbconnection import SMBConnection, SessionError
from selenium.common.exceptions import NoSuchElementException, \
    StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from webutil import Daemon, wait_for

USER, PASSWORD = "alice", "alice-pass-1"
NEWUSER, NEWPASS = "carol", "carol-pass-1"
WAIT = 15


# --- the daemon, its API, its clients -----------------------------------------

@pytest.fixture(scope="module")
def srv(module_tmp):
    d = Daemon(module_tmp / "ui", users={USER: PASSWORD})
    os.makedirs(d.tmp, exist_ok=True)
    d.shares = {
        "public": {"path": d.state_dir + "/public", "read only": "no",
                   "guest ok": "yes"},
        "data": {"path": d.state_dir + "/data", "read only": "no",
                 "max uses": "5", "comment": "team data"},
    }
    d.start()
    yield d
    if d.proc is not None:
        d.stop()


def token(d):
    with open(d.token_path) as f:
        return f.read().strip()


def api(d, path, method="GET", body=None):
    """The API over TCP with the token, as the page uses it."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        "http://127.0.0.1:%d/api/v1%s" % (d.admin_port, path), data=data,
        method=method, headers={"Authorization": "Bearer " + token(d),
                                "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None


def route_exists(d, method, path, body=None):
    st, _ = api(d, path, method, body)
    return st not in (404, 405), st


def impacket(d, user=USER, password=PASSWORD):
    c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=d.smb_port,
                      preferredDialect=smb3structs.SMB2_DIALECT_21,
                      timeout=10)
    c.login(user, password)
    return c


def durable_open(c, tid, name):
    """CREATE with a batch oplock and DHnQ (MS-SMB2 2.2.13.2.3)."""
    ctx = smb3structs.SMB2CreateContext()
    ctx["NameOffset"] = 16
    ctx["NameLength"] = 4
    ctx["DataOffset"] = 24
    ctx["DataLength"] = 16
    ctx["Buffer"] = b"DHnQ" + b"\0" * 4 + b"\0" * 16
    return c._SMBConnection.create(
        tid, name, smb3structs.FILE_READ_DATA | smb3structs.FILE_WRITE_DATA,
        smb3structs.FILE_SHARE_READ, smb3structs.FILE_NON_DIRECTORY_FILE,
        smb3structs.FILE_OVERWRITE_IF, smb3structs.FILE_ATTRIBUTE_NORMAL,
        oplockLevel=smb3structs.SMB2_OPLOCK_LEVEL_BATCH,
        createContexts=[ctx])


def drop(c):
    """The client's TCP connection goes away without a LOGOFF."""
    s = c._SMBConnection._NetBIOSSession.get_socket()
    try:
        s.shutdown(socket.SHUT_RDWR)
    finally:
        s.close()


def smb_status(fn, *args):
    with pytest.raises(SessionError) as e:
        fn(*args)
    return e.value.getErrorCode()


class Smbclient:
    """An interactive smbclient that keeps its session until closed."""

    def __init__(self, d, share, user=None, password=None):
        args = ["smbclient", "-p", str(d.smb_port), "//127.0.0.1/" + share,
                "--option=client use spnego principal=no"]
        args += ["-N"] if user is None else ["-U", "%s%%%s" % (user,
                                                               password)]
        self.p = subprocess.Popen(args, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)

    def close(self):
        try:
            self.p.communicate(b"exit\n", timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait(5)


def smbclient_run(d, share, cmd, user=None, password=None):
    args = ["smbclient", "-p", str(d.smb_port), "//127.0.0.1/" + share,
            "-c", cmd, "--option=client use spnego principal=no"]
    args += ["-N"] if user is None else ["-U", "%s%%%s" % (user, password)]
    return subprocess.run(args, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def clients(srv):
    """alice over impacket holding report.txt on [data], and a guest
    smbclient sitting in [public]."""
    a = impacket(srv)
    tid = a.connectTree("data")
    fid = a.createFile(tid, "report.txt")
    a.writeFile(tid, fid, b"quarterly numbers")
    g = Smbclient(srv, "public")
    assert wait_for(lambda: len(api(srv, "/sessions")[1]["items"]) == 2,
                    WAIT), api(srv, "/sessions")
    yield {"alice": a, "tid": tid, "fid": fid, "guest": g}
    g.close()
    try:
        a.close()
    except Exception:           # logged off by the test
        pass


# --- the browser ---------------------------------------------------------------

def base(d):
    return "http://127.0.0.1:%d/" % d.admin_port


# Views draw their tables anew on every event, so element references go
# stale; every read and click looks the element up again.
STALE = (StaleElementReferenceException, NoSuchElementException)


def wait(browser, cond, what, timeout=WAIT):
    try:
        return WebDriverWait(browser, timeout, poll_frequency=0.1,
                             ignored_exceptions=STALE).until(
            lambda b: cond(b))
    except Exception:
        raise AssertionError("timed out waiting for %s; notice: %r" % (
            what, notice_text(browser)))


def retry(fn, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except STALE:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def click(browser, xpath):
    retry(lambda: browser.find_element(By.XPATH, xpath).click())


def attr(browser, xpath, name):
    return retry(lambda: browser.find_element(By.XPATH, xpath)
                 .get_attribute(name))


def text(browser, elid):
    return retry(lambda: browser.find_element(By.ID, elid).text)


def notice_text(browser):
    try:
        n = browser.find_element(By.ID, "notice")
        return n.text if n.is_displayed() else ""
    except Exception:
        return "?"


def shot(browser, artifacts, name):
    browser.save_screenshot(os.path.join(artifacts, name + ".png"))


def show(browser, view):
    browser.execute_script("location.hash = arguments[0]", "#/" + view)
    wait(browser, lambda b: b.find_element(By.ID, "view-" + view)
         .is_displayed(), "view " + view)


def rows(browser, table):
    return browser.find_elements(By.CSS_SELECTOR, "#%s tbody tr[data-%s]" % (
        table, "session" if table == "sess-table" else "open"))


def confirm(browser, expect_in_impact):
    """Waits for the dry run's impact in the dialog and says OK."""
    dlg = browser.find_element(By.ID, "confirm")
    wait(browser, lambda b: dlg.is_displayed(), "the confirmation")
    wait(browser, lambda b: re.search(expect_in_impact, dlg.text),
         "impact %r in %r" % (expect_in_impact, dlg.text))
    ok = browser.find_element(By.ID, "confirm-ok")
    wait(browser, lambda b: ok.is_enabled(), "the OK button")
    return dlg, ok


LOGS = []


def drain(browser):
    LOGS.extend(browser.get_log("browser"))


def errors(entries, allowed=()):
    return [e for e in entries if e["level"] == "SEVERE" and
            not any(re.search(a, e["message"]) for a in allowed)]


# --- the tests, in order ----------------------------------------------------------

def test_wrong_token_asks_to_sign_in(srv, browser):
    browser.get(base(srv) + "#token=0000")
    form = browser.find_element(By.ID, "signin-form")
    wait(browser, lambda b: form.is_displayed(), "the sign-in form")
    wait(browser, lambda b: "refused" in notice_text(b), "the refusal")
    assert "token=" not in browser.current_url
    assert browser.execute_script(
        "return sessionStorage.getItem('smbsrvd.token')") is None
    # The refused requests are the only errors, and they are the 401s.
    entries = browser.get_log("browser")
    assert not errors(entries, [r"status of 401"]), entries


def test_signin_link_and_overview(srv, browser, clients, artifacts):
    browser.get(base(srv) + "#token=" + token(srv))
    live = browser.find_element(By.ID, "live")
    wait(browser, lambda b: live.text == "live", "the live event stream")
    # The token left the address bar; it is kept for this tab only.
    assert browser.current_url.endswith("/#/overview")
    assert browser.execute_script(
        "return sessionStorage.getItem('smbsrvd.token')") == token(srv)
    assert browser.execute_script(
        "return localStorage.length") == 0
    counts = browser.find_element(By.ID, "ov-counts")
    wait(browser, lambda b: re.search(r"Sessions\s+2\b", counts.text),
         "two sessions in the overview: %r" % counts.text)
    assert re.search(r"Open files\s+1\b", counts.text), counts.text
    assert re.search(r"Shares\s+\d", counts.text)
    facts = browser.find_element(By.ID, "ov-server").text
    assert api(srv, "/server")[1]["guid"] in facts
    # The chart has both lines and says in words what it shows.
    assert len(browser.find_elements(By.CSS_SELECTOR,
                                     "#chart svg path.s-sessions")) == 1
    assert len(browser.find_elements(By.CSS_SELECTOR,
                                     "#chart svg path.s-opens")) == 1
    cap = browser.find_element(By.ID, "chart-desc").text
    assert "now 2 sessions and 1 open files" in cap, cap
    shot(browser, artifacts, "overview")
    drain(browser)


def test_sessions_view_lists_the_clients(srv, browser, clients, artifacts):
    show(browser, "sessions")
    want = {s["id"] for s in api(srv, "/sessions")[1]["items"]}
    wait(browser, lambda b: {r.get_attribute("data-session")
                             for r in rows(b, "sess-table")} == want,
         "the sessions %s" % want)
    assert USER in text(browser, "sess-table")
    # Sort by user, both ways; the header says which.
    th = "//table[@id='sess-table']//th[button[text()='User']]"
    click(browser, th + "/button")
    assert attr(browser, th, "aria-sort") == "ascending"
    click(browser, th + "/button")
    assert attr(browser, th, "aria-sort") == "descending"
    # Filter.
    f = browser.find_element(By.ID, "sess-filter")
    f.send_keys(USER)
    wait(browser, lambda b: len(rows(b, "sess-table")) == 1, "one row")
    # The detail shows the session's tree connects and opens.
    click(browser, "//table[@id='sess-table']//tbody/tr[1]"
          "//button[text()='Details']")
    detail = browser.find_element(By.ID, "sess-detail")
    wait(browser, lambda b: detail.is_displayed() and
         "report.txt" in detail.text, "the session's detail")
    assert "data" in text(browser, "sess-detail")
    f.send_keys(Keys.CONTROL, "a")
    f.send_keys(Keys.DELETE)
    wait(browser, lambda b: len(rows(b, "sess-table")) == 2, "both rows")
    shot(browser, artifacts, "sessions")
    drain(browser)


def test_force_logoff_ends_the_clients_session(srv, browser, clients,
                                               artifacts):
    show(browser, "sessions")
    alice = [s for s in api(srv, "/sessions")[1]["items"]
             if s["user"] == USER][0]
    click(browser, "//tr[@data-session='%s']//button[starts-with(text(),"
          "'Log off')]" % alice["id"])
    dlg, ok = confirm(browser, r"1 open\(s\)")
    assert "1 session(s)" in dlg.text and "1 tree connect(s)" in dlg.text
    assert alice["client"] in dlg.text
    # Keeping durable opens is offered only if the contract has it.
    req = urllib.request.Request(
        base(srv) + "api/v1/openapi.yaml",
        headers={"Authorization": "Bearer " + token(srv)})
    with urllib.request.urlopen(req, timeout=10) as r:
        offered = b"keep_durable" in r.read()
    assert browser.find_element(By.ID, "keep-durable").is_enabled() == \
        offered
    shot(browser, artifacts, "confirm-logoff")
    # The dry run changed nothing.
    assert alice["id"] in {s["id"] for s in
                           api(srv, "/sessions")[1]["items"]}
    ok.click()
    wait(browser, lambda b: not b.find_elements(
        By.CSS_SELECTOR, "tr[data-session='%s']" % alice["id"]),
        "the session to vanish")
    assert alice["id"] not in {s["id"] for s in
                               api(srv, "/sessions")[1]["items"]}
    # The client's next request fails.
    a = clients["alice"]
    assert smb_status(a.readFile, clients["tid"], clients["fid"]) == \
        STATUS_USER_SESSION_DELETED
    drain(browser)


def test_dropped_durable_open_waits_in_the_opens_view(srv, browser,
                                                      artifacts):
    c = impacket(srv)
    tid = c.connectTree("public")
    durable_open(c, tid, "durable.txt")
    drop(c)
    assert wait_for(lambda: any(
        o["state"] == "detached"
        for o in api(srv, "/opens")[1]["items"]), WAIT), \
        "the server kept no durable open: %s" % api(srv, "/opens")[1]
    show(browser, "opens")
    Select(browser.find_element(By.ID, "open-state")).select_by_value(
        "detached")
    wait(browser, lambda b: len(rows(b, "open-table")) == 1 and
         rows(b, "open-table")[0].get_attribute("data-state") ==
         "detached", "the disconnected open")
    row = retry(lambda: rows(browser, "open-table")[0].text)
    assert "durable.txt" in row and "disconnected" in row
    has_scav, st = route_exists(srv, "GET", "/scavenger")
    if has_scav:
        def secs():
            cd = text(browser, "open-table")
            m = re.search(r"(?:(\d+)m )?(\d+)s \(", cd)
            return int(m.group(1) or 0) * 60 + int(m.group(2))
        first = secs()
        wait(browser, lambda b: secs() < first, "the countdown to run",
             timeout=5)
    shot(browser, artifacts, "opens")
    if has_scav:
        # Extend: a later deadline shows at once.
        oid = attr(browser, "//table[@id='open-table']//tbody/tr[1]",
                   "data-open")
        row = "//tr[@data-open='%s']" % oid
        click(browser, row + "//button[starts-with(text(),'Extend')]")
        inp = browser.find_element(By.ID, "prompt-input")
        wait(browser, lambda b: inp.is_displayed(), "the extend prompt")
        inp.send_keys("250" + Keys.ENTER)
        wait(browser, lambda b: secs() > 200, "the extended deadline")
        # Expire now, after the dry run names it.
        click(browser, row + "//button[starts-with(text(),'Expire')]")
        _, ok = confirm(browser, r"1 open\(s\)")
        ok.click()
        wait(browser, lambda b: not b.find_elements(
            By.CSS_SELECTOR, "tr[data-open='%s']" % oid), "the expiry")
        assert not any(o["state"] == "detached"
                       for o in api(srv, "/opens")[1]["items"])
    drain(browser)
    if not has_scav:
        pytest.fail("the open waits as disconnected, but this tree's API "
                    "answers %d for GET /api/v1/scavenger, so there is no "
                    "deadline to count down" % st)


def test_who_holds_and_close_an_open(srv, browser, artifacts):
    c = impacket(srv)
    tid = c.connectTree("data")
    fid = c.createFile(tid, "held.txt")
    show(browser, "opens")
    Select(browser.find_element(By.ID, "open-state")).select_by_value("")
    who = browser.find_element(By.ID, "who-path")
    who.send_keys("held.txt" + Keys.ENTER)
    wait(browser, lambda b: len(rows(b, "open-table")) == 1 and
         "held.txt" in rows(b, "open-table")[0].text, "who holds held.txt")
    oid = attr(browser, "//table[@id='open-table']//tbody/tr[1]",
               "data-open")
    row = "//tr[@data-open='%s']" % oid
    click(browser, row + "//button[text()='Details']")
    detail = browser.find_element(By.ID, "open-detail")
    wait(browser, lambda b: detail.is_displayed() and USER in detail.text,
         "the joined record")
    dt = text(browser, "open-detail")
    assert "Session" in dt and "127.0.0.1" in dt
    shot(browser, artifacts, "who-holds")
    click(browser, row + "//button[starts-with(text(),'Close')]")
    _, ok = confirm(browser, r"1 open\(s\)")
    ok.click()
    wait(browser, lambda b: not b.find_elements(
        By.CSS_SELECTOR, "tr[data-open='%s']" % oid), "the open to go")
    assert smb_status(c.readFile, tid, fid) == STATUS_FILE_CLOSED
    browser.find_element(By.ID, "who-clear").click()
    c.close()
    drain(browser)


def test_add_a_share_and_connect(srv, browser, artifacts, module_tmp):
    show(browser, "shares")
    table = browser.find_element(By.ID, "share-table")
    wait(browser, lambda b: "team data" in table.text, "the shares")
    assert re.search(r"0 / 5", table.text), table.text
    assert browser.find_elements(By.CSS_SELECTOR, "#share-table meter")
    exists, st = route_exists(srv, "POST", "/shares", {})
    if not exists:
        # The page says it cannot, and offers no form.
        wait(browser, lambda b: "cannot add" in table.text,
             "the read-only note")
        assert not browser.find_element(By.ID, "share-form").is_displayed()
        shot(browser, artifacts, "shares")
        drain(browser)
        pytest.fail("this tree's API answers %d for POST /api/v1/shares "
                    "(the shares routes come from the API work)" % st)
    path = str(module_tmp / "newshare")
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "hello.txt"), "w") as f:
        f.write("hi\n")
    browser.find_element(By.ID, "sh-name").send_keys("fresh")
    browser.find_element(By.ID, "sh-path").send_keys(path)
    browser.find_element(By.ID, "sh-comment").send_keys("made in the UI")
    browser.find_element(By.ID, "sh-guest").click()
    browser.find_element(By.ID, "sh-submit").click()
    wait(browser, lambda b: "made in the UI" in table.text, "the new share")
    shot(browser, artifacts, "shares")
    r = smbclient_run(srv, "fresh", "ls")
    assert r.returncode == 0 and "hello.txt" in r.stdout, r.stdout + r.stderr
    drain(browser)


def test_users_view(srv, browser, artifacts):
    show(browser, "users")
    table = browser.find_element(By.ID, "user-table")
    exists, st = route_exists(srv, "GET", "/users")
    if not exists:
        wait(browser, lambda b: "no /users route" in table.text,
             "the note on users")
        shot(browser, artifacts, "users")
        drain(browser)
        pytest.fail("this tree's API answers %d for GET /api/v1/users" % st)
    wait(browser, lambda b: USER in table.text, "the users")
    browser.find_element(By.ID, "us-name").send_keys(NEWUSER)
    browser.find_element(By.ID, "us-pass").send_keys(NEWPASS + Keys.ENTER)
    wait(browser, lambda b: NEWUSER in table.text, "the new user")
    shot(browser, artifacts, "users")
    r = smbclient_run(srv, "data", "ls", NEWUSER, NEWPASS)
    assert r.returncode == 0, r.stdout + r.stderr
    drain(browser)


def test_events_tail_live(srv, browser, artifacts):
    show(browser, "events")
    ev = browser.find_element(By.ID, "ev-list")
    before = len(ev.find_elements(By.TAG_NAME, "li"))
    r = smbclient_run(srv, "public", "ls")
    assert r.returncode == 0, r.stderr
    wait(browser, lambda b: len(ev.find_elements(By.TAG_NAME, "li")) >
         before and "session.deregistered" in ev.text, "new events")
    first = retry(lambda: ev.find_elements(By.TAG_NAME, "li")[0].text)
    assert "session.deregistered" in first or "tree.deregistered" in first
    assert "admin.session.closed" in ev.text    # the logoff, earlier
    shot(browser, artifacts, "events")
    drain(browser)


def test_keyboard_and_narrow_screen(srv, browser, artifacts):
    show(browser, "overview")
    link = browser.find_element(By.CSS_SELECTOR, "nav a[data-view=sessions]")
    link.send_keys(Keys.ENTER)
    wait(browser, lambda b: b.find_element(By.ID, "view-sessions")
         .is_displayed(), "sessions by keyboard")
    assert link.get_attribute("aria-current") == "page"
    # Every control is a real button, link or form field.
    assert browser.execute_script(
        "return document.querySelectorAll('[onclick], div[tabindex]')"
        ".length") == 0
    # A phone: 390 CSS pixels wide (headless windows stop at 500).
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 390, "height": 844, "deviceScaleFactor": 1,
        "mobile": True})
    try:
        for view in ("sessions", "overview", "opens"):
            show(browser, view)
            time.sleep(0.3)
            assert browser.execute_script(
                "return document.documentElement.scrollWidth <= "
                "window.innerWidth + 1"), "%s scrolls sideways" % view
            shot(browser, artifacts, view + "-narrow")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    drain(browser)


def test_reconnects_and_resumes_after_a_restart(srv, browser):
    show(browser, "overview")
    live = browser.find_element(By.ID, "live")
    wait(browser, lambda b: live.text == "live", "live")
    drain(browser)
    assert srv.stop() == 0
    wait(browser, lambda b: live.text == "reconnecting", "reconnecting")
    srv.start()
    wait(browser, lambda b: live.text == "live", "live again", timeout=40)
    wait(browser, lambda b: "restarted" in notice_text(b),
         "the restart notice")
    # New state shows without a reload: a new client appears.
    c = impacket(srv)
    counts = browser.find_element(By.ID, "ov-counts")
    wait(browser, lambda b: re.search(r"Sessions\s+1\b", counts.text),
         "the new session: %r" % counts.text)
    c.close()
    # While it was down the stream's fetches failed; nothing else did.
    entries = browser.get_log("browser")
    assert not errors(entries, [r"/api/v1/events .*ERR_CONNECTION_REFUSED",
                                r"/api/v1/events - Failed to load",
                                r"net::ERR_CONNECTION_REFUSED"]), entries


def test_no_console_errors(browser):
    drain(browser)
    assert not errors(LOGS), LOGS
