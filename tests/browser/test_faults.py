"""Faults a classroom produces: tabs closed or reloaded mid-rerun, many tabs at once, a dragged slider.

Each test ends by checking that the server still serves a fresh page whose slider change completes.
The pages come from dashboard.py (every registered page with a slider), so new pages are included.

Runs are counted from the server's own WebSocket messages by a script installed before each page
loads: ``APP_IDLE`` alone cannot tell a finished rerun from one that has not started yet (a fresh
page is notRunning + CONNECTED for a moment before its first run), and under load React can commit
a quick run's messages together so that ``running`` never shows in the DOM.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import running_server
from tests.browser.helpers import (
    APP_IDLE,
    EXCEPTION,
    REPO_ROOT,
    SERVER_LOG,
    assert_no_exception,
    exception_boxes,
    open_page,
    wait_for_rerun,
)


def _registered_pages() -> dict[str, Path]:
    """Every ``st.Page`` in dashboard.py, in order: URL path → source file."""
    pages = {}
    for node in ast.walk(ast.parse((REPO_ROOT / "dashboard.py").read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page":
            source = REPO_ROOT / node.args[0].value
            url_path = next((k.value.value for k in node.keywords if k.arg == "url_path"), source.stem)
            pages[url_path] = source
    return pages


PAGES = _registered_pages()
# Pages that make a slider (Controls.slider / .pair / layer_controls, or st.slider itself).
SLIDER_PAGES = [path for path, source in PAGES.items()
                if re.search(r"\bslider\(|\.pair\(|\blayer_controls\(", source.read_text())]
HEAVY_PAGE = "matrix" if "matrix" in SLIDER_PAGES else SLIDER_PAGES[-1]  # a rerun long enough to interrupt


# The slider the interruption tests move: the matrix page's input height. Not "the first slider":
# with several channels the page's first is the channel to show, whose run only redraws cached layers.
HEAVY_SLIDER = "in_h" if HEAVY_PAGE == "matrix" else None


def heavy_query(in_w: int) -> str:
    """A layer near the matrix page's largest, 4 → 4 channels: moving its input height (62 → 63)
    then asks for a W of about 3,000 × 4,000 per channel pair, 2.4 million entries, a run of
    several hundred ms.

    Each test passes its own ``in_w``, used by no other test: a layer an earlier test on the shared
    server already computed comes from the page's cache, and its run can end before it is interrupted.
    """
    return f"in_h=62&in_w={in_w}&k_h=7&k_w=7&c_in=4&c_out=4" if HEAVY_PAGE == "matrix" else ""


# Counts the server's runs from its WebSocket messages (ForwardMsg `new_session` = 4 starts a run,
# `script_finished` = 6 with status 0, 1 or 3 ends one: 3 is a fragment's run, such as the transposed
# page's scatter step; only top-level protobuf tags are read). The DOM's
# `data-test-script-state` is not enough: React can commit a quick run's messages together, and then
# `running` never reaches the DOM. `done` counts a run two frames after its last message, once drawn.
RUN_COUNTER_JS = """
(() => {
  const S = window.__runs = {started: 0, done: 0};
  const messageType = (data) => {
    if (!(data instanceof ArrayBuffer)) return [null, null];
    const bytes = new Uint8Array(data);
    let i = 0;
    const varint = () => {
      let value = 0, scale = 1, byte;
      do { byte = bytes[i++]; value += (byte & 127) * scale; scale *= 128; } while (byte & 128 && i < bytes.length);
      return value;
    };
    while (i < bytes.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag & 7;
      let value = null;
      if (wire === 0) value = varint();
      else if (wire === 2) { const length = varint(); i += length; }
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else return [null, null];
      if (field > 2) return [field, value];
    }
    return [null, null];
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const [field, value] = messageType(event.data);
        if (field === 4) S.started += 1;
        if (field === 6 && (value === 0 || value === 1 || value === 3)) {
          requestAnimationFrame(() => requestAnimationFrame(() => { S.done += 1; }));
        }
      });
    }
  };
})();
"""

# The first slider on the page that can still move right (main area first, then the sidebar): its key.
FIRST_SLIDER_JS = """
() => {
  for (const area of ['stMain', 'stSidebar']) {
    for (const input of document.querySelectorAll(`[data-testid="${area}"] input[type=range]`)) {
      const box = input.closest('[class*="st-key-"]');
      const key = box && [...box.classList].find((c) => c.startsWith('st-key-'));
      if (key && Number(input.value) < Number(input.max)) return key.slice('st-key-'.length);
    }
  }
  return null;
}
"""


def counting(page: Page) -> Page:
    """Count finished runs in ``page`` from its next navigation on (the script survives reloads)."""
    page.add_init_script(RUN_COUNTER_JS)
    return page


def runs(page: Page) -> int:
    return page.evaluate("() => window.__runs.done")


def starts(page: Page) -> int:
    return page.evaluate("() => window.__runs.started")


def wait_for_run_after(page: Page, before: int, timeout: float = 30_000) -> None:
    """Wait for a run to finish after ``before`` runs had been counted, then for the app to be idle."""
    page.wait_for_function("n => window.__runs.done > n", arg=before, timeout=timeout)
    page.wait_for_selector(APP_IDLE, timeout=timeout)


def open_counted(page: Page, base_url: str, path: str, query: str = "") -> Page:
    """open_page, then also wait for the first run to have finished (idle can come before it starts)."""
    counting(page)
    open_page(page, base_url, path, query)
    wait_for_run_after(page, 0, timeout=60_000)
    return page


def slider(page: Page, key: str):
    return page.locator(f".st-key-{key} input[type=range]")


def press(page: Page, key: str, arrow: str = "ArrowRight") -> int:
    """Focus the slider ``key`` and press ``arrow`` once; returns the run count before the press."""
    before = runs(page)
    slider(page, key).focus()
    page.keyboard.press(arrow)
    return before


def first_slider(page: Page) -> str:
    """The key of the page's first movable slider, waiting for it to be drawn.

    A fresh context draws a slider only after its component's code has loaded, which can be after
    the run that created it has finished.
    """
    return page.wait_for_function(FIRST_SLIDER_JS, timeout=30_000).json_value()


def assert_slider_change_completes(page: Page) -> None:
    """Move the page's first slider one step right: the rerun finishes, with the new value and no exception."""
    key = first_slider(page)
    value = int(slider(page, key).input_value())
    wait_for_run_after(page, press(page, key))
    expect(slider(page, key)).to_have_value(str(value + 1))
    assert_no_exception(page)


