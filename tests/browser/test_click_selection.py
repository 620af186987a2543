"""Clicking a cell in a real browser selects it: the receptive field and W's row light up together.

The expected cells come from torch, not from ConvLab: the input cells an output cell reads are
where the gradient of that output flows when every kernel tap is 1 (the lesson's kernel has zero
taps, but a zero tap still reads its input cell).
"""

import re
import time

import torch
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_no_exception, open_page, wait_for_rerun

# Plotly keeps each figure's traces on its graph div; the "highlight" trace outlines the lit cells.
# `_fullData` holds the decoded arrays (the figure's own arrays arrive base64-encoded); null = not drawn yet.
TRACE_POINTS_JS = """([key, name]) => {
    const plot = document.querySelector(`.st-key-${key} .js-plotly-plot`);
    if (!plot || !plot._fullData) return null;
    const trace = plot._fullData.find((t) => t.name === name);
    if (!trace) return [];
    const xs = Array.from(trace.x), ys = Array.from(trace.y);
    return xs.map((x, i) => [Math.round(ys[i]), Math.round(x)]);
}"""
ROW_BANDS_JS = """(key) => {
    const plot = document.querySelector(`.st-key-${key} .js-plotly-plot`);
    if (!plot || !plot._fullLayout) return null;
    return (plot._fullLayout.shapes || []).filter((s) => s.name === "row band").map((s) => [s.y0, s.y1]);
}"""


