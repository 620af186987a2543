"""Figures fit their columns: on a 1280 px window with the sidebar open, no cell overlaps its
neighbour and no text runs out of its figure or into another.

A grid's cells are plotly markers of a fixed px size; a figure planned wider than its column is
squeezed by the browser until the markers overlap and the numbers run together. Each page plans its
grids for its columns (``widgets.column_widths_px``); here the drawn figures are measured: the px one
cell takes on the x axis against the marker's px size, and the title's right edge against the figure's.
"""

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import assert_no_exception, open_page


def measured_on(page: Page, base_url: str, path: str, query, measure_js: str, at_least: int) -> list:
    """Open ``path?query``, check it shows no exception, wait until ``measure_js`` returns at least
    ``at_least`` items (figures draw after the run ends) and return them."""
    open_page(page, base_url, path, query)
    assert_no_exception(page)
    page.wait_for_function(f"() => ({measure_js})().length >= {at_least}", timeout=15_000)
    return page.evaluate(measure_js)

# For every marker-drawn grid (and matrix W drawn as points) on the page: [cell px on the x axis, marker px, title right edge, figure right edge].
GRID_FIT_JS = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot'))
    .filter((plot) => plot._fullData && plot._fullData[0] && plot._fullData[0].type === 'scatter'
                      && plot._fullData[0].marker && plot._fullData[0].marker.symbol === 'square'
                      && plot._fullLayout.yaxis && (plot._fullLayout.yaxis.scaleanchor === 'x'
                                                    || (plot.layout.meta && plot.layout.meta.rendering === 'svg')))
    .map((plot) => {
        const xaxis = plot._fullLayout.xaxis, title = plot.querySelector('.gtitle');
        const frame = plot.getBoundingClientRect();
        return [Math.abs(xaxis.d2p(1) - xaxis.d2p(0)), plot._fullData[0].marker.size,
                title ? title.getBoundingClientRect().right : frame.left, frame.right];
    })"""

CASES = {
    "matrix at its defaults, presentation mode": ("matrix", {"present": "true"}, 3),
    "matrix 16×16 with a 7×7 kernel": ("matrix", {"in_h": 16, "in_w": 16, "k_h": 7, "k_w": 7}, 3),
    "matrix 16×16, 7×7 kernel, presentation mode": ("matrix", {"in_h": 16, "in_w": 16, "k_h": 7, "k_w": 7,
                                                               "present": "true"}, 3),
    # 200 entries: W is drawn as squares (beyond 300 the channels page draws it as one image).
    "channels 2 → 2 in 2 groups, presentation mode (W in three fifths of the page)": (
        "channels", {"c_in": 2, "c_out": 2, "groups": 2, "present": "true"}, 2),
    "transposed scatter view, 4×4 input, 5×5 kernel, stride 2": ("transposed", {"in_h": 4, "in_w": 4, "k_h": 5,
                                                                               "k_w": 5, "s_h": 2, "s_w": 2}, 4),
    "transposed scatter view at its largest, presentation mode": ("transposed", {"in_h": 16, "in_w": 16, "k_h": 7,
                                                                                 "k_w": 7, "s_h": 4, "s_w": 4,
                                                                                 "present": "true"}, 2),
    "transposed zero insertion, presentation mode": ("transposed", {"view": "Zero insertion", "in_h": 4, "in_w": 4,
                                                                   "k_h": 3, "k_w": 3, "s_h": 2, "s_w": 2,
                                                                   "present": "true"}, 4),
}


@pytest.mark.parametrize("case", list(CASES))
def test_no_grid_is_squeezed_below_its_cells_size(page: Page, streamlit_server, case):
    path, query, grids = CASES[case]
    for cell_px, marker_px, title_right, figure_right in measured_on(page, streamlit_server, path, query,
                                                                     GRID_FIT_JS, grids):
        assert cell_px >= marker_px - 0.5, f"{case}: cells {cell_px:.1f} px apart but {marker_px:.1f} px wide"
        assert title_right <= figure_right + 1, f"{case}: a title runs {title_right - figure_right:.0f} px past its figure"


# For every figure on the page: its frame, the box of its title and of each annotation (tile titles), and
# the boxes of its x and y tick labels.
TEXT_BOXES_JS = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')).map((plot) => {
    const box = (element) => { const r = element.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
    const labelled = (selector) => Array.from(plot.querySelectorAll(selector))
        .filter((text) => text.textContent.trim()).map((text) => [text.textContent, box(text)]);
    return {frame: box(plot), texts: labelled('.gtitle, .annotation-text'),
            ticks: [labelled('.xaxislayer-above .xtick text'), labelled('.yaxislayer-above .ytick text')]};
})"""

