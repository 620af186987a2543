"""Output-size rules against the shapes torch (and Keras) actually produce, exhaustively per axis."""

import itertools
import os

import pytest
import torch
import torch.nn.functional as F

from core import (
    ConvConfigError,
    conv_input_sizes,
    conv_output_size,
    conv_transpose_output_size,
    keras_conv_transpose_output_size,
)

SIZES, KERNELS, STRIDES, PADDINGS, DILATIONS = range(1, 65), range(1, 8), range(1, 5), range(0, 4), range(1, 4)
AXIS_SPACE = list(itertools.product(SIZES, KERNELS, STRIDES, PADDINGS, DILATIONS))


def torch_conv_length(n, k, s, p, d):
    """Length torch's conv1d produces, or None when torch refuses the configuration."""
    try:
        return F.conv1d(torch.zeros(1, 1, n), torch.zeros(1, 1, k), stride=s, padding=p, dilation=d).shape[-1]
    except RuntimeError:
        return None


def torch_conv_transpose_length(n, k, s, p, op, d):
    try:
        return F.conv_transpose1d(torch.zeros(1, 1, n), torch.zeros(1, 1, k), stride=s, padding=p,
                                  output_padding=op, dilation=d).shape[-1]
    except RuntimeError:
        return None


def test_conv_output_size_equals_torch_over_whole_axis_space():
    mismatches = []
    for n, k, s, p, d in AXIS_SPACE:
        expected = torch_conv_length(n, k, s, p, d)
        try:
            got = conv_output_size(n, k, s, p, d)
        except ConvConfigError:
            got = None
        if got != expected:
            mismatches.append((n, k, s, p, d, got, expected))
    assert not mismatches, mismatches[:10]


def test_conv_transpose_output_size_equals_torch_for_every_output_padding():
    mismatches, checked = [], 0
    for n, k, s, p, d in AXIS_SPACE[::3] + [c for c in AXIS_SPACE if c[0] <= 16]:
        for op in range(0, max(s, d) + 1):  # one past the valid range: torch must refuse it too
            expected = torch_conv_transpose_length(n, k, s, p, op, d)
            try:
                got = conv_transpose_output_size(n, k, s, p, op, d)
            except ConvConfigError:
                got = None
            checked += 1
            if got != expected:
                mismatches.append((n, k, s, p, op, d, got, expected))
    assert checked > 30_000
    assert not mismatches, mismatches[:10]


def test_conv_input_sizes_are_exactly_the_sizes_with_that_output():
    for k, s, p, d in itertools.product(KERNELS, STRIDES, PADDINGS, DILATIONS):
        outputs = {}
        for n in range(1, 80):
            out = torch_conv_length(n, k, s, p, d)
            if out is not None:
                outputs.setdefault(out, []).append(n)
        for out, sizes in outputs.items():
            if max(sizes) < 79:  # the run of sizes is complete inside the scanned range
                assert conv_input_sizes(out, k, s, p, d) == sizes


def test_output_padding_picks_each_input_size_back():
    """conv then transposed conv with output_padding = i − i₀ restores every input size."""
    for n, k, s, p, d in AXIS_SPACE:
        try:
            out = conv_output_size(n, k, s, p, d)
        except ConvConfigError:
            continue
        assert n in conv_input_sizes(out, k, s, p, d)
        smallest = (out - 1) * s + d * (k - 1) + 1 - 2 * p  # i₀, which may be below 1 when padding is large
        op = n - smallest
        assert 0 <= op < s
        assert conv_transpose_output_size(out, k, s, p, op, d) == n == torch_conv_transpose_length(out, k, s, p, op, d)


@pytest.fixture(scope="module")
def keras_rule():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    from keras.src.backend.common.backend_utils import compute_conv_transpose_output_shape

    return keras, compute_conv_transpose_output_shape


def test_keras_rule_equals_keras_published_function(keras_rule):
    _, keras_shape = keras_rule
    for n, k, s, d in itertools.product(range(1, 33), KERNELS, STRIDES, DILATIONS):
        for padding in ("valid", "same"):
            for op in [None, *range(s)]:
                expected = keras_shape((1, n, n, 1), (k, k), 1, s, padding, op, dilation_rate=d)[1]
                assert keras_conv_transpose_output_size(n, k, s, padding, op, d) == expected, (n, k, s, padding, op, d)


def test_keras_rule_equals_a_real_keras_layer(keras_rule):
    keras, _ = keras_rule
    import numpy as np

    for n, k, s, padding, op in [(5, 3, 2, "valid", None), (5, 3, 2, "same", None), (4, 2, 3, "valid", 1),
                                 (7, 4, 2, "same", 1), (3, 5, 1, "same", 0), (2, 1, 4, "valid", None)]:
        layer = keras.layers.Conv2DTranspose(1, k, strides=s, padding=padding, output_padding=op)
        shape = tuple(layer(np.zeros((1, n, n + 1, 1), dtype="float32")).shape)
        assert shape[1:3] == (keras_conv_transpose_output_size(n, k, s, padding, op),
                              keras_conv_transpose_output_size(n + 1, k, s, padding, op))


@pytest.mark.parametrize("bad", [0, -1, 2.5, "3", None, True])
def test_size_functions_refuse_bad_numbers_with_conv_config_error(bad):
    for call in (lambda: conv_output_size(bad, 3), lambda: conv_output_size(5, bad),
                 lambda: conv_transpose_output_size(4, 2, stride=bad), lambda: conv_input_sizes(bad, 3),
                 lambda: keras_conv_transpose_output_size(4, bad)):
        with pytest.raises(ConvConfigError):
            call()


def test_messages_say_what_is_wrong_and_how_to_fix_it():
    with pytest.raises(ConvConfigError, match=r"kernel spans 5 cells.*padded input has only 3.*padding ≥ 1"):
        conv_output_size(3, 3, dilation=2)
    with pytest.raises(ConvConfigError, match=r"output_padding = 2 must be smaller than stride \(2\).*≤ 1"):
        conv_transpose_output_size(4, 3, stride=2, output_padding=2)
    with pytest.raises(ConvConfigError, match=r"crops away the whole output"):
        conv_transpose_output_size(1, 1, padding=1)
    with pytest.raises(ConvConfigError, match="No input size"):
        conv_input_sizes(1, 1, stride=4, padding=3)