def server_log_size(log_path: Path = SERVER_LOG) -> int:
    return log_path.stat().st_size if log_path.exists() else 0


def _log_since(since: int, log_path: Path) -> str:
    with log_path.open("rb") as log:
        log.seek(since)
        return re.sub(r"\x1b\[[0-9;]*m", "", log.read().decode(errors="replace"))  # no colour codes


def assert_no_new_traceback(since: int, log_path: Path = SERVER_LOG) -> None:
    """The server log has no traceback after byte ``since`` (the page shows a redacted box at most)."""
    new = _log_since(since, log_path)
    assert "Traceback" not in new, f"The server logged an exception during this test:\n{new[-4000:]}"


def assert_no_exception_box(page: Page, log_path: Path) -> None:
    """assert_no_exception for a server of the test's own: the message quotes that server's errors."""
    boxes = exception_boxes(page)
    errors = re.findall(r"^\w+(?:Error|Exception)\b.*$", _log_since(0, log_path), re.M)
    assert not boxes, f"{page.url} shows {len(boxes)} exception box(es); {log_path} says:\n" + "\n".join(errors)


@pytest.fixture
def fresh_context(browser):
    """Another browser context (another visitor), closed after the test."""
    context: BrowserContext = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context
    context.close()


def _interrupted_then_fresh_visitor_works(page, streamlit_server, fresh_context, interrupt, in_w):
    log_start = server_log_size()
    open_counted(page, streamlit_server, HEAVY_PAGE, heavy_query(in_w))
    key = HEAVY_SLIDER or first_slider(page)
    if HEAVY_SLIDER:
        expect(slider(page, key)).to_have_value("62")  # drawn, at the value the query set
    started = starts(page)
    finished = press(page, key)
    page.wait_for_function("n => window.__runs.started > n", arg=started, timeout=10_000)  # the rerun began
    assert runs(page) == finished, "the rerun finished before it could be interrupted"
    interrupt(page)

    fresh = open_counted(fresh_context.new_page(), streamlit_server, SLIDER_PAGES[0])
    assert_no_exception(fresh)
    assert_slider_change_completes(fresh)
    assert_no_new_traceback(log_start)
    return fresh


