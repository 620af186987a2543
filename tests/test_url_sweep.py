"""Generated bad-input sweep over every page: malformed URLs and random corners of the controls.

The pages and their controls are discovered, not listed: every page registered in dashboard.py,
every keyed widget it draws at its defaults.
"""

import random
import re

import pytest

from tests.app_helpers import ROOT, assert_clean, open_page

PAGES = re.findall(r'st\.Page\("pages/(\w+)\.py"', (ROOT / "dashboard.py").read_text())
SKIP_KEYS = {"present"}  # the shared sidebar toggle, swept on its own below


def _controls(at):
    """(key, kind, widget) for every keyed control at the page's defaults."""
    found = []
    for kind in ("slider", "selectbox", "radio", "toggle", "number_input", "text_input"):
        for widget in getattr(at, kind):
            if widget.key and widget.key not in SKIP_KEYS and not widget.key.startswith("kernel_editor"):
                found.append((widget.key, kind, widget))
    return found


BAD_VALUES = {
    "huge": "1000000000000", "negative": "-3", "float": "2.5", "empty": "", "text": "abc",
    "exponent": "1e3", "unicode": "٣", "spaces": " 3 ", "sql": "1;DROP",
}


@pytest.fixture(scope="module", params=PAGES)
def page_controls(request):
    at = open_page(request.param)
    assert_clean(at)
    return request.param, _controls(at)


@pytest.mark.parametrize("label", BAD_VALUES)
def test_every_control_given_a_bad_value_gives_a_notice_never_an_exception(page_controls, label):
    page, controls = page_controls
    query = {key: BAD_VALUES[label] for key, kind, _ in controls if kind != "text_input"}
    at = open_page(page, query)
    assert_clean(at)
    if query:
        notice = " ".join(w.value for w in at.warning)
        rejected = [key for key in query if f"`{key}=" in notice]
        # Every value a control could not take as written is named in the notice.
        shown = {key: str(widget.value).lower() for key, _, widget in _controls(at)}
        for key in query:
            # A control that is gone (the page stopped at an explained error) has nothing to report.
            if key in shown and shown[key] != BAD_VALUES[label].strip().lower():
                assert key in rejected, (page, key, label, notice)


def test_repeated_and_unknown_keys(page_controls):
    page, controls = page_controls
    at = open_page(page, {**{key: ["1", "2"] for key, kind, _ in controls[:3]}, "no_such_setting": "7"})
    assert_clean(at)
    notice = " ".join(w.value for w in at.warning)
    assert "no_such_setting=7" in notice


@pytest.mark.parametrize("present", ["true", "false", "maybe", ""])
def test_presentation_flag_in_any_form(page_controls, present):
    at = open_page(page_controls[0], {"present": present})
    assert_clean(at)


def test_random_corners_of_the_controls_only_ever_explain(page_controls):
    """Random combinations of each slider's min or max: a result or a clear error, never an exception."""
    page, controls = page_controls
    sliders = [(key, widget.min, widget.max) for key, kind, widget in controls if kind == "slider"]
    rng = random.Random(page)
    for _ in range(8):
        query = {key: str(rng.choice((low, high))) for key, low, high in sliders}
        at = open_page(page, query)
        assert_clean(at)
        for error in at.error:
            assert len(error.value) > 30 and "Traceback" not in error.value
