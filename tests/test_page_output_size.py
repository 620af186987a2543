"""AppTest of the Output size page: defaults, every control's extremes, URL parameters, torch numbers."""


import pytest
import torch

from core.torch_check import torch_output_shape
from tests.app_helpers import assert_clean, markdown_tables, open_page, slider_extremes, texts


@pytest.fixture(scope="module")
def default_page():
    return open_page("output_size")


def test_default_is_the_lessons_conv_and_checked_against_torch(default_page):
    assert_clean(default_page)
    assert default_page.metric[0].value == "2 × 2"
    assert "Checked live against `torch.nn.Conv2d`" in texts(default_page)


@pytest.mark.parametrize("mode", ["conv", "transpose"])
def test_every_slider_at_its_extremes(mode):
    at = open_page("output_size", {"mode": mode})
    for key, value in slider_extremes(at):
        at.slider(key=key).set_value(value).run()
        assert_clean(at)
        # Either a result checked against torch, or an explained impossible layer: never nothing.
        assert at.metric or at.error, (mode, key, value)
        if at.metric:
            assert "max |difference| = 0.0e+00" in texts(at)


@pytest.mark.parametrize("mode, numbers", [
    ("conv", dict(in_h=7, in_w=5, k_h=3, k_w=2, s_h=2, s_w=3, p_h=1, p_w=0, d_h=2, d_w=1)),
    ("transpose", dict(in_h=4, in_w=3, k_h=3, k_w=2, s_h=3, s_w=2, p_h=1, p_w=0, d_h=1, d_w=2, op_h=2, op_w=1)),
])
def test_url_parameters_set_the_view_and_numbers_equal_torch(mode, numbers):
    at = open_page("output_size", {"mode": mode, **{k: str(v) for k, v in numbers.items()}})
    assert_clean(at)
    for key, value in numbers.items():
        assert at.slider(key=key).value == value
    pair = lambda name: (numbers.get(f"{name}_h", 0), numbers.get(f"{name}_w", 0))  # noqa: E731
    expected = torch_output_shape(pair("in"), pair("k"), pair("s"), pair("p"), pair("d"),
                                  pair("op") if mode == "transpose" else None)
    assert at.metric[0].value == f"{expected[0]} × {expected[1]}"
    # The URL keeps every non-default value (Streamlit drops defaults to keep links short).
    assert at.query_params["s_h"] in (str(numbers["s_h"]), [str(numbers["s_h"])])


@pytest.mark.parametrize("query", [
    {"in_h": "99"}, {"in_h": "-3"}, {"in_h": "2.5"}, {"in_h": "1e12"}, {"in_h": ""}, {"in_h": "four"},
    {"in_h": ["3", "5"]}, {"mode": "sideways"}, {"unknown": "1"},
])
def test_bad_url_values_fall_back_with_a_notice(query):
    at = open_page("output_size", query)
    assert_clean(at)
    assert at.warning and "could not be used" in at.warning[0].value
    if query == {"in_h": "2.5"}:  # Streamlit truncates a float for an int slider; the notice says so
        assert "`in_h=2.5` is not valid here" in at.warning[0].value and "showing 2." in at.warning[0].value
        assert at.slider(key="in_h").value == 2
    else:
        assert at.metric[0].value == "2 × 2"  # the defaults


def test_impossible_combination_explains_and_suggests():
    at = open_page("output_size", {"in_h": "2", "k_h": "5"})
    assert_clean(at)
    assert "kernel spans 5 cells" in at.error[0].value
    suggestion = at.button(key="apply_suggestion")
    # Two changes is the least that fits a 5-wide kernel: input 2→3 with padding 1, or padding 2.
    assert suggestion.label.count("=") == 2 or "p_h = 2" in suggestion.label
    suggestion.click().run()
    assert_clean(at)
    assert not at.error and at.metric
    changed = abs(at.slider(key="in_h").value - 2) + at.slider(key="p_h").value + abs(at.slider(key="k_h").value - 5)
    assert changed == 2


