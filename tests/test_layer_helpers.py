"""Helpers the pages share, checked against torch: which transposed layers exist, round trips, tensors."""

import itertools

import numpy as np
import pytest
import torch

from core import is_valid_transpose
from core.explain import round_trip_lines
from core.kernels import layer_tensors, make_input_channels, make_weight

CHANNELS = [(1, 1, 1), (2, 4, 2), (3, 2, 1), (2, 3, 2), (4, 4, 4)]  # (in, out, groups); (2, 3, 2) is impossible


def torch_accepts(c_in, c_out, groups, n, k, s, p, op, d) -> bool:
    try:
        layer = torch.nn.ConvTranspose2d(c_in, c_out, k, s, p, op, groups=groups, dilation=d, bias=False)
        return layer(torch.zeros(1, c_in, n, n)).numel() > 0
    except (ValueError, RuntimeError):
        return False


def test_is_valid_transpose_agrees_with_torch_everywhere_in_a_sweep():
    cases = 0
    for (c_in, c_out, groups), n, k, s, p, op, d in itertools.product(CHANNELS, [1, 2, 3], [1, 2, 3], [1, 2, 3],
                                                                      [0, 1, 2], [0, 1, 2], [1, 2]):
        expected = torch_accepts(c_in, c_out, groups, n, k, s, p, op, d)
        assert is_valid_transpose(c_in, (n, n), c_out, groups, (k, k), s, p, op, d) == expected, \
            (c_in, c_out, groups, n, k, s, p, op, d)
        cases += expected
    assert cases > 500  # the sweep holds valid and invalid layers alike


@pytest.mark.parametrize("n, k, s, p, op, d", [(2, 2, 2, 0, 0, 1), (3, 3, 2, 1, 1, 1), (3, 3, 2, 1, 0, 1),
                                               (2, 2, 3, 0, 2, 1), (4, 3, 1, 1, 0, 2)])
def test_round_trip_says_yes_exactly_when_the_convolution_gives_the_input_back(n, k, s, p, op, d):
    out = torch.nn.ConvTranspose2d(1, 1, k, s, p, op, dilation=d)(torch.zeros(1, 1, n, n)).shape[-1]
    back = torch.nn.Conv2d(1, 1, k, s, p, dilation=d)(torch.zeros(1, 1, out, out)).shape[-1]
    lines = round_trip_lines((n, n), (out, out), (k, k), (s, s), (p, p), (d, d), (op, op))
    assert len(lines) == 2 and all(f"returns {out}" in line for line in lines)
    assert all(line.endswith("yes.") == (back == n) for line in lines)


def test_layer_tensors_are_the_presets_or_the_typed_kernel_everywhere():
    x, weight = layer_tensors("lesson", (4, 4), 2, "sobel x", (3, 3), (3, 1), seed=5)
    assert np.array_equal(x, make_input_channels("lesson", (4, 4), 2, 5))
    assert np.array_equal(weight, make_weight("sobel x", (3, 3), 3, 1, 5))
    typed = ((1, 2), (3, 4))
    _, weight = layer_tensors("lesson", (4, 4), 2, "custom", (2, 2), (2, 3), custom=typed)
    assert weight.shape == (2, 3, 2, 2) and all(np.array_equal(w, typed) for w in weight.reshape(-1, 2, 2))