def test_browser_disconnecting_mid_rerun_leaves_the_server_serving(page, streamlit_server, fresh_context):
    _interrupted_then_fresh_visitor_works(page, streamlit_server, fresh_context, lambda p: p.context.close(), in_w=61)


def test_reload_mid_rerun(page, streamlit_server, fresh_context):
    def reload(p: Page):
        p.reload()
        wait_for_run_after(p, 0, timeout=60_000)  # the counter restarts with the reloaded document
        assert_no_exception(p)
        assert_slider_change_completes(p)  # the reloaded tab itself works

    _interrupted_then_fresh_visitor_works(page, streamlit_server, fresh_context, reload, in_w=59)


def test_five_tabs_at_once_on_a_fresh_server_then_a_sixth(page):
    """The class arrives together: five different pages open at once as a fresh server's first visitors.

    A server of its own (the shared one is long warm by now): the first runs of a process import the
    heavy libraries, and concurrent first runs are where import races show.
    """
    log_path = REPO_ROOT / "test-results" / "faults-fresh-server.log"
    with running_server(log_path) as url:
        _five_tabs_then_a_sixth(page, url, log_path)
    assert_no_new_traceback(0, log_path)


def _five_tabs_then_a_sixth(page: Page, streamlit_server: str, log_path: Path) -> None:
    context = page.context
    tabs = [page] + [context.new_page() for _ in range(4)]
    for tab in tabs:
        counting(tab)
    # The home page first: it starts the heavy imports in a background thread and paints without
    # them, while the five pages opened right after it must wait for those imports, not race them.
    home = counting(context.new_page())
    home.goto(streamlit_server)
    # Open all five before waiting on any of them, so their first runs overlap.
    for tab, path in zip(tabs, (SLIDER_PAGES * 5)[:5], strict=True):
        tab.goto(f"{streamlit_server}/{path}")
    for tab in [home, *tabs]:
        wait_for_run_after(tab, 0, timeout=60_000)
        assert_no_exception_box(tab, log_path)
    expect(home.get_by_test_id("stMain").get_by_role("heading", name="ConvLab")).to_be_visible()
    keys = [first_slider(tab) for tab in tabs]
    values = [int(slider(tab, key).input_value()) for tab, key in zip(tabs, keys, strict=True)]
    befores = [press(tab, key) for tab, key in zip(tabs, keys, strict=True)]  # every change sent before any finishes
    for tab, key, value, before in zip(tabs, keys, values, befores, strict=True):
        wait_for_run_after(tab, before)
        expect(slider(tab, key)).to_have_value(str(value + 1))
        assert_no_exception_box(tab, log_path)

    sixth = open_counted(context.new_page(), streamlit_server, SLIDER_PAGES[0])
    assert_slider_change_completes(sixth)
    assert_no_exception_box(sixth, log_path)


@pytest.mark.skipif("output_size" not in PAGES, reason="the output-size page is not registered")
def test_rapid_slider_drag_ends_on_the_last_value(page, streamlit_server):
    open_counted(page, streamlit_server, "output_size")
    in_h = slider(page, "in_h")
    expect(in_h).to_have_value("4")
    in_h.focus()
    for _ in range(15):
        page.keyboard.press("ArrowRight")  # no waits: reruns are requested while others still run

    # The last value wins everywhere: the slider, its label, the URL, and the page's result.
    expect(in_h).to_have_value("19")
    metric = page.locator('[data-testid="stMetricValue"]')
    expect(metric).to_have_text("17 × 2", timeout=30_000)  # conv, k = 3: (19 − 3 + 1) × (4 − 3 + 1)
    page.wait_for_selector(APP_IDLE)
    wait_for_rerun(page)  # nothing still queued moves it afterwards
    expect(in_h).to_have_value("19")
    expect(in_h).to_have_attribute("aria-valuetext", "19")
    expect(page.locator('.st-key-in_h [data-testid="stSliderThumbValue"]')).to_have_text("19")
    expect(metric).to_have_text("17 × 2")
    # The formula for o_H is written with the numbers: its TeX source (KaTeX keeps it) ends in 19's result.
    formula = page.locator('[data-testid="stMain"] .katex annotation').first.text_content()
    assert formula.startswith(r"\begin{aligned}o_H") and r"\frac{19 + " in formula, formula
    assert formula.removesuffix(r"\end{aligned}").endswith("= 17"), formula
    assert re.search(r"[?&]in_h=19(&|$)", page.url), page.url
    assert page.locator(EXCEPTION).count() == 0
