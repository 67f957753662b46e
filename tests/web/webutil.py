"""Helpers of the web UI tests: the integration suite's Daemon and
headless Chromium driven by Selenium (Debian's chromium, chromium-driver
and python3-selenium; scripts/deps.sh installs them).

Screenshots go to $WEB_ARTIFACTS (make check-web: build/web-artifacts).
"""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
INTEGRATION = os.path.join(os.path.dirname(HERE), "integration")
sys.path.insert(0, INTEGRATION)

# The integration suite's Daemon, loaded under its own name: both folders
# have a conftest module.
_spec = importlib.util.spec_from_file_location(
    "smbsrvd_integration", os.path.join(INTEGRATION, "conftest.py"))
itest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(itest)
REPO, Daemon, wait_for = itest.REPO, itest.Daemon, itest.wait_for

ARTIFACTS = os.environ.get("WEB_ARTIFACTS",
                           os.path.join(REPO, "build", "web-artifacts"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


def make_browser(width=1280, height=800):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--no-first-run",
              "--disable-extensions", "--disable-background-networking",
              "--window-size=%d,%d" % (width, height)):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    drv.set_page_load_timeout(20)
    drv.set_script_timeout(20)
    return drv


