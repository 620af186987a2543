"""Helpers for driving ConvLab in a browser: open a page, wait for Streamlit's reruns, find exceptions.

Import them as ``from tests.browser.helpers import open_page, wait_for_rerun, assert_no_exception``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import Page

REPO_ROOT = Path(__file__).resolve().parents[2]
# The test server's output: uncaught exceptions are redacted in the page (client.showErrorDetails
# is "none" in .streamlit/config.toml), so their tracebacks are only here.
SERVER_LOG = REPO_ROOT / "test-results" / "streamlit-server.log"

APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"][data-test-connection-state="CONNECTED"]'
EXCEPTION = '[data-testid="stException"]'


def open_page(page: Page, base_url: str, path: str = "", query: str | Mapping[str, object] = "") -> Page:
    """Go to ``base_url/path?query`` and wait until the app's script has finished running."""
    url = f"{base_url.rstrip('/')}/{path.lstrip('/')}"
    if query:
        url += "?" + (urlencode(query) if isinstance(query, Mapping) else query.lstrip("?"))
    page.goto(url)
    wait_for_rerun(page)
    return page


def wait_for_rerun(page: Page, timeout: float = 30_000) -> None:
    """Wait for the rerun triggered by the last interaction to finish (timeout in ms)."""
    # The rerun starts a moment after the click or keypress; without this pause the selector
    # could match the idle state from before it.
    page.wait_for_timeout(300)
    page.wait_for_selector(APP_IDLE, timeout=timeout)


def exception_boxes(page: Page) -> list[str]:
    """The text of every exception box on the page (empty if none)."""
    return page.locator(EXCEPTION).all_inner_texts()


def assert_no_exception(page: Page) -> None:
    boxes = exception_boxes(page)
    assert not boxes, (
        f"The app shows {len(boxes)} exception box(es); tracebacks are in {SERVER_LOG}:\n" + "\n---\n".join(boxes)
    )
