"""Generated bad-input sweep over every page: malformed URLs, and the controls' extremes combined.

The pages and their controls are discovered, not listed: every page registered in dashboard.py,
every keyed widget it draws at its defaults.
"""

import itertools
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


def covering_rows(factors: int, strength: int = 3, seed: int = 0, candidates: int = 60) -> list[tuple[int, ...]]:
    """Rows of 0/1 (a control at its minimum or maximum) in which every ``strength`` controls meet in
    all ``2**strength`` combinations of their extremes (a covering array, built greedily), plus the
    all-minimum and all-maximum rows. Every combination of ``factors`` extremes would be
    ``2**factors`` page runs (8,192 on the matrix page); this covers every interaction of up to
    ``strength`` controls in a few dozen."""
    rng = random.Random(seed)
    strength = min(strength, factors)
    groups = list(itertools.combinations(range(factors), strength))
    uncovered = {(g, combo) for g in groups for combo in itertools.product((0, 1), repeat=strength)}
    rows = [(0,) * factors, (1,) * factors]

    def covers(row):
        return {(g, tuple(row[i] for i in g)) for g in groups} & uncovered

    for row in rows:
        uncovered -= covers(row)
    while uncovered:
        # Seed each candidate from one uncovered combination, so every row covers at least it.
        group, combo = next(iter(uncovered))
        pool = []
        for _ in range(candidates):
            row = [rng.randint(0, 1) for _ in range(factors)]
            for index, level in zip(group, combo, strict=True):
                row[index] = level
            pool.append(tuple(row))
        best = max(pool, key=lambda row: len(covers(row)))
        rows.append(best)
        uncovered -= covers(best)
    return rows


@pytest.mark.parametrize("factors", [1, 2, 3, 5, 13])
def test_covering_rows_meet_every_triple_of_extremes(factors):
    rows = covering_rows(factors)
    for group in itertools.combinations(range(factors), min(3, factors)):
        seen = {tuple(row[i] for i in group) for row in rows}
        assert len(seen) == 2 ** len(group), group
    assert len(rows) <= max(2 ** factors, 30)


def test_every_triple_of_controls_at_their_extremes_only_ever_explains(page_controls):
    """Every slider and toggle at its minimum or maximum, every three of them in all 8 combinations:
    a result or a clear error, never an exception."""
    page, controls = page_controls
    levels = [(key, (str(widget.min), str(widget.max))) for key, kind, widget in controls if kind == "slider"]
    levels += [(key, ("false", "true")) for key, kind, _ in controls if kind == "toggle"]
    for row in covering_rows(len(levels), seed=len(page)):
        query = {key: values[level] for (key, values), level in zip(levels, row, strict=True)}
        at = open_page(page, query)
        assert_clean(at)
        for error in at.error:
            assert len(error.value) > 30 and "Traceback" not in error.value, (page, query, error.value)
