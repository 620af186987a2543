"""No page plans a figure wider than the page: Streamlit would shrink it, and its text would overlap.

Figures size their cells, tiles and titles in px for the width they plan (``FigureStyle.page_px``,
or their column's ``width_px``). Here every figure every page sends, at its defaults and at its
largest settings, in both modes, is planned no wider than the main column it is shown in.
"""

import pytest

from figures import FigureStyle
from tests.app_helpers import assert_clean, figures, open_page
from widgets import _MAIN_PX, panel_width_px

# Each page at its defaults and at the largest settings its controls allow (as bench/latency.py drives them).
CASES = {
    "matrix": [{}, {"in_h": 64, "in_w": 64, "k_h": 7, "k_w": 7, "c_in": 4, "c_out": 4}],
    "transposed": [{}, {"in_h": 16, "in_w": 16, "k_h": 7, "k_w": 7, "s_h": 4, "s_w": 4},
                   {"in_h": 16, "in_w": 16, "k_h": 7, "k_w": 7, "s_h": 4, "s_w": 4, "view": "Zero insertion"},
                   {"in_h": 16, "in_w": 16, "k_h": 7, "k_w": 7, "s_h": 4, "s_w": 4, "view": "Matrix"}],
    "channels": [{}, {"c_in": 64, "c_out": 64, "groups": 1, "k_h": 7, "k_w": 7, "in_h": 8, "in_w": 8},
                 {"c_in": 16, "c_out": 16, "groups": 4, "in_h": 16, "in_w": 16}],
    "checkerboard": [{}, {"n": 12, "k": 7, "s": 4, "d": 3, "layers": 3, "factor": 4}],
    "images": [{}, {"size": 512, "layer": "ConvTranspose2d", "c_out": 8, "s": 2}],
}


@pytest.mark.parametrize("present", [False, True], ids=["screen", "presentation"])
@pytest.mark.parametrize(("page", "query"), [(page, query) for page, queries in CASES.items() for query in queries])
def test_no_figure_is_planned_wider_than_the_page(page, query, present):
    at = open_page(page, {**query, "present": str(present).lower()})
    assert_clean(at)
    shown = figures(at)
    assert shown, f"{page} {query}: no figure"
    for figure in shown:
        title = (figure["layout"].get("title") or {}).get("text", "")
        assert figure["layout"]["width"] <= _MAIN_PX[present] + 0.5, (page, query, title, figure["layout"]["width"])


@pytest.mark.parametrize("present", [False, True], ids=["screen", "presentation"])
def test_the_images_pages_teaching_panels_plan_their_figures_for_the_panel(present):
    at = open_page("images", {"reshape": "true", "filter2d": "true", "present": str(present).lower()})
    assert_clean(at)
    in_panels = [f for f in figures(at) if any("permute" in a.get("text", "") or "filter2D" in a.get("text", "")
                                               for a in f["layout"].get("annotations", []))]
    assert len(in_panels) == 2
    inner = panel_width_px(FigureStyle.for_mode(presentation=present))
    assert all(figure["layout"]["width"] <= inner + 0.5 for figure in in_panels), [f["layout"]["width"] for f in in_panels]