def test_output_padding_too_large_is_explained():
    at = open_page("output_size", {"mode": "transpose", "op_h": "2"})
    assert_clean(at)
    assert "output_padding = 2 must be smaller than stride (1)" in at.error[0].value


def test_ambiguity_lists_every_input_that_gives_the_output():
    at = open_page("output_size", {"in_h": "7", "in_w": "8", "s_h": "2", "s_w": "2"})
    body = texts(at)
    # Which heights torch's Conv2d (3×3 kernel, stride 2) maps to the same height as 7 does.
    conv = torch.nn.Conv2d(1, 1, 3, stride=2)
    def height(n):
        return conv(torch.zeros(1, 1, n, 3)).shape[2]
    same = [n for n in range(3, 40) if height(n) == height(7)]  # below 3 the kernel does not fit
    assert len(same) == 2
    assert f"inputs of size **{', '.join(map(str, same))}**" in body
    assert f"output_padding=1 → {same[1]}" in body


def keras_table(at) -> dict[str, list[str]]:
    """The Keras comparison table: each row's label → its [H, W] cells."""
    table = markdown_tables(at)[0]
    assert all(list(row) == ["", "H", "W"] for row in table)  # one row per number, a column per axis
    return {row[""]: [row["H"], row["W"]] for row in table}


def test_keras_table_with_different_padding_per_axis():
    at = open_page("output_size", {"p_h": "1", "p_w": "0"})
    assert_clean(at)
    table = keras_table(at)
    assert table["PyTorch output"] == ["4", "2"]
    assert table["PyTorch padding"] == ["1", "0"]
    n, k, s = 4, 3, 1  # the page's defaults; Keras ignores the padding: same = ⌈n/s⌉, valid = ⌈(n−k+1)/s⌉
    assert table["Keras same"] == [str(-(-n // s))] * 2
    assert table["Keras valid"] == [str(-(-(n - k + 1) // s))] * 2
    assert set(table) == {"PyTorch padding", "PyTorch output", "Keras valid", "Keras same"}



def _torch_transposed_shape(stride=(1, 1), output_padding=(0, 1), dilation=(1, 1)) -> list[str]:
    """The page's default transposed layer (4×4 input, 3×3 kernel, padding 0) with these per-axis values."""
    layer = torch.nn.ConvTranspose2d(1, 1, 3, stride=stride, output_padding=output_padding, dilation=dilation)
    return [str(n) for n in layer(torch.zeros(1, 1, 4, 4)).shape[2:]]


def test_transposed_keras_table_uses_each_axis_own_output_padding():
    """op 1 on H (stride 2), op 0 on W: one column for both rows, each Keras's size with its own op,
    which at padding 0 equals torch's."""
    at = open_page("output_size", {"mode": "transpose", "s_h": "2", "op_h": "1"})
    assert_clean(at)
    table = keras_table(at)
    assert table["Keras valid + op"] == _torch_transposed_shape(stride=(2, 1), output_padding=(1, 0))


def test_transposed_keras_table_marks_an_output_padding_keras_refuses():
    """op 1 at stride 1 is valid in PyTorch when dilation > 1, but Keras takes op < stride only."""
    at = open_page("output_size", {"mode": "transpose", "op_w": "1", "d_w": "2"})
    assert_clean(at)
    table = keras_table(at)
    torch_shape = _torch_transposed_shape(output_padding=(0, 1), dilation=(1, 2))
    assert table["Keras valid + op"] == [torch_shape[0], "—"]
    assert table["PyTorch output"] == torch_shape



def test_keras_claim_panel_is_built_only_when_open_and_its_link_opens_it():
    from core.explain import keras_claim_rows, markdown_table

    claim = markdown_table(keras_claim_rows(2, 3, 2))  # the height axis of in 5, k 3, s 2: conv output 2
    query = {"in_h": "5", "s_h": "2"}
    assert claim not in [m.value for m in open_page("output_size", query).markdown]
    at = open_page("output_size", {**query, "keras": "true"})
    assert_clean(at)
    assert not at.warning, "keras=true is a setting of the page"
    assert claim in [m.value for m in at.markdown]