TEXT_CASES = {
    "images at its largest with its teaching panels open, presentation mode": ("images", {
        "size": 512, "layer": "ConvTranspose2d", "c_out": 8, "s": 2, "reshape": "true", "filter2d": "true",
        "present": "true"}),
    "matrix 64×64, 7×7 kernel, 4→4 channels, presentation mode": ("matrix", {"in_h": 64, "in_w": 64, "k_h": 7, "k_w": 7,
                                                                            "c_in": 4, "c_out": 4, "present": "true"}),
    "matrix 6×6, presentation mode (W's 16 rows in its height)": ("matrix", {"in_h": 6, "in_w": 6, "present": "true"}),
    "checkerboard at its defaults, presentation mode": ("checkerboard", {"present": "true"}),
    "checkerboard at its largest, presentation mode": ("checkerboard", {"n": 12, "k": 7, "s": 4, "d": 3, "layers": 3,
                                                                       "factor": 4, "present": "true"}),
    "channels at its defaults, presentation mode": ("channels", {"present": "true"}),
    "transposed zero insertion at its largest, presentation mode": ("transposed", {
        "view": "Zero insertion", "in_h": 16, "in_w": 16, "k_h": 7, "k_w": 7, "s_h": 4, "s_w": 4, "p_h": 3, "p_w": 3,
        "present": "true"}),
    "transposed 16×16, 3×3 kernel, presentation mode": ("transposed", {"in_h": 16, "in_w": 16, "k_h": 3, "k_w": 3,
                                                                       "present": "true"}),
}


def _overlap(a, b) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1


@pytest.mark.parametrize("case", list(TEXT_CASES))
def test_no_title_runs_out_of_its_figure_or_into_another_and_no_tick_label_into_another(page: Page, streamlit_server, case):
    path, query = TEXT_CASES[case]
    open_page(page, streamlit_server, path, query)
    assert_no_exception(page)
    page.wait_for_function(f"() => ({TEXT_BOXES_JS})().some((figure) => figure.texts.length)", timeout=15_000)
    for figure in page.evaluate(TEXT_BOXES_JS):
        left, top, right, bottom = figure["frame"]
        for text, (x0, y0, x1, y1) in figure["texts"]:
            assert left - 1 <= x0 and x1 <= right + 1, f"{case}: {text!r} spans x {x0:.0f}–{x1:.0f}, figure {left:.0f}–{right:.0f}"
            assert top - 1 <= y0 and y1 <= bottom + 1, f"{case}: {text!r} spans y {y0:.0f}–{y1:.0f}, figure {top:.0f}–{bottom:.0f}"
        for labels in (figure["texts"], *figure["ticks"]):
            for k, (text, box) in enumerate(labels):
                for other, other_box in labels[k + 1:]:
                    assert not _overlap(box, other_box), f"{case}: {text!r} overlaps {other!r}"


