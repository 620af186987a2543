"""AppTest of the matrix page: defaults, extremes, URL state, numbers against torch, linked highlights."""

import numpy as np
import pytest

from core.kernels import LESSON_INPUT, LESSON_KERNEL
from tests.app_helpers import array, assert_clean, figures, highlighted_cells, open_page, slider_extremes, texts
from tests.oracle import torch_conv


def test_default_is_the_lessons_4x16_w_and_matches_torch():
    at = open_page("matrix")
    assert_clean(at)
    # W from torch, column j = the convolution of the j-th basis input: 4 outputs × 9 taps are entries,
    # but the lesson's kernel has 4 zeros, so only 4 × 5 of them are nonzero.
    dense_w = np.stack([torch_conv(np.eye(16)[j].reshape(1, 4, 4), LESSON_KERNEL[None, None]).ravel()
                        for j in range(16)], axis=1)
    assert dense_w.shape == (4, 16) and np.count_nonzero(dense_w) == 20
    assert f"W: 4 × 16, 36 kernel-tap entries ({np.count_nonzero(dense_w)} nonzero)" in at.subheader[0].value
    assert "max |difference| = 0.0e+00" in texts(at)
    output = figures(at)[2]["data"][0]
    expected = torch_conv(LESSON_INPUT[None], LESSON_KERNEL[None, None])[0]
    assert [float(t) for t in output["text"]] == expected.ravel().tolist() == [17, 12, 14, 17]


def test_every_slider_at_its_extremes():
    at = open_page("matrix")
    for key, value in slider_extremes(at):
        at.slider(key=key).set_value(value).run()
        assert_clean(at)
        assert at.subheader or at.error, (key, value)
        at.slider(key=key).set_value(at.slider(key=key).min if value == at.slider(key=key).max else value).run()


def test_a_large_w_is_drawn_from_its_nonzero_entries():
    at = open_page("matrix", {"in_h": "32", "in_w": "40"})
    assert_clean(at)
    assert "W: 1140 × 1280, 10,260 kernel-tap entries (5,700 nonzero)" in at.subheader[0].value
    w_figure = figures(at)[3]
    assert w_figure["data"][0]["type"] == "scattergl" and len(array(w_figure["data"][0]["x"])) == 10_260


def test_the_largest_w_is_one_compressed_image_with_the_selected_row_still_marked():
    # 3844 rows in a figure a few hundred pixels tall: points would be sub-pixel, so W is a PNG.
    at = open_page("matrix", {"in_h": "64", "in_w": "64", "sel": "row:130"})
    assert_clean(at)
    assert "W: 3844 × 4096, 34,596 kernel-tap entries (19,220 nonzero)" in at.subheader[0].value
    w_figure = figures(at)[3]
    picture = w_figure["data"][0]
    assert picture["type"] == "image" and picture["source"].startswith("data:image/png;base64,")
    assert "taps max-pooled" in w_figure["layout"]["title"]["text"]  # 3844 rows in at most 1000 px
    assert len(w_figure["data"][0]["source"]) < 200_000
    bands = [s for s in w_figure["layout"]["shapes"] if s.get("name") == "row band"]
    assert bands and all((s["y0"], s["y1"]) == (129.5, 130.5) for s in bands)


def test_at_64x64_the_grids_are_heatmaps_selected_by_a_box_and_the_caption_says_so():
    at = open_page("matrix", {"in_h": "64", "in_w": "64", "p_h": "1", "sel": "row:2500"})
    assert_clean(at)
    input_figure, _, output_figure, _ = figures(at)
    for figure, shape in ((input_figure, (64, 64)), (output_figure, (64, 62))):
        cells = figure["data"][0]
        assert cells["type"] == "heatmap" and np.asarray(array(cells["z"]), dtype=float).shape == shape
        assert figure["layout"]["dragmode"] == "select"
    # Output row 2500 is cell (40, 20) of the 64×62 output: its 3×3 window starts at input (39, 20) with p_h = 1.
    assert highlighted_cells(output_figure) == {(40, 20)}
    assert highlighted_cells(input_figure) == {(39 + a, 20 + b) for a in range(3) for b in range(3)}
    assert figures(at)[3]["layout"]["dragmode"] == "select"  # W, drawn as one raster, takes a box too
    caption = " ".join(c.value for c in at.caption)
    assert "Drag a small box over an output cell, an input cell or a row of W" in caption and "Click" not in caption


