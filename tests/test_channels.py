"""Channels and groups: shapes, parameter counts, MACs and connectivity against real torch modules."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from core.channels import (
    LAYERS,
    channel_layer,
    connectivity,
    example_padding,
    facts,
    facts_vector,
    macs,
    matrix_entries,
    matrix_entry_bound,
    nearest_groups,
    parameter_counts,
    torch_facts,
    weight_shape,
)
from core.errors import ConvConfigError
from tests.oracle import torch_conv, torch_conv_transpose


@st.composite
def layers(draw, max_channels=16):
    groups = draw(st.integers(1, 4))
    in_channels = groups * draw(st.integers(1, max_channels // groups))
    out_channels = groups * draw(st.integers(1, max_channels // groups))
    kernel = (draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    return channel_layer(draw(st.sampled_from(LAYERS)), in_channels, out_channels, groups, kernel)


def _module(spec):
    return getattr(torch.nn, spec.layer)(spec.in_channels, spec.out_channels, spec.kernel_size,
                                         padding=example_padding(spec), groups=spec.groups)


@settings(max_examples=60, deadline=None)
@given(layers(), st.integers(1, 8), st.integers(1, 8))
def test_every_number_equals_the_torch_module(spec, height, width):
    module = _module(spec)
    assert weight_shape(spec) == tuple(module.weight.shape)
    counts = parameter_counts(spec)
    assert counts["total"] == sum(p.numel() for p in module.parameters())
    assert (counts["weights"], counts["bias"]) == (module.weight.numel(), module.bias.numel())
    assert facts(spec, (height, width))["output_shape"] == tuple(module(torch.zeros(1, spec.in_channels, height, width)).shape[1:])
    assert np.array_equal(facts_vector(facts(spec, (height, width))), facts_vector(torch_facts(spec, (height, width))))


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("config", [(4, 4, 2, (3, 3)), (8, 4, 4, (2, 5)), (6, 9, 3, (4, 1)), (3, 3, 3, (7, 7))])
def test_macs_equal_torchs_own_flop_counter(layer, config):
    from torch.utils.flop_counter import FlopCounterMode

    spec = channel_layer(layer, *config)
    with FlopCounterMode(display=False) as counter:
        _module(spec)(torch.zeros(1, spec.in_channels, 5, 6))
    assert 2 * macs(spec, (5, 6)) == counter.get_total_flops()


def test_depthwise_and_pointwise_counts():
    """MobileNet's depthwise-separable block: 3×3 depthwise (groups = channels) then 1×1 pointwise."""
    depthwise = channel_layer("Conv2d", 32, 32, 32, 3)
    pointwise = channel_layer("Conv2d", 32, 64, 1, 1)
    assert weight_shape(depthwise) == (32, 1, 3, 3) and parameter_counts(depthwise)["total"] == 32 * 9 + 32
    assert parameter_counts(pointwise)["total"] == 64 * 32 + 64
    assert np.array_equal(connectivity(depthwise), np.eye(32, dtype=int))


@pytest.mark.parametrize("layer", LAYERS)
def test_connectivity_is_block_diagonal_with_g_blocks(layer):
    conn = connectivity(channel_layer(layer, 6, 4, 2))
    assert np.array_equal(conn, np.kron(np.eye(2, dtype=int), np.ones((2, 3), dtype=int)))


@settings(max_examples=30, deadline=None)
@given(layers(max_channels=8), st.integers(1, 5), st.integers(1, 5))
def test_w_reproduces_torch_and_is_block_diagonal(spec, height, width):
    entries = matrix_entries(spec, (height, width))
    assert len(entries.rows) <= matrix_entry_bound(spec, (height, width))
    rng = np.random.default_rng(0)
    x = rng.integers(-3, 4, size=(spec.in_channels, height, width)).astype(float)
    padding = example_padding(spec)
    dense = entries.to_dense()
    if spec.transposed:
        expected = torch_conv_transpose(x, entries_weight(spec), padding=padding, groups=spec.groups)
        assert np.array_equal(dense.T @ x.ravel(), expected.ravel())
    else:
        expected = torch_conv(x, entries_weight(spec), padding=padding, groups=spec.groups)
        assert np.array_equal(dense @ x.ravel(), expected.ravel())
    rows_per_group, cols_per_group = dense.shape[0] // spec.groups, dense.shape[1] // spec.groups
    # Nothing outside the g diagonal blocks.
    group_of_row = entries.rows // rows_per_group
    group_of_col = entries.cols // cols_per_group
    assert np.array_equal(group_of_row, group_of_col)


def entries_weight(spec):
    kh, kw = spec.kernel_size
    return np.broadcast_to(np.arange(1.0, kh * kw + 1).reshape(kh, kw), weight_shape(spec)).copy()


@pytest.mark.parametrize("args, words", [
    (("Conv2d", 4, 6, 4), "choose groups among [1, 2]"),
    (("Conv2d", 3, 4, 2), "does not divide in_channels = 3"),
    (("Dense", 4, 4, 1), "layer must be one of"),
    (("Conv2d", 0, 4, 1), "at least 1"),
])
def test_impossible_layers_are_explained(args, words):
    with pytest.raises(ConvConfigError, match=words.replace("[", r"\[").replace("]", r"\]")):
        channel_layer(*args)


@pytest.mark.parametrize("channels, groups, expected", [((4, 6), 64, 2), ((64, 48), 3, 2), ((64, 64), 63, 64),
                                                        ((12, 12), 5, 4), ((7, 5), 3, 1), ((8, 8), 8, 8)])
def test_nearest_groups(channels, groups, expected):
    assert nearest_groups(*channels, groups) == expected
    channel_layer("Conv2d", *channels, expected)  # valid
