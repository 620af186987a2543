"""figures/: figures checked as data (traces, coordinates, shapes, encoded images), no browser."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import conv_matrix_entries
from figures import (
    CELL_TRACE,
    MATRIX_TRACE,
    TAP_COLORS,
    FigureStyle,
    apply_layout,
    cell_from_selection,
    encode_png,
    entry_from_selection,
    grid_figure,
    image_grid_figure,
    kernel_figure,
    matrix_figure,
    readable_text_color,
    rgb_image_figure,
    selects_by_box,
    tap_colors,
    to_uint8,
    value_scale,
)
from figures.grids import _MARKER_FILL, IMAGE_CELLS
from figures.hints import selection_hint
from figures.images import fit_to_side
from figures.matrix import RASTER_MAX_PX, _rasterize_taps
from figures.style import sample_rgb, to_rgb
from tests.app_helpers import decode_data_uri

FIGURES_DIR = Path(__file__).resolve().parents[1] / "figures"
LESSON_KERNEL = np.array([[0, 1, 0], [-1, 2, 2], [0, 1, 0]])


def traces_named(fig: go.Figure, name: str) -> list:
    return [t for t in fig.data if t.name == name]


def shapes_named(fig: go.Figure, name: str) -> list:
    return [s for s in fig.layout.shapes if s.name == name]


def click(curve: int, index: int, **extra) -> dict:
    """A click as ``st.plotly_chart(..., on_select="rerun")`` returns it."""
    point = {"curve_number": curve, "point_number": index, "point_index": index, **extra}
    return {"selection": {"points": [point], "point_indices": [index], "box": [], "lasso": []}}


# ---------------------------------------------------------------- package rules


def test_figures_never_import_streamlit_or_torch():
    for path in sorted(FIGURES_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                assert module.split(".")[0] not in {"streamlit", "torch"}, f"{path.name} imports {module}"


def test_importing_figures_loads_neither_streamlit_nor_torch():
    code = "import sys, figures; print(sorted(m for m in ('streamlit', 'torch') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], cwd=FIGURES_DIR.parent, capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


# ---------------------------------------------------------------- style


def test_presentation_mode_is_large_and_high_contrast():
    style = FigureStyle.for_mode(presentation=True, dark=False)
    assert style.font_size >= 22 and style.cell_font_size >= 24 and style.line_width >= 3
    assert style.text_color == "#000000"
    assert FigureStyle.for_mode(presentation=True, dark=True).text_color == "#FFFFFF"
    assert FigureStyle.for_mode(False, True) == FigureStyle(dark=True)


def test_text_colour_contrasts_with_the_fill():
    assert readable_text_color("#000000") == "white"
    assert readable_text_color("#FFFFFF") == "black"
    assert readable_text_color("#00224e") == "white"  # cividis' dark end
    assert readable_text_color("rgb(254, 232, 56)") == "black"  # cividis' bright end


def test_tap_colours_okabe_ito_then_cividis():
    assert tap_colors(4) == list(TAP_COLORS[:4])
    assert "#000000" not in tap_colors(8, dark=True)
    nine = tap_colors(9)
    assert len(set(nine)) == 9
    assert np.allclose(to_rgb(nine[0]), to_rgb("#00224e"), atol=1) and np.allclose(to_rgb(nine[-1]), (254, 232, 56), atol=1)


def test_value_scale_sequential_or_centred_diverging():
    assert value_scale([0, 3]).colorscale == "Cividis"
    signed = value_scale([-1, 3])
    assert signed.colorscale == "PuOr" and signed.cmin == -3 and signed.cmax == 3
    assert value_scale([2, 2]).cmax > value_scale([2, 2]).cmin


def test_apply_layout_is_transparent_with_theme_fonts():
    fig = apply_layout(go.Figure(), FigureStyle(dark=True), title="T", height=300)
    assert fig.layout.paper_bgcolor == fig.layout.plot_bgcolor == "rgba(0,0,0,0)"
    assert fig.layout.font.color == "#FAFAFA" and fig.layout.title.text == "T" and fig.layout.height == 300


# ---------------------------------------------------------------- grid_figure


def test_grid_trace_zero_is_the_cells_in_row_major_order():
    values = np.arange(12).reshape(3, 4)
    fig = grid_figure(values)
    cells = fig.data[CELL_TRACE]
    assert isinstance(cells, go.Scatter) and cells.marker.symbol == "square"
    assert len(cells.x) == 12
    for i, (x, y) in enumerate(zip(cells.x, cells.y, strict=True)):
        assert (y, x) == divmod(i, 4)
    assert list(cells.customdata) == list(range(12))
    assert cells.mode == "markers+text" and list(cells.text) == [str(v) for v in range(12)]


def test_grid_is_square_reversed_and_markers_fill_cells():
    fig = grid_figure(np.zeros((3, 5)))
    layout = fig.layout
    assert layout.yaxis.scaleanchor == "x"
    assert layout.yaxis.range[0] > layout.yaxis.range[1]  # row 0 on top
    cell_px = (layout.height - layout.margin.t - layout.margin.b) / 3
    assert fig.data[0].marker.size == pytest.approx(0.92 * cell_px, rel=0.02)
    assert layout.height <= 640


def test_grid_prints_floats_with_two_decimals_and_picks_legible_text():
    fig = grid_figure([[0.0, 0.5], [1.25, -0.001]], signed=False)
    assert list(fig.data[0].text) == ["0.00", "0.50", "1.25", "0.00"]
    colors = list(fig.data[0].textfont.color)
    assert colors[0] == "white" and colors[2] == "black"  # dark vs bright end of cividis


def test_signed_grid_uses_a_centred_diverging_scale():
    marker = grid_figure([[-1, 2], [0, 1]]).data[0].marker
    assert marker.colorscale[0][1] != marker.colorscale[-1][1]
    assert marker.cmin == -marker.cmax == -2


def test_a_grid_above_image_cells_is_one_heatmap_selected_by_a_box():
    values = np.random.default_rng(0).random((64, 64))
    fig = grid_figure(values)
    cells = fig.data[CELL_TRACE]
    assert isinstance(cells, go.Heatmap) and np.array_equal(np.asarray(cells.z), values)
    assert list(cells.x) == list(range(64)) and list(cells.y) == list(range(64))  # cell (r, c) at x = c, y = r
    assert (cells.zmin, cells.zmax) == (values.min(), values.max())
    assert selects_by_box(fig) and fig.layout.dragmode == "select"
    assert not any(isinstance(trace, go.Scattergl) for trace in fig.data)
    # Just below the threshold a grid is still clickable markers, without printed values.
    small = grid_figure(np.ones((50, 50)))
    assert 50 * 50 == IMAGE_CELLS and isinstance(small.data[0], go.Scatter) and small.data[0].text is None
    assert not selects_by_box(small) and not selects_by_box(grid_figure(np.ones((3, 3))))
    fig.to_json()


def test_a_large_grid_draws_its_padding_ring_as_a_heatmap_empty_over_the_cells():
    fig = grid_figure(np.ones((60, 61)), padding=(2, 3), highlight=[(0, 0), (-2, 63)])
    (ring,) = traces_named(fig, "padding")
    z = np.asarray(ring.z, dtype=float)
    assert z.shape == (60 + 4, 61 + 6) and list(ring.x) == list(range(-3, 64)) and list(ring.y) == list(range(-2, 62))
    assert np.isnan(z[2:62, 3:64]).all() and np.isnan(z).sum() == 60 * 61
    assert (z[~np.isnan(z)] == 0).all() and not ring.showscale
    assert fig.data.index(ring) > CELL_TRACE
    (outline,) = traces_named(fig, "highlight")  # outlines stay markers, drawn over the image
    assert set(zip(outline.y, outline.x, strict=True)) == {(0, 0), (-2, 63)}


def test_padding_ring_is_a_separate_trace_after_the_cells():
    fig = grid_figure(np.ones((3, 4)), padding=(1, 2))
    (ring,) = traces_named(fig, "padding")
    assert fig.data.index(ring) > CELL_TRACE
    assert len(ring.x) == (3 + 2) * (4 + 4) - 12
    coords = set(zip(ring.y, ring.x, strict=True))
    assert (-1, -2) in coords and (3, 5) in coords and (0, 0) not in coords
    assert set(ring.text) == {"0"}
    assert len(fig.data[0].x) == 12  # the real cells are unchanged
    assert fig.layout.xaxis.range[0] == -2.5 and fig.layout.yaxis.range == (3.5, -1.5)


def test_highlight_and_boxes_are_drawn_at_their_cells():
    fig = grid_figure(np.ones((4, 4)), padding=1, highlight=[(0, 0), (-1, 3)], box=[(0, 1, 2, 3), (1, 1, 1, 1)])
    (outline,) = traces_named(fig, "highlight")
    assert set(zip(outline.y, outline.x, strict=True)) == {(0, 0), (-1, 3)}
    assert outline.hoverinfo == "skip" and outline.marker.symbol == "square-open"
    boxes = shapes_named(fig, "box")
    assert len(boxes) == 2
    assert (boxes[0].x0, boxes[0].x1, boxes[0].y0, boxes[0].y1) == (0.5, 3.5, -0.5, 1.5)


@pytest.mark.parametrize("presentation", [False, True])
def test_a_grid_given_its_columns_width_fits_it_whole(presentation):
    style = FigureStyle.for_mode(presentation=presentation)
    for builder, shape in [(grid_figure, (4, 4)), (grid_figure, (16, 16)), (grid_figure, (2, 31)),
                           (grid_figure, (50, 50)), (kernel_figure, (3, 3)), (kernel_figure, (7, 7))]:
        for width_px in (120.0, 182.0, 297.0, 780.0):
            title = "Output Y = I ⋆ K (channel 1)"
            fig = builder(np.ones(shape), title=title, style=style, width_px=width_px)
            cells = builder(np.ones(shape), title=title, style=style)
            room = (width_px - fig.layout.margin.l - fig.layout.margin.r) / shape[1]
            if room * _MARKER_FILL < 1:
                continue  # not even 1-px markers fit (a colour bar's margin in a 120-px column)
            # The cells (markers of a fixed px size) and the margins fit the column across...
            cell = fig.data[0].marker.size / _MARKER_FILL
            assert fig.layout.margin.l + fig.layout.margin.r + shape[1] * cell <= width_px + 0.5, (shape, width_px)
            # ...at the largest size that fits, never above the size they have with room to spare.
            roomy_cell = cells.data[0].marker.size / _MARKER_FILL
            assert cell == pytest.approx(min(roomy_cell, room))
            if width_px >= 240:  # and the title too, on two lines where one is too wide
                assert fig.layout.width <= width_px + 0.5, (builder.__name__, shape, width_px)
    roomy = grid_figure(np.ones((4, 4)), title="Input", style=style, width_px=2000.0)
    assert roomy.to_dict() == grid_figure(np.ones((4, 4)), title="Input", style=style).to_dict()  # room to spare: unchanged


def test_a_title_wider_than_its_column_goes_on_two_lines_with_room_above_the_plot():
    style = FigureStyle.for_mode(presentation=True)
    title = "Output Y = I ⋆ K (channel 1)"
    one_line, two_lines = grid_figure(np.ones((2, 2)), title=title), grid_figure(np.ones((2, 2)), title=title, style=style,
                                                                                width_px=240.0)
    assert "<br>" not in one_line.layout.title.text
    first, second = two_lines.layout.title.text.split("<br>")
    assert f"{first} {second}" == title and abs(len(first) - len(second)) <= 3
    alone = grid_figure(np.ones((2, 2)), title=title, style=style)
    assert two_lines.layout.margin.t == pytest.approx(alone.layout.margin.t + style.title_size * 1.3)
    assert two_lines.layout.title.pad.t == pytest.approx(alone.layout.title.pad.t + style.title_size * 1.3)


@given(st.integers(-6, 0), st.integers(1, 20000), st.floats(0.01, 80.0), st.floats(8.0, 80.0))
def test_axis_ticks_take_the_smallest_spacing_whose_labels_fit(first, count, cell_px, label_px):
    from figures._cells import _TICK_STEPS, _integer_ticks

    count = max(count, 1 - first)  # an axis of cells from first (≤ 0, padding) to past 0, as every grid's is
    ticks = _integer_ticks(first, first + count, cell_px, label_px)["tickvals"]
    assert ticks and all(first <= t < first + count for t in ticks)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else None
    if step is not None:
        assert all(b - a == step for a, b in zip(ticks, ticks[1:], strict=False)) and all(t % step == 0 for t in ticks)
        assert step * cell_px >= label_px  # labels this far apart never touch
        smaller = [s for s in _TICK_STEPS if s < step]
        assert not smaller or smaller[-1] * cell_px < label_px  # and no sparser than they must be


def test_a_grid_in_a_narrow_column_labels_every_fifth_or_tenth_cell():
    style = FigureStyle.for_mode(presentation=True)
    roomy = grid_figure(np.ones((16, 16)), style=style)
    assert list(roomy.layout.xaxis.tickvals) == list(range(16))
    narrow = grid_figure(np.ones((16, 16)), style=style, width_px=250.0)
    assert list(narrow.layout.xaxis.tickvals) in ([0, 5, 10, 15], [0, 10])
    assert list(narrow.layout.yaxis.tickvals) in ([0, 2, 4, 6, 8, 10, 12, 14], [0, 5, 10, 15])


def test_the_page_width_bounds_a_figure_given_no_column_width():
    style = FigureStyle.for_mode(presentation=True)
    paged = style.with_page(780.0)
    assert paged.room_px() == 780.0 and paged.room_px(300.0) == 300.0 and style.room_px() is None
    margins = dict(l=50.0, r=30.0)
    assert paged.plot_width_px(margins) == 700.0 and paged.plot_width_px(margins, 300.0) == 220.0
    assert style.plot_width_px(margins) == style.max_plot_px[1]  # no page: only the size cap
    big = np.ones((40, 60))
    assert grid_figure(big, style=paged).to_dict() == grid_figure(big, style=style, width_px=780.0).to_dict()


@pytest.mark.parametrize("presentation", [False, True])
def test_every_figure_kind_planned_for_a_column_fits_it(presentation):
    """Markers and tiles have fixed px sizes: a figure planned wider than its column is shrunk, and overlaps."""
    from core import conv_transpose_matrix_entries
    from core.checkerboard import overlap_stack
    from figures.checkerboard import stamp_count_figures, upsampling_figure

    style = FigureStyle.for_mode(presentation=presentation)
    wide = conv_matrix_entries((4, 64, 64), np.ones((4, 4, 7, 7)))  # a raster W with a long title
    points = conv_matrix_entries((4, 8, 8), np.ones((4, 4, 3, 3)))
    tiles = [np.random.default_rng(k).random((64, 64)) for k in range(8)]
    picture = np.zeros((512, 512, 3), dtype=np.uint8)
    for width_px in (300.0, 458.0, 780.0):
        built = [matrix_figure(wide, style=style, width_px=width_px), matrix_figure(points, style=style, width_px=width_px),
                 matrix_figure(conv_transpose_matrix_entries((1, 4, 4), np.ones((1, 1, 3, 3))), transpose=True, style=style,
                               x_vector=np.ones(16), y_vector=np.ones(36), width_px=width_px),
                 image_grid_figure(tiles, titles=[f"{k + 1}: random · 1024×1024" for k in range(8)], style=style,
                                   width_px=width_px),
                 rgb_image_figure(picture, "Input", style=style, width_px=width_px),
                 *stamp_count_figures(overlap_stack(6, 3, 2, 0, 1, 1), style, width_px),
                 *stamp_count_figures(overlap_stack(12, 7, 4, 0, 3, 3), style, width_px)]
        for figure in built:
            assert figure.layout.width <= width_px + 0.5, (figure.layout.title.text, width_px)
    assert upsampling_figure({"pixel_shuffle": tiles[0]}, style.with_page(780.0)).layout.width <= 780.5


def test_a_column_too_narrow_for_a_figure_gives_a_small_figure_not_an_error():
    style = FigureStyle.for_mode(presentation=True)
    entries = conv_matrix_entries((1, 6, 6), np.ones((1, 1, 3, 3)))
    tiny_matrix = matrix_figure(entries, x_vector=np.ones(36), y_vector=np.ones(16), style=style, width_px=60.0)
    tiny_tiles = image_grid_figure([np.ones((8, 8))] * 8, titles=["t"] * 8, style=style, width_px=50.0)
    assert tiny_matrix.data[MATRIX_TRACE].marker.size >= 1 and tiny_tiles.layout.meta["tile_px"] >= 8


def test_a_matrix_title_wider_than_its_figure_goes_on_two_lines():
    style = FigureStyle.for_mode(presentation=True)
    wide = conv_matrix_entries((4, 64, 64), np.ones((4, 4, 7, 7)))
    roomy, narrow = matrix_figure(wide, style=style), matrix_figure(wide, style=style, width_px=780.0)
    assert "<br>" not in roomy.layout.title.text
    assert narrow.layout.title.text.replace("<br>", " ") == roomy.layout.title.text
    assert narrow.layout.margin.t == pytest.approx(roomy.layout.margin.t + style.title_size * 1.3)


def test_tile_titles_wrap_to_their_tiles_width():
    from figures.images import _wrap_tile_title

    style = FigureStyle.for_mode(presentation=True)
    title = "1: random · 1024×1024"
    assert _wrap_tile_title(title, style, 400.0) == title
    lines = _wrap_tile_title(title, style, 155.0).split("<br>")
    assert " ".join(lines) == title and all(len(line) * 0.5 * style.font_size <= 155.0 for line in lines)
    assert _wrap_tile_title("a<br>b c", style, 400.0) == "a<br>b c"  # given line breaks stay
    word = "depthwise_separable_convolution"  # longer than a 155 px line: cut, never over the next tile
    lines = _wrap_tile_title(f"2: {word}", style, 155.0).split("<br>")
    assert "".join(lines[1:]) == word and all(len(line) * 0.5 * style.font_size <= 155.0 for line in lines)
    tiles = [np.ones((8, 8))] * 8
    narrow = image_grid_figure(tiles, titles=[title] * 8, style=style, width_px=780.0)
    roomy = image_grid_figure(tiles, titles=[title] * 8, style=style)
    assert narrow.layout.meta["tile_px"] < roomy.layout.meta["tile_px"]
    assert all("<br>" in a.text for a in narrow.layout.annotations)


# ---------------------------------------------------------------- selections


def test_cell_from_selection_maps_a_click_back():
    assert cell_from_selection(click(0, 6, x=2, y=1), (4, 4)) == (1, 2)
    assert cell_from_selection(click(0, 6)["selection"], (2, 4, 4)) == (1, 2)  # the selection part, C×H×W shape
    only_indices = {"selection": {"points": [], "point_indices": [5], "box": [], "lasso": []}}
    assert cell_from_selection(only_indices, (4, 4)) == (1, 1)
    xy_only = {"selection": {"points": [{"curve_number": 0, "x": 3, "y": 2}]}}
    assert cell_from_selection(xy_only, (4, 4)) == (2, 3)


def test_cell_from_selection_ignores_other_traces_and_junk():
    assert cell_from_selection(click(1, 3), (4, 4)) is None  # a padding cell
    assert cell_from_selection(click(0, 16), (4, 4)) is None
    assert cell_from_selection({"selection": {"points": [], "point_indices": []}}, (4, 4)) is None
    assert cell_from_selection(None, (4, 4)) is None


def box(x0, x1, y0, y1, points=(), xref="x", yref="y") -> dict:
    """A dragged box as ``st.plotly_chart(..., selection_mode="box")`` returns it, on axes ``xref``/``yref``."""
    return {"selection": {"points": list(points), "point_indices": [], "box": [{"xref": xref, "yref": yref, "x": [x0, x1],
                                                                               "y": [y0, y1]}], "lasso": []}}


def test_cell_from_selection_takes_the_cell_under_a_boxs_centre():
    assert cell_from_selection(box(16.6, 18.9, 39.2, 41.1), (62, 62)) == (40, 18)  # centre (17.75, 40.15)
    assert cell_from_selection(box(18.9, 16.6, 41.1, 39.2)["selection"], (1, 62, 62)) == (40, 18)  # any drag direction
    # A box over the highlight outlines (other traces) still selects by its centre.
    assert cell_from_selection(box(2.6, 3.3, 0.7, 1.2, points=[click(3, 0)["selection"]["points"][0]]), (4, 4)) == (1, 3)
    assert cell_from_selection(box(-3, -1.8, 0, 1), (4, 4)) is None  # over the padding ring
    assert cell_from_selection(box(0, 1, 70, 71), (64, 64)) is None
    junk = {"selection": {"points": [], "box": [{"x": ["a"]}, {"y": [1, 2]}, {"x": [1, 2.2], "y": [1, 3]}]}}
    assert cell_from_selection(junk, (4, 4)) == (2, 2)  # malformed boxes are skipped, the next one counts


@settings(max_examples=50, deadline=None)
@given(height=st.integers(51, 70), width=st.integers(51, 70), data=st.data())
def test_a_box_round_trips_the_heatmap_cell_it_is_centred_on(height, width, data):
    fig = grid_figure(np.zeros((height, width)))
    cells = fig.data[CELL_TRACE]
    row, col = data.draw(st.integers(0, height - 1)), data.draw(st.integers(0, width - 1))
    half_w, half_h = data.draw(st.floats(0.05, 3)), data.draw(st.floats(0.05, 3))
    shift_x, shift_y = data.draw(st.floats(-0.45, 0.45)), data.draw(st.floats(-0.45, 0.45))
    centre_x, centre_y = cells.x[col] + shift_x, cells.y[row] + shift_y
    selected = box(centre_x - half_w, centre_x + half_w, centre_y - half_h, centre_y + half_h)
    assert cell_from_selection(selected, (height, width)) == (row, col)


@settings(max_examples=50, deadline=None)
@given(height=st.integers(1, 40), width=st.integers(1, 40), data=st.data())
def test_cell_from_selection_round_trips_trace_zero(height, width, data):
    fig = grid_figure(np.zeros((height, width)), max_text_cells=0)
    index = data.draw(st.integers(0, height * width - 1))
    row, col = cell_from_selection(click(0, index), (height, width))
    assert (fig.data[0].y[index], fig.data[0].x[index]) == (row, col)


def test_the_selection_hint_says_click_or_box_for_each_figure():
    def entries(n, k=3, stride=1):
        return conv_matrix_entries((1, n, n), np.ones((1, 1, k, k)), stride, 0, 1, 1)

    small = selection_hint(grid_figure(np.ones((4, 4))), grid_figure(np.ones((2, 2))), matrix_figure(entries(4)))
    assert small.startswith("Click an output cell, an input cell or a row of W:") and "box" not in small
    large = selection_hint(grid_figure(np.ones((64, 64))), grid_figure(np.ones((62, 62))), matrix_figure(entries(64)))
    assert matrix_figure(entries(64)).layout.meta["rendering"] == "raster"
    assert large.startswith("Drag a small box over an output cell, an input cell or a row of W:")
    mixed = selection_hint(grid_figure(np.ones((64, 64))), grid_figure(np.ones((16, 16))),
                           matrix_figure(entries(64, 4, 4)))
    assert mixed.startswith("Click an output cell or a row of W; drag a small box over an input cell:")


# ---------------------------------------------------------------- kernel_figure


def test_kernel_cells_coloured_by_tap_and_flipped_keeps_colours():
    kernel = np.array([[1, 2], [3, 4]])
    plain, flipped = kernel_figure(kernel), kernel_figure(kernel, flipped=True)
    assert list(plain.data[0].marker.color) == tap_colors(4)
    assert list(flipped.data[0].text) == ["4", "3", "2", "1"]
    assert list(flipped.data[0].marker.color) == tap_colors(4)[::-1]
    assert "180°" in flipped.layout.title.text


# ---------------------------------------------------------------- matrix_figure


@pytest.fixture(scope="module")
def lesson_entries():
    return conv_matrix_entries((4, 4), LESSON_KERNEL)


def test_lesson_matrix_has_one_point_per_entry(lesson_entries):
    fig = matrix_figure(lesson_entries)
    entries = fig.data[MATRIX_TRACE]
    dense = lesson_entries.to_dense()
    assert isinstance(entries, go.Scatter) and len(entries.x) == 36  # 4 rows × 9 taps
    assert np.array_equal(entries.x, lesson_entries.cols) and np.array_equal(entries.y, lesson_entries.rows)
    assert np.array_equal(np.asarray(entries.customdata)[:, 0], dense[entries.y, entries.x])
    assert list(entries.text) == [str(int(v)) for v in dense[entries.y, entries.x]]
    assert "W[%{y}, %{x}]" in entries.hovertemplate
    assert np.array_equal(entries.marker.color, lesson_entries.taps % 9)
    assert fig.layout.meta["rendering"] == "svg" and fig.layout.yaxis.range[0] > fig.layout.yaxis.range[1]


def test_matrix_tap_colours_match_the_kernel_figure(lesson_entries):
    scale = matrix_figure(lesson_entries).data[0].marker.colorscale
    kernel_colors = list(kernel_figure(LESSON_KERNEL).data[0].marker.color)
    for tap in range(9):
        position = (tap + 0.5) / 9
        color = next(c for (lo, c), (hi, _) in zip(scale[:-1], scale[1:], strict=True) if lo <= position <= hi)
        assert color == kernel_colors[tap]


def test_matrix_highlight_bands_and_emphasised_entries(lesson_entries):
    fig = matrix_figure(lesson_entries, highlight_rows=[1], highlight_cols=[5, 6])
    (row_band,) = shapes_named(fig, "row band")
    assert (row_band.y0, row_band.y1) == (0.5, 1.5)
    (col_band,) = shapes_named(fig, "column band")  # 5 and 6 are one run
    assert (col_band.x0, col_band.x1) == (4.5, 6.5)
    (emphasis,) = traces_named(fig, "highlighted entries")
    chosen = (lesson_entries.rows == 1) | np.isin(lesson_entries.cols, [5, 6])
    assert len(emphasis.x) == chosen.sum() and emphasis.hoverinfo == "skip"


def test_grouped_matrix_is_shaded_block_diagonal():
    entries = conv_matrix_entries((4, 5, 5), np.ones((4, 2, 2, 2)), groups=2)
    fig = matrix_figure(entries)
    blocks = shapes_named(fig, "group block")
    assert [(b.x0, b.x1, b.y0, b.y1) for b in blocks] == [(-0.5, 49.5, -0.5, 31.5), (49.5, 99.5, 31.5, 63.5)]
    assert len(shapes_named(fig, "channel rows")) == 3 and len(shapes_named(fig, "channel cols")) == 3
    assert not shapes_named(matrix_figure(conv_matrix_entries((2, 5, 5), np.ones((2, 2, 2, 2)))), "group block")


def test_matrix_with_input_and_output_strips(lesson_entries):
    x = np.arange(16.0)
    y = lesson_entries.to_dense() @ x
    fig = matrix_figure(lesson_entries, x_vector=x, y_vector=y)
    assert isinstance(fig.data[MATRIX_TRACE], go.Scatter)
    x_strip, y_strip = fig.data[1], fig.data[2]
    assert np.asarray(x_strip.z).shape == (1, 16) and np.asarray(y_strip.z).shape == (4, 1)
    assert np.array_equal(np.asarray(y_strip.z).ravel(), y) and x_strip.texttemplate == "%{text}"
    assert x_strip.xaxis == fig.data[0].xaxis and x_strip.yaxis != fig.data[0].yaxis  # shares W's column axis
    assert y_strip.yaxis == fig.data[0].yaxis and y_strip.xaxis != fig.data[0].xaxis  # shares W's row axis
    with pytest.raises(ValueError, match="x_vector has 4 values"):
        matrix_figure(lesson_entries, x_vector=np.zeros(4))


def test_transpose_swaps_the_axes(lesson_entries):
    fig = matrix_figure(lesson_entries, transpose=True, x_vector=np.zeros(4), y_vector=np.zeros(16))
    entries = fig.data[MATRIX_TRACE]
    assert np.array_equal(entries.x, lesson_entries.rows) and np.array_equal(entries.y, lesson_entries.cols)
    assert entries.hovertemplate.startswith("Wᵀ[")
    assert fig.layout.title.text.startswith("Wᵀ: 16 × 4")


def test_large_matrix_uses_webgl_points():
    entries = conv_matrix_entries((32, 40), np.arange(9.0).reshape(3, 3))
    fig = matrix_figure(entries, highlight_rows=[100])
    points = fig.data[MATRIX_TRACE]
    assert isinstance(points, go.Scattergl) and len(points.x) == 10_260
    assert points.text is None and points.marker.size >= 1
    assert fig.layout.meta["rendering"] == "webgl" and "WebGL" in fig.layout.title.text
    assert len(fig.to_json()) < 1_000_000  # typed arrays, not 10 k lists of numbers


def test_huge_matrix_is_a_bounded_raster_image():
    entries = conv_matrix_entries((4, 64, 64), np.ones((4, 4, 7, 7)))  # ~2.6 M entries
    fig = matrix_figure(entries)
    image = fig.data[MATRIX_TRACE]
    assert isinstance(image, go.Image) and image.source.startswith("data:image/png;base64,")
    raster = decode_data_uri(image.source)
    assert max(raster.shape[:2]) <= RASTER_MAX_PX and raster.shape[2] == 4
    assert tuple(fig.layout.meta["raster_shape"]) == raster.shape[:2]
    assert "raster" in fig.layout.title.text and len(fig.data) == 1
    n_rows, n_cols = entries.shape
    assert image.x0 - image.dx / 2 == pytest.approx(-0.5)
    assert image.x0 + (raster.shape[1] - 0.5) * image.dx == pytest.approx(n_cols - 0.5)
    assert image.y0 + (raster.shape[0] - 0.5) * image.dy == pytest.approx(n_rows - 0.5)


def test_raster_pixels_carry_the_tap_colour(lesson_entries):
    fig = matrix_figure(lesson_entries, max_points=0)  # raster at full resolution: one pixel per W cell
    bgra = decode_data_uri(fig.data[MATRIX_TRACE].source)
    assert bgra.shape == (4, 16, 4)
    dense_taps = np.full((4, 16), -1)
    dense_taps[lesson_entries.rows, lesson_entries.cols] = lesson_entries.taps % 9
    colors = tap_colors(9)
    for (row, col), tap in np.ndenumerate(dense_taps):
        if tap < 0:
            assert bgra[row, col, 3] == 0  # W's zeros stay transparent
        else:
            assert tuple(bgra[row, col, 2::-1]) == tuple(int(v) for v in to_rgb(colors[tap]))


def test_raster_max_pools_taps_per_pixel():
    labels = _rasterize_taps([0, 1, 3], [0, 1, 3], [2, 5, 1], shape=(4, 4), raster_shape=(2, 2))
    assert labels.tolist() == [[6, 0], [0, 2]]  # pixel (0, 0) holds taps 2 and 5: 5 wins, stored as 5 + 1


def test_entry_from_selection(lesson_entries):
    assert entry_from_selection(click(MATRIX_TRACE, 7), lesson_entries) == 7
    assert entry_from_selection(click(1, 7), lesson_entries) is None  # the x strip
    assert entry_from_selection(click(0, 36), lesson_entries) is None
    assert entry_from_selection({}, lesson_entries) is None


def test_only_a_raster_w_drags_a_selection_box():
    big = conv_matrix_entries((1, 64, 64), np.ones((1, 1, 3, 3)), 1, 0, 1, 1)
    assert matrix_figure(big).layout.meta["rendering"] == "raster"
    assert matrix_figure(big).layout.dragmode == "select"
    assert matrix_figure(big, transpose=True).layout.dragmode is None  # Wᵀ selects nothing: plotly's zoom stays
    assert matrix_figure(conv_matrix_entries((4, 4), LESSON_KERNEL)).layout.dragmode is None  # points are clicked


def test_a_box_over_a_raster_w_selects_the_entry_of_its_row_nearest_its_centre():
    entries = conv_matrix_entries((1, 64, 64), np.ones((1, 1, 3, 3)), 1, 1, 2, 1)
    for x0, x1, y0, y1 in [(100.0, 160.4, 64.6, 66.1), (0.0, 3.0, 0.0, 0.2), (4000.0, 4095.0, 3842.6, 3843.4)]:
        index = entry_from_selection(box(x0, x1, y0, y1), entries)
        assert index is not None
        x, row = (x0 + x1) / 2, round((y0 + y1) / 2)
        assert entries.rows[index] == row
        distances = [abs(int(c) - x) for r, c in zip(entries.rows, entries.cols, strict=True) if r == row]
        assert abs(int(entries.cols[index]) - x) == min(distances)
    assert entry_from_selection(box(100, 110, 5000, 5010), entries) is None  # below W's last row
    assert entry_from_selection(box(-0.4, 0.4, 10, 12, xref="x2"), entries) is None  # over the vec(Y) strip
    assert entry_from_selection(box(10, 12, -0.4, 0.4, yref="y2"), entries) is None  # over the vec(X) strip
    assert entry_from_selection(click(MATRIX_TRACE, 3), entries) == 3  # a clicked point still wins


def test_a_box_over_another_subplot_selects_no_grid_cell():
    assert cell_from_selection(box(1.8, 2.2, 0.9, 1.1), (4, 4)) == (1, 2)
    assert cell_from_selection(box(1.8, 2.2, 0.9, 1.1, xref="x2"), (4, 4)) is None


# ---------------------------------------------------------------- images


def test_to_uint8_maps_the_range_and_clips():
    out = to_uint8([[-1.0, 0.0, 0.5], [1.0, 2.0, np.nan]], 0.0, 1.0)
    assert out.dtype == np.uint8 and out.tolist() == [[0, 0, 128], [255, 255, 0]]
    assert not to_uint8(np.full((2, 2), 3.0), 3.0, 3.0).any()


def test_encode_png_keeps_rgb_colours():
    red = np.zeros((2, 3, 3), np.uint8)
    red[..., 0] = 255
    bgr = decode_data_uri(encode_png(red))
    assert bgr.shape == (2, 3, 3) and bgr[0, 0].tolist() == [0, 0, 255]  # OpenCV decodes to BGR
    with pytest.raises(TypeError, match="to_uint8"):
        encode_png(np.zeros((2, 2)))


def test_image_grid_has_one_png_per_channel_with_titles():
    rng = np.random.default_rng(1)
    images = [rng.random((20, 30)) for _ in range(5)]
    titles = [f"filter {k} (2×2)" for k in range(5)]
    fig = image_grid_figure(images, titles=titles, max_columns=4)
    pictures = [t for t in fig.data if isinstance(t, go.Image)]
    assert len(pictures) == 5 and fig.data[:5] == tuple(pictures)
    for picture in pictures:
        assert picture.source.startswith("data:image/png;base64,")
        assert decode_data_uri(picture.source, cv2.IMREAD_COLOR).shape == (20, 30, 3)
    annotation_text = " ".join(a.text for a in fig.layout.annotations)
    assert all(title in annotation_text for title in titles)
    fig.to_json()


def test_shared_and_per_channel_scales_encode_differently():
    low, high = np.linspace(0, 1, 64).reshape(8, 8), np.linspace(0, 10, 64).reshape(8, 8)
    shared = image_grid_figure([low, high], titles=["low", "high"], shared_scale=True, colormap="gray")
    own = image_grid_figure([low, high], titles=["low", "high"], shared_scale=False, colormap="gray")
    assert shared.layout.meta["value_ranges"] == [[0.0, 10.0], [0.0, 10.0]]
    assert own.layout.meta["value_ranges"] == [[0.0, 1.0], [0.0, 10.0]]
    assert shared.data[0].source != own.data[0].source and shared.data[1].source == own.data[1].source
    assert np.array_equal(decode_data_uri(shared.data[0].source), to_uint8(low, 0.0, 10.0))
    assert np.array_equal(decode_data_uri(own.data[0].source), to_uint8(low, 0.0, 1.0))


def test_cividis_images_use_plotlys_cividis_colours():
    ramp = np.array([[0.0, 1.0]])
    bgr = decode_data_uri(image_grid_figure([ramp], titles=["ramp"]).data[0].source, cv2.IMREAD_COLOR)
    ends = np.rint(sample_rgb("Cividis", [0.0, 1.0]))
    assert np.array_equal(bgr[0, :, ::-1], ends)


def test_fit_to_side_averages_the_pixels_each_drawn_pixel_covers():
    image = np.random.default_rng(3).random((12, 18))
    fitted = fit_to_side(image, 6)  # a factor of exactly 1/3: every drawn pixel is a 3×3 block's mean
    assert fitted.shape == (4, 6)
    assert np.allclose(fitted, image.reshape(4, 3, 6, 3).mean(axis=(1, 3)))
    assert fit_to_side(image, 18) is image and fit_to_side(image, 100) is image
    assert fit_to_side(np.ones((1, 500)), 10).shape == (1, 10)  # never below one pixel


def test_fitted_grid_draws_at_tile_size_in_output_pixel_coordinates():
    big, small = np.random.default_rng(4).normal(size=(1023, 1023)), np.zeros((40, 30))
    every = image_grid_figure([big, small], titles=["big", "small"])
    fitted = image_grid_figure([big, small], titles=["big", "small"], fit_to_tile=True)
    tile = fitted.layout.meta["tile_px"]
    assert tile == 340  # the default style's tile
    assert every.layout.meta["drawn_shapes"] == [[1023, 1023], [40, 30]]
    assert fitted.layout.meta["drawn_shapes"] == [[tile, tile], [40, 30]]
    assert decode_data_uri(fitted.data[0].source, cv2.IMREAD_COLOR).shape == (tile, tile, 3)
    assert fitted.layout.meta["value_ranges"] == every.layout.meta["value_ranges"]  # ranges of the full outputs
    drawn = fitted.data[0]
    # Drawn pixels are centred on output coordinates: the picture still spans −0.5 … 1022.5.
    assert drawn.dx == drawn.dy == pytest.approx(1023 / tile)
    assert drawn.x0 - drawn.dx / 2 == pytest.approx(-0.5)
    assert drawn.x0 + (tile - 0.5) * drawn.dx == pytest.approx(1022.5)
    assert fitted.data[1].dx is None and fitted.data[1].source == every.data[1].source  # small: every pixel


def test_image_grid_shows_each_kernel():
    images = [np.zeros((10, 10)), np.ones((10, 10))]
    fig = image_grid_figure(images, titles=["a", "b"], kernels=[np.eye(2), -np.eye(3)], shared_scale=False)
    heatmaps = [t for t in fig.data if isinstance(t, go.Heatmap)]
    assert [np.asarray(h.z).shape for h in heatmaps] == [(2, 2), (3, 3)]
    with pytest.raises(ValueError, match="titles"):
        image_grid_figure(images, titles=["only one"])


def test_kernel_values_under_four_tiles_are_printed_big_enough_to_read():
    # The images page's default: four 129×129 outputs of ConvTranspose2d(1, 4, 2), each 2×2 kernel below its image.
    rng = np.random.default_rng(0)
    images = [rng.random((129, 129)) for _ in range(4)]
    kernels = [np.array([[0.07, -0.12], [-0.23, -0.24]])] * 4
    projector = FigureStyle.for_mode(presentation=True)
    fig = image_grid_figure(images, titles=[f"{k}: random · 129×129" for k in range(4)], kernels=kernels,
                            style=projector)
    heatmaps = [t for t in fig.data if isinstance(t, go.Heatmap)]
    assert len(heatmaps) == 4
    assert all(h.textfont.size >= 16 for h in heatmaps)  # 11 px when a kernel took half a tile
    screen = image_grid_figure(images, titles=["a"] * 4, kernels=kernels)
    assert all(t.textfont.size >= 12 for t in screen.data if isinstance(t, go.Heatmap))  # 9 px before


def test_rgb_image_figure_embeds_the_picture():
    picture = np.random.default_rng(2).integers(0, 256, (12, 16, 3), dtype=np.uint8)
    fig = rgb_image_figure(picture, "astronaut")
    assert isinstance(fig.data[0], go.Image) and fig.layout.title.text == "astronaut"
    assert np.array_equal(decode_data_uri(fig.data[0].source)[..., ::-1], picture)
