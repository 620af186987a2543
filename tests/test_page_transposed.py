"""AppTest of the transposed-convolution page: the lesson's examples, the three views, URL state, errors."""

import numpy as np
import pytest

from tests.app_helpers import array, assert_clean, figures, open_page, slider_extremes, texts
from tests.oracle import torch_conv_transpose


def _cells(figure):
    return [float(t) for t in figure["data"][0]["text"]]


def test_default_is_the_lessons_stride_1_example():
    at = open_page("transposed")
    assert_clean(at)
    assert "max |difference| = 0.0e+00" in texts(at)
    assert _cells(figures(at)[-1]) == [0, 0, 1, 0, 4, 6, 4, 12, 9]


@pytest.mark.parametrize("label, shape", [("Lesson: stride 2", (4, 4)), ("Lesson: 2×3 kernel", (8, 9))])
def test_lesson_presets_are_one_click_away(label, shape):
    at = open_page("transposed")
    next(button for button in at.button if button.label == label).click().run()
    assert_clean(at)
    out = figures(at)[-1]["data"][0]
    assert (int(max(array(out["y"]))) + 1, int(max(array(out["x"]))) + 1) == shape


def test_every_slider_at_its_extremes():
    at = open_page("transposed")
    for key, value in slider_extremes(at):
        at.slider(key=key).set_value(value).run()
        assert_clean(at)
        assert "max |difference| = 0.0e+00" in texts(at) or at.error, (key, value)


def test_the_last_scatter_step_is_the_output_before_cropping():
    at = open_page("transposed", {"s_h": "2", "s_w": "2", "p_h": "1", "step": "4"})
    assert_clean(at)
    canvas, output = figures(at)[2], figures(at)[-1]
    expected = torch_conv_transpose(np.arange(4.0).reshape(1, 2, 2), np.arange(4.0).reshape(1, 1, 2, 2),
                                    stride=2, padding=(1, 0))[0]
    assert _cells(output) == expected.ravel().tolist()
    assert np.array_equal(np.array(_cells(canvas)).reshape(4, 4)[1:3], expected)


def test_a_wide_running_sum_gets_the_page_width_below_the_input_and_stamp():
    from figures import FigureStyle
    from widgets import WIDE_GRID_COLUMNS, column_widths_px

    style = FigureStyle.for_mode(presentation=False, dark=False)
    third, page = column_widths_px(3, style)[0], column_widths_px(1, style)[0]
    small = figures(open_page("transposed", {"in_h": 4, "in_w": 4, "k_h": 5, "k_w": 5, "s_h": 2, "s_w": 2}))
    assert array(small[2]["data"][0]["x"])[-1] + 1 <= WIDE_GRID_COLUMNS and small[2]["layout"]["width"] <= third + 1  # px rounded
    at = open_page("transposed", {"in_h": 16, "in_w": 16, "k_h": 7, "k_w": 7, "s_h": 4, "s_w": 4})
    assert_clean(at)
    input_grid, stamp, running_sum = figures(at)[:3]
    assert running_sum["data"][0]["type"] == "heatmap" and len(array(running_sum["data"][0]["x"])) > WIDE_GRID_COLUMNS
    assert third < running_sum["layout"]["width"] <= page
    assert third < input_grid["layout"]["width"] <= page / 2 and third < stamp["layout"]["width"] <= page / 2


def test_a_wide_stretched_input_gets_the_page_width_above_the_kernel_and_output():
    from figures import FigureStyle
    from widgets import WIDE_GRID_COLUMNS, column_widths_px

    style = FigureStyle.for_mode(presentation=False, dark=False)
    page, (stretched_px, _, output_px) = column_widths_px(1, style)[0], column_widths_px([3, 2, 3], style)
    query = {"view": "Zero insertion", "in_h": 4, "in_w": 4, "k_h": 3, "k_w": 3, "s_h": 2, "s_w": 2}
    stretched, _, _ = figures(open_page("transposed", query))[:3]
    assert array(stretched["data"][0]["x"])[-1] + 1 <= WIDE_GRID_COLUMNS and stretched["layout"]["width"] <= stretched_px + 1
    at = open_page("transposed", {**query, "in_h": 16, "in_w": 16, "k_h": 7, "k_w": 7, "s_h": 4, "s_w": 4})
    assert_clean(at)
    stretched, kernel, output = figures(at)[:3]
    assert stretched["data"][0]["type"] == "heatmap" and len(array(stretched["data"][0]["x"])) > WIDE_GRID_COLUMNS
    assert output_px + 1 < stretched["layout"]["width"] <= page
    # Below it, the kernel and the output share the row: two fifths and three fifths of it.
    assert kernel["layout"]["width"] <= column_widths_px([2, 3], style)[0] + 1
    assert output_px + 1 < output["layout"]["width"] <= column_widths_px([2, 3], style)[1] + 1


