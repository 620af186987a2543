"""A selected output reads exactly the inputs the gradient says; a selected input feeds exactly those outputs."""

import itertools

import numpy as np
import torch
import torch.nn.functional as F

from core import conv_matrix_entries
from core.selection import focus, parse_focus


def _gradient_inputs(x_shape, weight, out_index, **kw):
    x = torch.zeros(1, *x_shape, dtype=torch.float64, requires_grad=True)
    y = F.conv2d(x, torch.from_numpy(weight), **kw)
    y.reshape(-1)[out_index].backward()
    return set(np.flatnonzero(x.grad.numpy()[0].reshape(-1) != 0))


def test_row_focus_matches_the_gradient_and_col_focus_is_its_inverse():
    weight = np.ones((4, 1, 3, 2))  # nonzero everywhere, so the gradient shows every tap
    kw = dict(stride=(2, 1), padding=(1, 1), dilation=(1, 2), groups=2)
    entries = conv_matrix_entries((2, 5, 6), weight, **kw)
    readers = {}
    for row in range(entries.shape[0]):
        selected = focus(entries, "row", row)
        assert set(selected.cols.tolist()) == _gradient_inputs((2, 5, 6), weight, row, **kw)
        for col in selected.cols:
            readers.setdefault(int(col), set()).add(row)
    for col, rows in readers.items():
        assert set(focus(entries, "col", col).rows.tolist()) == rows


def test_parse_focus_accepts_only_indices_inside_w():
    entries = conv_matrix_entries((4, 4), np.ones((3, 3)))
    assert parse_focus("row:3", entries) == ("row", 3)
    assert parse_focus("col:15", entries) == ("col", 15)
    for bad in [None, "", "row:4", "col:16", "row:-1", "row:x", "cell:1", "row", "row:1.5"]:
        assert parse_focus(bad, entries) is None


def test_output_and_input_cells_unravel():
    entries = conv_matrix_entries((4, 4), np.ones((3, 3)))
    selected = focus(entries, "row", 3)
    assert selected.output_cells((1, 2, 2)) == [(0, 1, 1)]
    assert set(selected.input_cells((1, 4, 4))) == {(0, r, c) for r, c in itertools.product(range(1, 4), repeat=2)}
