"""AppTest of the checkerboard page: stamp counts against torch, the rule, stacks, the picture comparison, bad links."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from figures.checkerboard import MAX_BARS
from figures.style import FigureStyle
from tests.app_helpers import array, assert_clean, figures, markdown_tables, open_page, slider_extremes, texts


def torch_counts(n, k, s, p=0, d=1, layers=1):
    """conv_transpose2d of an all-ones n×n input with an all-ones k×k kernel, applied ``layers`` times."""
    x = torch.ones(1, 1, n, n, dtype=torch.float64)
    for _ in range(layers):
        x = F.conv_transpose2d(x, torch.ones(1, 1, k, k, dtype=torch.float64), stride=s, padding=p, dilation=d)
    return x[0, 0].numpy()


def torch_row(n, k, s, p=0, d=1, layers=1):
    """The same in 1-D: conv_transpose1d of ones with ones."""
    x = torch.ones(1, 1, n, dtype=torch.float64)
    for _ in range(layers):
        x = F.conv_transpose1d(x, torch.ones(1, 1, k, dtype=torch.float64), stride=s, padding=p, dilation=d)
    return x[0, 0].numpy()


def shown_counts(at):
    """The 1-D bars, and the 2-D counts as printed in the grid figure (None when drawn as an image)."""
    bars, grid = figures(at)[:2]
    row_type = "bar" if len(array(bars["data"][0]["y"])) <= MAX_BARS else "scatter"  # wide rows: one step line
    assert bars["data"][0]["type"] == row_type
    row = np.array(array(bars["data"][0]["y"]))
    if grid["data"][0]["type"] == "image":
        return row, None
    height = int(max(array(grid["data"][0]["y"]))) + 1
    return row, np.array([float(t) for t in grid["data"][0]["text"]]).reshape(height, -1)


def test_default_is_uneven_and_every_count_equals_torch():
    at = open_page("checkerboard")
    assert_clean(at)
    row, grid = shown_counts(at)
    assert np.array_equal(grid, torch_counts(6, 3, 2)) and np.array_equal(row, torch_row(6, 3, 2))
    assert row.tolist() == [1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1]
    assert "Uneven overlap" in at.warning[0].value and "[2, 1]" in at.warning[0].value
    assert "max |difference| = 0.0e+00" in texts(at)


def test_even_preset_gives_flat_interior():
    at = open_page("checkerboard")
    at.button[1].click().run()  # "Even: k=4, s=2 (DCGAN-style)"
    assert_clean(at)
    assert "Even overlap" in at.success[0].value
    row, grid = shown_counts(at)
    assert np.array_equal(grid, torch_counts(6, 4, 2, p=1))
    assert set(row[2:-2].tolist()) == {2}  # 2 stamps everywhere away from the borders


@pytest.mark.parametrize("query, args", [
    ({"layers": "3"}, dict(n=6, k=3, s=2, layers=3)),
    ({"k": "5", "s": "3", "p": "1", "d": "2", "layers": "2", "n": "4"}, dict(n=4, k=5, s=3, p=1, d=2, layers=2)),
    ({"k": "3", "s": "2", "d": "2"}, dict(n=6, k=3, s=2, d=2)),
])
def test_stacks_dilation_and_holes_equal_torch(query, args):
    at = open_page("checkerboard", query)
    assert_clean(at)
    expected, (row, grid) = torch_counts(**args), shown_counts(at)
    if grid is None:  # large stacks are drawn as an image, checked by the verification line
        assert expected.size > 2500
    else:
        assert np.array_equal(grid, expected)
    assert np.array_equal(row, torch_row(**args))
    assert "max |difference| = 0.0e+00" in texts(at)
    if "d" in query and query.get("layers") is None:
        assert "Holes" in at.warning[0].value  # dilation 2, stride 2: every other phase gets nothing


def test_every_slider_at_its_extremes():
    at = open_page("checkerboard")
    for key, value in slider_extremes(at):
        at.slider(key=key).set_value(value).run()
        assert_clean(at)
        assert "max |difference| = 0.0e+00" in texts(at) or at.error, (key, value)
        at.slider(key=key).set_value(at.slider(key=key).min if value == at.slider(key=key).max else value).run()


def test_largest_stack_stays_drawable():
    at = open_page("checkerboard", {"n": "12", "k": "7", "s": "4", "layers": "3"})
    assert_clean(at)
    row, grid = shown_counts(at)
    assert grid is None and figures(at)[1]["data"][0]["type"] == "image"
    assert np.array_equal(row, torch_row(12, 7, 4, layers=3)) and row.size > MAX_BARS
    assert figures(at)[0]["data"][0]["line"]["shape"] == "hvh"  # a step per output position, not a slope
    assert "max |difference| = 0.0e+00" in texts(at)


def test_impossible_layer_explains_suggests_and_keeps_the_picture():
    at = open_page("checkerboard", {"n": "1", "k": "1", "p": "3"})
    assert_clean(at)
    assert "impossible" in at.error[0].value
    assert len(figures(at)) == 2  # the two picture figures still render
    at.button(key="apply_suggestion").click().run()
    assert_clean(at)
    assert not at.error and "max |difference| = 0.0e+00" in texts(at)


@pytest.mark.parametrize("factor", ["2", "4"])
def test_picture_upsampled_every_way_and_only_the_uneven_one_is_a_checkerboard(factor):
    at = open_page("checkerboard", {"factor": factor, "img": "astronaut", "zoom_y": "0", "zoom_x": "100"})
    assert_clean(at)
    full, crops = figures(at)[2:4]
    assert len([t for t in full["data"] if t["type"] == "image"]) == 5
    assert len([t for t in crops["data"] if t["type"] == "image"]) == 5
    strength = {row["method"]: float(row["checkerboard strength"]) for row in markdown_tables(at)[0]}
    uneven = strength.pop("transposed, uneven")
    assert uneven > 5 * max(strength.values())
    size = 16 * int(factor)
    assert f"rows 0–{size - 1}" in texts(at)


@pytest.mark.parametrize("query", [{"k": "9"}, {"img": "nope"}, {"factor": "3"}, {"layers": "0"}, {"zoom_x": "150"}])
def test_bad_url_values_fall_back_with_a_notice(query):
    at = open_page("checkerboard", query)
    assert_clean(at)
    assert "could not be used" in at.warning[0].value


def test_overlap_figure_draws_every_uncropped_stamp_coloured_by_tap():
    """The builder alone: one cell per (input, tap) that survives the crop, and bars as tall as the counts."""
    from core import conv_transpose_matrix_entries
    from core.checkerboard import overlap_counts_1d, overlap_interior
    from figures.checkerboard import overlap_figure
    from figures.style import tap_colors

    n, k, s, p = 5, 3, 2, 1
    stamps = conv_transpose_matrix_entries((1, 1, n), np.ones((1, 1, 1, k)), (1, s), (0, p), 0, (1, 1))
    counts = overlap_counts_1d(n, k, s, p)
    for style in (FigureStyle(), FigureStyle.for_mode(presentation=True, dark=True)):
        figure = overlap_figure(counts, stamps=stamps, interior=overlap_interior(n, k, s, p), style=style)
        bars, heatmap = figure.data
        assert list(bars.y) == counts.tolist() == torch_row(n, k, s, p).tolist()
        taps = np.array(heatmap.z, dtype=float)
        assert taps.shape == (n, counts.size) and np.isfinite(taps).sum() == n * k - 2  # padding 1 crops 2 stamps
        inputs, outputs = np.nonzero(np.isfinite(taps))
        assert np.array_equal(taps[inputs, outputs], outputs + p - s * inputs)  # tap t lands on o = i·s − p + t
        assert np.array_equal(np.isfinite(taps).sum(axis=0), counts)  # column sums are the counts
        # Tap t is drawn in tap t's colour: the middle of its colour-scale step.
        scale = heatmap.colorscale
        assert [scale[2 * t][1] for t in range(k)] == tap_colors(k, dark=style.dark)
    assert len(overlap_figure([1]).data) == 1
    with pytest.raises(ValueError):
        overlap_figure([])


def test_stamp_count_figures_draw_the_stacks_counts_and_switch_to_an_image_for_large_grids():
    """The page's two count figures as data: the 1-D bars and 2-D cells carry the stack's counts."""
    from core.checkerboard import overlap_stack
    from figures.checkerboard import stamp_count_figures
    from figures.grids import IMAGE_CELLS

    stack = overlap_stack(6, 3, 2, 0, 1, 1)
    row_figure, grid = stamp_count_figures(stack)
    bars, stamps = row_figure.data
    assert list(bars.y) == stack.row.tolist() and stamps.type == "heatmap"
    assert row_figure.layout.title.text == f"1-D: 6 inputs → {stack.row.size} outputs"
    assert grid.layout.title.text == "2-D: stamps per output pixel (13×13)"
    assert {trace.type for trace in grid.data} == {"scatter"}
    shown = [int(t) for trace in grid.data if trace.text is not None for t in trace.text]
    assert sorted(shown) == sorted(stack.counts.ravel().tolist())

    deep = overlap_stack(12, 7, 2, 0, 1, 3)  # 3 layers: over IMAGE_CELLS cells, one image, no stamps panel
    assert deep.counts.size > IMAGE_CELLS
    row_figure, grid = stamp_count_figures(deep)
    assert [trace.type for trace in row_figure.data] == ["bar"]
    assert grid.data[0].type == "image" and "heatmap" not in {trace.type for trace in grid.data}
    title = f"2-D: stamps per output pixel ({deep.counts.shape[0]}×{deep.counts.shape[1]})"
    assert grid.layout.annotations[0].text == title
    # In half of a projected page the image's title wraps instead of running past the figure.
    narrow = stamp_count_figures(deep, FigureStyle.for_mode(presentation=True), width_px=380)[1]
    lines = narrow.layout.annotations[0].text.split("<br>")
    assert len(lines) > 1 and " ".join(lines) == title


def test_upsampling_figures_show_every_method_in_order_and_the_same_window_of_each():
    from core.checkerboard import UPSAMPLING_METHODS, upsample_comparison
    from figures.checkerboard import UPSAMPLING_TITLES, upsampling_figure, upsampling_zoom_figure

    picture = np.random.default_rng(0).random((12, 10))
    results = upsample_comparison(picture, 2)
    assert list(UPSAMPLING_TITLES) == list(UPSAMPLING_METHODS) == list(results)
    full = upsampling_figure(results)
    titles = [UPSAMPLING_TITLES[method] for method in results]
    assert [trace.name for trace in full.data if trace.type == "image"] == titles
    assert full.layout.meta["drawn_shapes"] == [[24, 20]] * 5
    zoom = upsampling_zoom_figure(results, top=3, left=5, size=8)
    assert [trace.name for trace in zoom.data if trace.type == "image"] == titles
    assert zoom.layout.meta["drawn_shapes"] == [[8, 8]] * 5
    for (lo, hi), image in zip(zoom.layout.meta["value_ranges"], results.values(), strict=True):
        window = image[3:11, 5:13]
        assert (lo, hi) == (window.min(), window.max())  # each crop at its own contrast