def test_selected_output_lights_up_its_receptive_field_padding_included():
    at = open_page("matrix", {"p_h": "1", "p_w": "1", "sel": "row:0"})
    assert_clean(at)
    input_figure, _, output_figure, _ = figures(at)
    # Output (0, 0) with padding 1 reads input rows/cols 0..1 (the rest of its window is padding).
    assert highlighted_cells(input_figure) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert highlighted_cells(output_figure) == {(0, 0)}


def test_selected_input_lights_up_every_output_that_reads_it():
    at = open_page("matrix", {"sel": "col:5"})  # input (1, 1): read by all four outputs of the 4×4, 3×3 case
    input_figure, _, output_figure, _ = figures(at)
    assert highlighted_cells(input_figure) == {(1, 1)}
    assert highlighted_cells(output_figure) == {(0, 0), (0, 1), (1, 0), (1, 1)}


@pytest.mark.parametrize("query", [{"sel": "row:99"}, {"sel": "nonsense"}, {"input": "noise"}, {"kernel": "custom", "kv": "1,2;3"},
                                   {"c_in": "3", "groups": "2"}, {"in_h": "1", "k_h": "7"}])
def test_bad_or_impossible_urls_explain_and_never_crash(query):
    at = open_page("matrix", query)
    assert_clean(at)
    if "c_in" in query or "in_h" in query:
        assert "impossible" in at.error[0].value and at.button(key="apply_suggestion")
    elif "kv" in query:
        assert "equal length" in at.error[0].value
    elif "input" in query:
        assert "could not be used" in at.warning[0].value


def test_channels_and_groups_match_torch():
    query = {"c_in": "4", "c_out": "2", "groups": "2", "input": "random", "kernel": "random", "seed": "7",
             "s_h": "2", "p_w": "1", "d_w": "2", "in_h": "7", "in_w": "6"}
    at = open_page("matrix", query)
    assert_clean(at)
    assert "max |difference| = 0.0e+00" in texts(at)
    from core.kernels import make_input_channels, make_weight

    x = make_input_channels("random", (7, 6), 4, 7)
    w = make_weight("random", (3, 3), 2, 2, 7)
    expected = torch_conv(x, w, stride=(2, 1), padding=(0, 1), dilation=(1, 2), groups=2)
    shown = figures(at)[2]["data"][0]["text"]
    assert np.allclose([float(t) for t in shown], expected[0].ravel())


def test_channel_view_sliders_are_part_of_the_link():
    at = open_page("matrix", {"c_in": "2", "c_out": "2", "view_ci": "2", "view_co": "2"})
    assert_clean(at)
    assert not at.warning
    assert at.slider(key="view_ci").value == 2 and at.slider(key="view_co").value == 2


def test_the_pytorch_code_is_built_only_when_its_panel_is_open():
    closed = open_page("matrix")
    assert not closed.code and not closed.warning
    opened = open_page("matrix", {"code": "true", "kernel": "sobel x"})
    assert_clean(opened)
    assert not opened.warning, "code=true is a setting of every page with code"
    namespace = {}
    exec(opened.code[0].value, namespace)  # noqa: S102 — the listing runs and rebuilds the output shown
    output = figures(opened)[2]["data"][0]
    shown = np.array([float(t) for t in output["text"]]).reshape(namespace["y"].shape[1:])
    assert np.array_equal(namespace["y"][0].detach().numpy(), shown)
