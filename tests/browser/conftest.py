"""Shared harness for every browser test: one Streamlit server and one Chromium for the whole session.

Fixtures: ``streamlit_server`` (session, the app's base URL), ``browser`` (session, a Playwright
Browser) and ``page`` (a fresh 1280×800 context per test). Helpers live in ``tests.browser.helpers``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.helpers import REPO_ROOT, SERVER_LOG

SYSTEM_CHROMIUM = "/usr/bin/chromium"  # Debian's package; `make test` installs it where it can
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root in CI, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HEALTH_TIMEOUT = 60  # seconds; the first start imports torch and friends
BROWSER_DIR = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items, so mark only those that live under tests/browser.
    for item in items:
        if BROWSER_DIR in item.path.parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    # No proxies: the server is on loopback, and an HTTP(S)_PROXY in the environment must not see it.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except OSError:
        return False


def _stop(proc: subprocess.Popen) -> None:
    """Terminate the server and anything it started (it leads its own process group)."""
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(grace)
            return
        except subprocess.TimeoutExpired:
            continue


def _log_tail(lines: int = 40) -> str:
    return "\n".join(SERVER_LOG.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def running_server(log_path: Path = SERVER_LOG):
    """``streamlit run dashboard.py`` on a free loopback port; yields its base URL, stops it after."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "streamlit", "run", "dashboard.py",
        "--server.headless", "true",
        "--server.address", "127.0.0.1",  # loopback only
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + HEALTH_TIMEOUT
        while not _healthy(url):
            if proc.poll() is not None:
                pytest.fail(f"Streamlit exited with code {proc.returncode}:\n{_log_tail()}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"Streamlit not healthy after {HEALTH_TIMEOUT} s:\n{_log_tail()}", pytrace=False)
            time.sleep(0.25)
        yield url
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def streamlit_server():
    """Start ``streamlit run dashboard.py`` once for the session; yields its base URL (no trailing slash)."""
    with running_server() as url:
        yield url


def _chromium_executable(playwright) -> str:
    """The system Chromium, else one on PATH, else Playwright's own download; fail loudly if none."""
    candidates = [SYSTEM_CHROMIUM, shutil.which("chromium"), shutil.which("chromium-browser")]
    candidates.append(playwright.chromium.executable_path)  # where `playwright install chromium` puts it
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(
        "No Chromium found for the browser tests. Run `make test`, which installs one, or "
        "`apt-get install chromium`, or `python -m playwright install chromium`.",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (Playwright's sync API), shared by the whole session."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_chromium_executable(playwright), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A new page in its own 1280×800 context, closed after the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()
