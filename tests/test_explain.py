"""core.explain: the worked formulas evaluate to what torch computes, and its Markdown tables read back."""

import itertools
import re
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F

from core.errors import ConvConfigError
from core.explain import conv_size_latex, conv_transpose_size_latex, markdown_table
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
