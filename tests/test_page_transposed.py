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


@pytest.mark.parametrize("button, shape", [(1, (4, 4)), (2, (8, 9))])
def test_lesson_presets_are_one_click_away(button, shape):
    at = open_page("transposed")
    at.button[button].click().run()
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