@pytest.mark.parametrize("query, message", [({"op_h": "1"}, "output_padding (height) = 1 must be smaller"),
                                            ({"c_out": "3", "groups": "2"}, "does not divide"),
                                            ({"p_h": "3", "in_h": "1"}, "crops away the whole output")])
def test_impossible_layers_explain_and_suggest(query, message):
    at = open_page("transposed", query)
    assert_clean(at)
    assert message in at.error[0].value and at.button(key="apply_suggestion")
    at.button(key="apply_suggestion").click().run()
    assert_clean(at)
    assert not at.error and "max |difference| = 0.0e+00" in texts(at)


def _slider_keys(at):
    return {slider.key for slider in at.slider}


def test_each_view_opens_from_the_link_and_only_the_open_view_is_built():
    scatter = open_page("transposed")
    assert "step" in _slider_keys(scatter) and "zstep" not in _slider_keys(scatter)
    assert len(figures(scatter)) == 4  # input, stamp, running sum; then the output

    zero = open_page("transposed", {"view": "Zero insertion", "s_h": "2", "zstep": "5"})
    assert_clean(zero)
    assert "zstep" in _slider_keys(zero) and "step" not in _slider_keys(zero)
    stretched, kernel, lit, output = figures(zero)
    expected = torch_conv_transpose(np.arange(4.0).reshape(1, 2, 2), np.arange(4.0).reshape(1, 1, 2, 2),
                                    stride=(2, 1))[0]
    assert _cells(output) == _cells(lit) == expected.ravel().tolist()
    row, col = divmod(5 - 1, expected.shape[1])
    assert f"Z[{row}, {col}] = {expected[row, col]:g}" in lit["layout"]["title"]["text"]

    matrix = open_page("transposed", {"view": "Matrix Wᵀ", "step": "3"})
    assert_clean(matrix)
    assert not matrix.warning, "a step kept in the link for the scatter view is not an error"
    assert not {"step", "zstep"} & _slider_keys(matrix)
    assert len(figures(matrix)) == 2 and "vec(Z) = Wᵀ vec(X)" in texts(matrix)


def test_choosing_a_view_switches_the_page():
    at = open_page("transposed")
    switch = at.button_group(key="view")
    assert switch.options == ["Scatter", "Zero insertion", "Matrix Wᵀ"] and switch.value == "Scatter"
    switch.set_value("Zero insertion").run()
    assert_clean(at)
    assert at.button_group(key="view").value == "Zero insertion"
    assert "zstep" in _slider_keys(at) and "step" not in _slider_keys(at) and len(figures(at)) == 4
    at.button_group(key="view").set_value("Matrix Wᵀ").run()
    assert at.button_group(key="view").value == "Matrix Wᵀ" and "vec(Z) = Wᵀ vec(X)" in texts(at)


def test_an_unknown_view_in_the_link_shows_a_notice_and_the_scatter_view():
    at = open_page("transposed", {"view": "Fourier"})
    assert_clean(at)
    assert at.warning and "view=Fourier" in at.warning[0].value
    assert "step" in _slider_keys(at)


def test_play_walks_the_input_one_step_per_run_and_stops_at_the_end():
    at = open_page("transposed")  # a 2×2 input: four steps
    assert at.slider(key="step").value == 1
    at.button(key="play_step").click().run()
    assert at.slider(key="step").value == 2 and at.button(key="play_step").label == "Pause"
    for expected in (3, 4):
        at.run()  # what the fragment's timer does while playing
        assert at.slider(key="step").value == expected
    at.run()
    assert_clean(at)
    assert at.slider(key="step").value == 4 and at.button(key="play_step").label == "Play"
    at.button(key="play_step").click().run()  # playing again from the end starts over
    assert at.slider(key="step").value == 2
    at.button(key="play_step").click().run()  # pause
    at.run()
    assert at.slider(key="step").value == 2 and at.button(key="play_step").label == "Play"


def test_round_trip_panel_is_built_only_when_open_and_its_link_opens_it():
    from core.explain import round_trip_lines
    from core.sizes import conv_transpose_output_size

    query = {"s_h": "2", "s_w": "3", "op_w": "1"}
    closed = open_page("transposed", query)
    out = (conv_transpose_output_size(2, 2, 2), conv_transpose_output_size(2, 2, 3, output_padding=1))
    expected = "\n\n".join(round_trip_lines((2, 2), out, (2, 2), (2, 3), (0, 0), (1, 1), (0, 1)))
    assert expected not in texts(closed)
    at = open_page("transposed", {**query, "trip": "true"})
    assert_clean(at)
    assert not at.warning, "trip=true is a setting of the page"
    assert expected in texts(at)