def receptive_field(in_shape, kernel_shape, out_cell, stride=1, padding=0, dilation=1):
    """(row, col) of the input cells output ``out_cell`` reads, from torch's gradient with an all-ones kernel."""
    x = torch.zeros(1, 1, *in_shape, dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.conv2d(x, torch.ones(1, 1, *kernel_shape, dtype=torch.float64), stride=stride,
                                   padding=padding, dilation=dilation)
    y[0, 0, out_cell[0], out_cell[1]].backward()
    return {(int(r), int(c)) for r, c in torch.nonzero(x.grad[0, 0]).tolist()}


def click_cell(page: Page, chart_key: str, index: int) -> None:
    """Click the centre of point ``index`` of a grid figure's first trace (cells in row-major order)."""
    point = page.locator(f".st-key-{chart_key} .scatterlayer .trace").first.locator("path.point").nth(index)
    box = point.bounding_box()
    assert box is not None, f"cell {index} of {chart_key} is not drawn"
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_for_rerun(page)


def drawn(page: Page, script: str, arg, expected, timeout_s: float = 15.0):
    """What ``script`` reads from a figure, once it equals ``expected`` or the timeout passes.

    Plotly draws a figure after the run that sent it has finished, so a figure is polled, not read once.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        value = page.evaluate(script, arg)
        if value is not None and value == expected or time.monotonic() > deadline:
            return value
        page.wait_for_timeout(100)


def lit_cells(page: Page, chart_key: str, expected: set) -> set[tuple[int, int]] | None:
    """The cells the chart's "highlight" trace outlines, waiting up to 15 s for them to be ``expected``."""
    cells = drawn(page, TRACE_POINTS_JS, [chart_key, "highlight"], sorted(map(list, expected)))
    return None if cells is None else {tuple(cell) for cell in cells}


def test_clicking_an_output_cell_lights_its_receptive_field_and_row_of_w(page, streamlit_server):
    # A 5×6 input and 3×3 kernel at stride 1 give a 3×4 output: cells are not symmetric, so a
    # swapped row and column would show.
    open_page(page, streamlit_server, "matrix", {"in_h": 5, "in_w": 6})
    assert lit_cells(page, "input_chart", set()) == set()
    out_w = torch.nn.functional.conv2d(torch.zeros(1, 1, 5, 6), torch.zeros(1, 1, 3, 3)).shape[-1]
    row, col = 2, 1
    click_cell(page, "output_chart", row * out_w + col)

    w_row = row * out_w + col
    expect(page).to_have_url(re.compile(rf"[?&]sel=row%3A{w_row}(&|$)"))
    assert_no_exception(page)
    assert lit_cells(page, "output_chart", {(row, col)}) == {(row, col)}
    field = receptive_field((5, 6), (3, 3), (row, col))
    assert len(field) == 9 and lit_cells(page, "input_chart", field) == field
    # W's row: a band across the matrix (and its strips) at exactly that row.
    bands = drawn(page, ROW_BANDS_JS, "matrix_chart", [[w_row - 0.5, w_row + 0.5]] * 2)
    assert bands and all(band == [w_row - 0.5, w_row + 0.5] for band in bands), bands


def test_clicking_an_input_cell_lights_the_outputs_it_feeds(page, streamlit_server):
    # Stride 2 and padding 1: the outputs an input feeds are the ones whose receptive field holds it.
    query = {"in_h": 5, "in_w": 6, "s_h": 2, "s_w": 2, "p_h": 1, "p_w": 1}
    open_page(page, streamlit_server, "matrix", query)
    in_row, in_col = 3, 4
    click_cell(page, "input_chart", in_row * 6 + in_col)

    expect(page).to_have_url(re.compile(rf"[?&]sel=col%3A{in_row * 6 + in_col}(&|$)"))
    assert_no_exception(page)
    assert lit_cells(page, "input_chart", {(in_row, in_col)}) == {(in_row, in_col)}
    out_h, out_w = (5 + 2 - 3) // 2 + 1, (6 + 2 - 3) // 2 + 1
    fed = {(r, c) for r in range(out_h) for c in range(out_w)
           if (in_row, in_col) in receptive_field((5, 6), (3, 3), (r, c), stride=2, padding=1)}
    assert len(fed) > 1 and lit_cells(page, "output_chart", fed) == fed


CELL_CENTRE_JS = """([key, row, col]) => {
    const plot = document.querySelector(`.st-key-${key} .js-plotly-plot`);
    if (!plot || !plot._fullLayout || !plot._fullLayout.xaxis) return null;
    const {xaxis, yaxis} = plot._fullLayout, frame = plot.getBoundingClientRect();
    return [frame.left + xaxis._offset + xaxis.d2p(col), frame.top + yaxis._offset + yaxis.d2p(row),
            xaxis.d2p(col + 1) - xaxis.d2p(col)];
}"""


def drag_box_over_cell(page: Page, chart_key: str, row: int, col: int) -> None:
    """Drag a box centred on cell (row, col), 3 cells or 24 px a side (plotly takes a shorter drag for a click)."""
    # Coordinates are the viewport's: bring the chart on screen before reading them.
    page.locator(f".st-key-{chart_key} .js-plotly-plot").scroll_into_view_if_needed()
    # Plotly draws after the run has finished: wait until the axes exist.
    x, y, cell_px = page.wait_for_function(CELL_CENTRE_JS, arg=[chart_key, row, col], timeout=15_000).json_value()
    reach = max(1.5 * cell_px, 12)
    # The drag must start on the plot's own drag layer (nothing drawn over it, handlers bound).
    page.wait_for_function("([x, y]) => document.elementFromPoint(x, y)?.classList?.contains('nsewdrag')",
                           arg=[x - reach, y - reach], timeout=15_000)
    page.mouse.move(x - reach, y - reach)
    page.mouse.down()
    page.mouse.move(x + reach, y + reach, steps=8)
    page.mouse.up()
    wait_for_rerun(page)


def test_at_64x64_a_box_dragged_over_an_output_cell_lights_its_receptive_field(page, streamlit_server):
    # 64×64 grids are heatmaps (no clicks on them in plotly): a small dragged box selects the cell at its centre.
    open_page(page, streamlit_server, "matrix", {"in_h": 64, "in_w": 64, "p_w": 1})
    expect(page.get_by_text("Drag a small box over an output cell, an input cell or a row of W")).to_be_visible()
    out_w = torch.nn.functional.conv2d(torch.zeros(1, 1, 64, 64), torch.zeros(1, 1, 3, 3), padding=(0, 1)).shape[-1]
    row, col = 40, 17
    drag_box_over_cell(page, "output_chart", row, col)

    expect(page).to_have_url(re.compile(rf"[?&]sel=row%3A{row * out_w + col}(&|$)"))
    assert_no_exception(page)
    assert lit_cells(page, "output_chart", {(row, col)}) == {(row, col)}
    field = receptive_field((64, 64), (3, 3), (row, col), padding=(0, 1))
    assert len(field) == 9 and lit_cells(page, "input_chart", field) == field


ROWS_PER_PIXEL_JS = """(key) => {
    const plot = document.querySelector(`.st-key-${key} .js-plotly-plot`);
    const yaxis = plot && plot._fullLayout && plot._fullLayout.yaxis;
    return yaxis ? 1 / Math.abs(yaxis.d2p(1) - yaxis.d2p(0)) : null;
}"""


def test_at_64x64_a_box_dragged_over_w_selects_the_row_under_its_centre(page, streamlit_server):
    # W (3844 × 4096) is one raster image: plotly reports no clicked entry, so a box picks its row.
    open_page(page, streamlit_server, "matrix", {"in_h": 64, "in_w": 64})
    expect(page.get_by_text("Drag a small box over an output cell, an input cell or a row of W")).to_be_visible()
    out_h, out_w = torch.nn.functional.conv2d(torch.zeros(1, 1, 64, 64), torch.zeros(1, 1, 3, 3)).shape[-2:]
    row = 30 * out_w + 40  # output cell (30, 40): its entries sit at columns (30 + a) · 64 + 40 + b
    drag_box_over_cell(page, "matrix_chart", row, 30 * 64 + 41)

    expect(page).to_have_url(re.compile(r"[?&]sel=row%3A\d+(&|$)"))
    assert_no_exception(page)
    selected = int(re.search(r"sel=row%3A(\d+)", page.url).group(1))
    # The box's centre is placed on the row to within one screen pixel, which spans several of W's rows.
    assert abs(selected - row) <= page.evaluate(ROWS_PER_PIXEL_JS, "matrix_chart")
    cell = divmod(selected, out_w)
    assert cell[0] < out_h and lit_cells(page, "output_chart", {cell}) == {cell}
    bands = drawn(page, ROW_BANDS_JS, "matrix_chart", [[selected - 0.5, selected + 0.5]] * 2)
    assert bands and all(band == [selected - 0.5, selected + 0.5] for band in bands), bands
