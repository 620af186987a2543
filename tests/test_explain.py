"""core.explain: the worked formulas evaluate to what torch computes, and its Markdown tables read back."""

import itertools
import re
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F

from core.errors import ConvConfigError
from core.explain import (
    conv_size_latex,
    conv_transpose_size_latex,
    keras_sizes,
    markdown_table,
    output_padding_picks,
)
from core.sizes import keras_conv_transpose_output_size
from tests.app_helpers import markdown_tables

AXIS = dict(size=range(1, 10), kernel=range(1, 6), stride=range(1, 4), padding=range(0, 3), dilation=range(1, 4))


def formula_steps(latex: str) -> list[str]:
    """The right-hand sides of an aligned formula, one per line."""
    body = latex.removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}")
    return [line.split("&=", 1)[1].strip() for line in body.split(r" \\ ")]


def evaluate(step: str) -> int:
    """A substituted step as Python: ⌊a/b⌋ → a // b, · → *."""
    python = re.sub(r"\\left\\lfloor \\frac\{(.*)\}\{(.*)\} \\right\\rfloor", r"((\1) // (\2))", step)
    python = python.replace(r"\cdot", "*")
    assert re.fullmatch(r"[\d\s()+\-*/]+", python), step  # numbers only: every symbol was substituted
    return eval(python)  # noqa: S307 — digits and operators only, checked above


def torch_length(transposed: bool, size, kernel, stride, padding, dilation, output_padding=0) -> int:
    x, w = torch.zeros(1, 1, 1, size, dtype=torch.float64), torch.zeros(1, 1, 1, kernel, dtype=torch.float64)
    if transposed:
        return F.conv_transpose2d(x, w, stride=(1, stride), padding=(0, padding), output_padding=(0, output_padding),
                                  dilation=(1, dilation)).shape[-1]
    return F.conv2d(x, w, stride=(1, stride), padding=(0, padding), dilation=(1, dilation)).shape[-1]


def test_conv_formula_lines_evaluate_to_torchs_output_size():
    checked = 0
    for size, kernel, stride, padding, dilation in itertools.product(*AXIS.values()):
        try:
            latex = conv_size_latex(size, kernel, stride, padding, dilation, "o_H")
        except ConvConfigError:  # impossible for torch too
            with pytest.raises(RuntimeError):
                torch_length(False, size, kernel, stride, padding, dilation)
            continue
        general, substituted, result = formula_steps(latex)
        expected = torch_length(False, size, kernel, stride, padding, dilation)
        assert evaluate(substituted) == expected == int(result.rsplit("=", 1)[1]), latex
        assert r"\lfloor" in general and latex.startswith(r"\begin{aligned}o_H &=")
        checked += 1
    assert checked > 800


def test_transposed_formula_lines_evaluate_to_torchs_output_size():
    checked = 0
    for size, kernel, stride, padding, dilation in itertools.product(*AXIS.values()):
        for output_padding in range(max(stride, dilation)):
            try:
                latex = conv_transpose_size_latex(size, kernel, stride, padding, output_padding, dilation, "o_W")
            except ConvConfigError:  # impossible for torch too
                with pytest.raises(RuntimeError):
                    torch_length(True, size, kernel, stride, padding, dilation, output_padding)
                continue
            _, substituted, result = formula_steps(latex)
            expected = torch_length(True, size, kernel, stride, padding, dilation, output_padding)
            assert evaluate(substituted) == expected == int(result), latex
            checked += 1
    assert checked > 2000


def test_markdown_table_round_trips_through_the_page_parser():
    rows = [{"a|b": 1, "ok": True, "x": 0.123456}, {"a|b": "p|q", "ok": False, "x": 2.0}]
    page = SimpleNamespace(markdown=[SimpleNamespace(value="text\n\n" + markdown_table(rows, "{:.3f}"))])
    assert markdown_tables(page) == [[{"a|b": "1", "ok": "✓", "x": "0.123"}, {"a|b": "p|q", "ok": "✗", "x": "2.000"}]]
    assert markdown_table([]) == ""


def _conv_length(n, k, s, p, d, pad_left=None, pad_right=None) -> int | None:
    """torch's conv1d output length for an input of length n (float64), None when torch refuses."""
    x = torch.zeros(1, 1, n, dtype=torch.float64)
    if pad_left is not None:
        x = F.pad(x, (pad_left, pad_right))
    try:
        return F.conv1d(x, torch.zeros(1, 1, k, dtype=torch.float64), stride=s, padding=p, dilation=d).shape[-1]
    except RuntimeError:
        return None


def _transpose_length(n, k, s, p, op, d) -> int:
    x, w = torch.zeros(1, 1, n, dtype=torch.float64), torch.zeros(1, 1, k, dtype=torch.float64)
    return F.conv_transpose1d(x, w, stride=s, padding=p, output_padding=op, dilation=d).shape[-1]


def test_output_padding_picks_are_what_torch_returns_and_map_back():
    """Each (output_padding → i): ConvTranspose gives i, and Conv2d maps i back to the output; no other i does."""
    checked = 0
    for o, k, s, p, d in itertools.product(range(1, 7), range(1, 8), range(1, 5), range(0, 4), range(1, 4)):
        try:
            base, picks = output_padding_picks(o, k, s, p, d)
        except ConvConfigError:
            assert all(_conv_length(i, k, s, p, d) != o for i in range(1, 60))
            continue
        inputs = [i for i in range(1, 60) if _conv_length(i, k, s, p, d) == o]
        assert list(picks.values()) == inputs
        for op, i in picks.items():
            assert _transpose_length(o, k, s, p, op, d) == i
        if min(picks) == 0:
            assert base == _transpose_length(o, k, s, p, 0, d)
        checked += 1
    assert checked > 1500


def test_keras_sizes_convolution_against_torch_with_keras_paddings():
    """valid is padding 0; same pads max((⌈n/s⌉ − 1)·s + k′ − n, 0) in all, the odd one on the right (TensorFlow's rule)."""
    for n, k, s, d in itertools.product(range(1, 20), range(1, 8), range(1, 5), range(1, 4)):
        row = keras_sizes(n, k, s, d)
        valid = _conv_length(n, k, s, 0, d)
        assert row["valid"] == ("—" if valid is None else valid)
        span = d * (k - 1) + 1
        total = max((-(-n // s) - 1) * s + span - n, 0)
        assert row["same"] == _conv_length(n, k, s, 0, d, total // 2, total - total // 2)


def test_keras_sizes_transposed_columns():
    """Transposed: valid and same as Keras's own rule; with op = output_padding < stride, torch's size at padding 0."""
    for n, k, s, d, op in itertools.product(range(1, 12), range(1, 8), range(1, 5), range(1, 4), range(0, 4)):
        row = keras_sizes(n, k, s, d, op, transposed=True)
        assert row["valid"] == keras_conv_transpose_output_size(n, k, s, "valid", None, d)
        assert row["same"] == n * s
        assert list(row) == ["valid", "same", "valid + op"]  # the same columns on every axis
        assert row["valid + op"] == (_transpose_length(n, k, s, 0, op, d) if op < s else "—")


def test_markdown_table_refuses_rows_with_other_columns():
    """A row with a column the header lacks would lose its value (or show an empty cell): refused."""
    with pytest.raises(ValueError, match="columns"):
        markdown_table([{"a": 1, "b": 2}, {"a": 3, "c": 4}])
    with pytest.raises(ValueError, match="columns"):
        markdown_table([{"a": 1, "b": 2}, {"a": 3}])
