"""Every page at its defaults, in a browser: screenshots for the README and the projector check.

`make screenshots` sets CONVLAB_SCREENSHOTS=1 and the 1280×800 pictures are written to
docs/screenshots/; otherwise they go to test-results/ so a test run never edits tracked files.
"""

import os
import re

import pytest

from tests.browser.helpers import REPO_ROOT, assert_no_exception, open_page

PAGES = re.findall(r'url_path="(\w+)"', (REPO_ROOT / "dashboard.py").read_text())
OUT = REPO_ROOT / ("docs/screenshots" if os.environ.get("CONVLAB_SCREENSHOTS") else "test-results/screenshots")


def _wait_for_figures(page):
    """Until no element is a loading placeholder and every plotly chart has drawn (its SVG exists)."""
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stSkeleton"]')
                 && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                    .every(chart => chart.querySelector('.main-svg'))""", timeout=60_000)
    page.wait_for_timeout(300)


@pytest.mark.screenshots
@pytest.mark.parametrize("path", PAGES)
def test_screenshot_of_each_page(browser, streamlit_server, path):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        open_page(page, streamlit_server, "" if path == "home" else path)
        _wait_for_figures(page)
        assert_no_exception(page)
        OUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUT / f"{path}.png"))
    finally:
        context.close()


@pytest.mark.parametrize("path", [p for p in PAGES if p not in ("home", "quiz")])
def test_presentation_mode_shows_the_main_figure_on_a_projector_screen(browser, streamlit_server, path):
    """At 1280×720 with presentation mode on and the sidebar collapsed, a figure is on screen unscrolled."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        open_page(page, streamlit_server, path, {"present": "true"})
        _wait_for_figures(page)
        assert_no_exception(page)
        page.locator('[data-testid="stSidebar"]').hover()  # the collapse button shows on hover
        page.locator('[data-testid="stSidebarCollapseButton"] button').first.click()
        page.wait_for_timeout(500)
        assert page.locator('.st-key-present input').is_checked()  # the mode survives collapsing the sidebar
        # The page's main element: its figures, or the big result (the output-size page's metric).
        charts = page.locator('[data-testid="stPlotlyChart"], [data-testid="stMetric"]')
        visible = [box for box in (charts.nth(i).bounding_box() for i in range(charts.count())) if box]
        page.screenshot(path=str(REPO_ROOT / "test-results" / f"present-{path}.png"))
        assert any(box["y"] < 720 and box["y"] + box["height"] > 0 and box["height"] > 80 for box in visible), path
    finally:
        context.close()
