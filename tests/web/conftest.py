"""pytest fixtures of the web UI tests (helpers in webutil.py)."""
import os
import shutil

import pytest

from webutil import ARTIFACTS, CHROMEDRIVER, CHROMIUM, make_browser


@pytest.fixture(scope="module")
def browser():
    for exe in (CHROMIUM, CHROMEDRIVER):
        if not os.access(exe, os.X_OK):
            pytest.fail("%s is missing: run scripts/deps.sh build test" % exe)
    drv = make_browser()
    yield drv
    drv.quit()


@pytest.fixture(scope="module")
def artifacts():
    os.makedirs(ARTIFACTS, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def module_tmp(tmp_path_factory):
    d = tmp_path_factory.mktemp("web")
    yield d
    shutil.rmtree(str(d), ignore_errors=True)