# Every st.metric value on the page: its text, the px its text needs and the px its box gives it.
# Streamlit cuts a value too wide for its column with an ellipsis ("(4, 2, 3…").
METRIC_FIT_JS = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] [data-testid="stMetricValue"]'))
    .map((value) => { const text = value.querySelector('div') || value;
                      return [value.innerText, text.scrollWidth, text.clientWidth]; })"""

METRIC_CASES = {
    "channels at its defaults": ("channels", {}, 4),
    "channels at its largest": ("channels", {"c_in": 64, "c_out": 64, "groups": 1, "k_h": 7, "k_w": 7,
                                             "in_h": 8, "in_w": 8}, 4),
    "channels at its largest, presentation mode": ("channels", {"c_in": 64, "c_out": 64, "groups": 1, "k_h": 7,
                                                                "k_w": 7, "in_h": 8, "in_w": 8, "present": "true"}, 4),
    "channels, transposed, 60 → 64 channels": ("channels", {"layer": "ConvTranspose2d", "c_in": 60, "c_out": 64,
                                                            "groups": 4, "k_h": 7, "k_w": 7, "in_h": 8, "in_w": 8}, 4),
    "output size at its largest, presentation mode": ("output_size", {"layer": "ConvTranspose2d", "in_h": 64,
                                                                      "in_w": 64, "k_h": 7, "k_w": 7, "s_h": 4,
                                                                      "s_w": 4, "present": "true"}, 1),
    "quiz at its largest, presentation mode": ("quiz", {"count": 12, "difficulty": "hard", "present": "true"}, 1),
}


@pytest.mark.parametrize("case", list(METRIC_CASES))
def test_no_metric_value_is_cut_short(page: Page, streamlit_server, case):
    path, query, count = METRIC_CASES[case]
    for text, needed_px, given_px in measured_on(page, streamlit_server, path, query, METRIC_FIT_JS, count):
        assert needed_px <= given_px, f"{case}: {text!r} needs {needed_px} px, its box gives {given_px} px"


# The sidebar's page links: each label's text width in its own font (bold for the current page) against
# the px its box allows. Streamlit cuts a label that does not fit with an ellipsis ("Transposed convoluti…").
NAV_FIT_JS = """() => Array.from(document.querySelectorAll('[data-testid="stSidebarNavLink"] [data-testid="stMarkdownContainer"]'))
    .map((box) => {
        const text = box.querySelector('p') || box, font = getComputedStyle(text);
        const context = document.createElement('canvas').getContext('2d');
        context.font = `${font.fontWeight} ${font.fontSize} ${font.fontFamily}`;
        return [text.innerText, context.measureText(text.innerText).width, box.parentElement.getBoundingClientRect().width];
    })"""
# Every page, so every link is also measured in bold, as the current page's link is drawn.
PAGE_PATHS = ["", "output_size", "channels", "matrix", "transposed", "checkerboard", "images", "quiz"]


@pytest.mark.parametrize("query", [{}, {"present": "true"}], ids=["normal", "presentation mode"])
def test_every_page_link_in_the_sidebar_shows_its_whole_title(page: Page, streamlit_server, query):
    for path in PAGE_PATHS:
        open_page(page, streamlit_server, path, query)
        page.wait_for_function(f"() => ({NAV_FIT_JS})().length >= 8", timeout=15_000)
        for text, needed_px, given_px in page.evaluate(NAV_FIT_JS):
            assert needed_px <= given_px + 0.05, f"/{path}: page link {text!r} needs {needed_px:.0f} px, the sidebar gives {given_px} px"


# Every code listing on the page: the px its widest line needs against the px its box shows.
CODE_FIT_JS = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] [data-testid="stCode"] pre'))
    .map((pre) => [pre.innerText.split('\\n')[0], pre.scrollWidth, pre.clientWidth])"""

CODE_CASES = {
    "output size, transposed, presentation mode": ("output_size", {"layer": "ConvTranspose2d", "present": "true"}),
    "channels at its largest, presentation mode": ("channels", {"c_in": 64, "c_out": 64, "groups": 1, "k_h": 7,
                                                                "k_w": 7, "present": "true"}),
    "matrix's PyTorch code open, presentation mode": ("matrix", {"code": "true", "present": "true"}),
}


@pytest.mark.parametrize("case", list(CODE_CASES))
def test_code_listings_wrap_instead_of_hiding_the_end_of_a_line(page: Page, streamlit_server, case):
    path, query = CODE_CASES[case]
    for first_line, needed_px, given_px in measured_on(page, streamlit_server, path, query, CODE_FIT_JS, 1):
        assert needed_px <= given_px + 1, f"{case}: the listing starting {first_line!r} needs {needed_px} px, shows {given_px}"
