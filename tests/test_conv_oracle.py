"""Every core result against torch.nn.functional in float64, over the space the dashboard offers.

Inputs hold small integers, so every sum is exact and results must match torch exactly.
"""

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import (
    ConvConfigError,
    conv2d_matrix,
    conv_matrix,
    conv_matrix_entries,
    conv_output_size,
    conv_transpose2d_matrix,
    conv_transpose2d_scatter,
    conv_transpose2d_scatter_steps,
    conv_transpose2d_zero_insertion,
    conv_transpose_matrix_entries,
    conv_transpose_output_size,
    receptive_field,
)
from tests.oracle import integer_array, torch_conv, torch_conv_transpose

TRANSPOSED_VIEWS = (conv_transpose2d_scatter, conv_transpose2d_zero_insertion, conv_transpose2d_matrix)
SQUARE_SPACE = list(itertools.product(range(1, 17), range(1, 8), range(1, 5), range(0, 4), range(1, 4)))


def test_conv_matrix_equals_torch_exhaustively_square_single_channel():
    rng = np.random.default_rng(0)
    checked = 0
    for n, k, s, p, d in SQUARE_SPACE:
        if d * (k - 1) + 1 > n + 2 * p:
            continue
        x, w = integer_array(rng, (1, n, n)), integer_array(rng, (1, 1, k, k))
        expected = torch_conv(x, w, stride=s, padding=p, dilation=d)
        W = conv_matrix(x.shape, w, stride=s, padding=p, dilation=d)
        assert np.array_equal((W @ x.ravel()).reshape(expected.shape), expected), (n, k, s, p, d)
        checked += 1
    assert checked > 4000


def test_transposed_views_equal_torch_exhaustively_square_single_channel():
    rng = np.random.default_rng(1)
    checked = 0
    for n, k, s, p, d in SQUARE_SPACE:
        for op in range(max(s, d)):
            kw = dict(stride=s, padding=p, output_padding=op, dilation=d)
            try:
                conv_transpose_output_size(n, k, s, p, op, d)
            except ConvConfigError:
                continue
            x, w = integer_array(rng, (1, n, n)), integer_array(rng, (1, 1, k, k))
            expected = torch_conv_transpose(x, w, **kw)
            for view in TRANSPOSED_VIEWS:
                assert np.array_equal(view(x, w, **kw), expected), (view.__name__, n, k, s, p, op, d)
            checked += 1
    assert checked > 8000


axis = st.tuples(st.integers(1, 16), st.integers(1, 7), st.integers(1, 4), st.integers(0, 3), st.integers(1, 3))
channels = st.sampled_from([(g, ci, co) for g in range(1, 5) for ci in range(1, 9) for co in range(1, 9)
                            if ci % g == 0 and co % g == 0])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(h=axis, w=axis, chans=channels, seed=st.integers(0, 2**32 - 1))
def test_conv_matrix_equals_torch_non_square_with_channels_and_groups(h, w, chans, seed):
    groups, c_in, c_out = chans
    (nh, kh, sh, ph, dh), (nw, kw, sw, pw, dw) = h, w
    rng = np.random.default_rng(seed)
    x, weight = integer_array(rng, (c_in, nh, nw)), integer_array(rng, (c_out, c_in // groups, kh, kw))
    kwargs = dict(stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw), groups=groups)
    try:
        expected = torch_conv(x, weight, **kwargs)
    except RuntimeError:
        with pytest.raises(ConvConfigError):
            conv_matrix_entries(x.shape, weight, **kwargs)
        return
    assert np.array_equal(conv2d_matrix(x, weight, **kwargs), expected)
    entries = conv_matrix_entries(x.shape, weight, **kwargs)
    assert entries.shape == (expected.size, x.size)
    assert np.array_equal(entries.to_dense() @ x.ravel(), expected.ravel())
    assert entries.nonzero_count == np.count_nonzero(entries.to_dense())  # zero weights give zero entries


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(h=axis, w=axis, ops=st.tuples(st.integers(0, 3), st.integers(0, 3)), chans=channels,
       seed=st.integers(0, 2**32 - 1))
def test_transposed_views_equal_torch_non_square_with_channels_and_groups(h, w, ops, chans, seed):
    groups, c_in, c_out = chans
    (nh, kh, sh, ph, dh), (nw, kw, sw, pw, dw) = h, w
    rng = np.random.default_rng(seed)
    x, weight = integer_array(rng, (c_in, nh, nw)), integer_array(rng, (c_in, c_out // groups, kh, kw))
    kwargs = dict(stride=(sh, sw), padding=(ph, pw), output_padding=ops, dilation=(dh, dw), groups=groups)
    try:
        expected = torch_conv_transpose(x, weight, **kwargs)
    except RuntimeError:
        for view in TRANSPOSED_VIEWS:
            with pytest.raises(ConvConfigError):
                view(x, weight, **kwargs)
        return
    for view in TRANSPOSED_VIEWS:
        assert np.array_equal(view(x, weight, **kwargs), expected), view.__name__


@pytest.mark.parametrize("n", [32, 48, 64])
def test_spot_checks_up_to_64(n):
    rng = np.random.default_rng(n)
    x, w = rng.normal(size=(3, n, n - 5)), rng.normal(size=(3, 3, 5, 5))
    assert np.allclose(conv2d_matrix(x, w, stride=2, padding=2), torch_conv(x, w, stride=2, padding=2), atol=1e-12)
    kwargs = dict(stride=2, padding=1, output_padding=1)
    for view in TRANSPOSED_VIEWS:
        assert np.allclose(view(x, w, **kwargs), torch_conv_transpose(x, w, **kwargs), atol=1e-12)


# ------------------------------------------------------------------ laws


@settings(max_examples=200, deadline=None)
@given(h=axis, w=axis, chans=channels, seed=st.integers(0, 2**32 - 1))
def test_adjoint_identity(h, w, chans, seed):
    """⟨W x, y⟩ = ⟨x, Wᵀ y⟩, with Wᵀ y computed as a transposed convolution of the same weight."""
    groups, c_in, c_out = chans
    (nh, kh, sh, ph, dh), (nw, kw, sw, pw, dw) = h, w
    rng = np.random.default_rng(seed)
    x, weight = integer_array(rng, (c_in, nh, nw)), integer_array(rng, (c_out, c_in // groups, kh, kw))
    kwargs = dict(stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw), groups=groups)
    try:
        wx = conv2d_matrix(x, weight, **kwargs)
    except ConvConfigError:
        return
    y = integer_array(rng, wx.shape)
    # output_padding that recovers x's size: the remainder the floor dropped.
    ops = tuple(n - ((o - 1) * s + d * (k - 1) + 1 - 2 * p)
                for n, o, s, d, k, p in zip(x.shape[1:], wx.shape[1:], (sh, sw), (dh, dw), (kh, kw), (ph, pw), strict=True))
    wty = conv_transpose2d_scatter(y, weight, output_padding=ops, **kwargs)
    assert wty.shape == x.shape  # conv then transposed conv restores the shape
    assert np.sum(wx * y) == np.sum(x * wty)


def test_transposed_matrix_is_the_convolution_matrix_transposed():
    rng = np.random.default_rng(3)
    for n, k, s, p in itertools.product(range(2, 9), range(1, 5), range(1, 4), range(0, 2)):
        out = conv_output_size(n, k, s, p) if k <= n + 2 * p else None
        if out is None:
            continue
        w = integer_array(rng, (k, k))
        W = conv_matrix((n, n), w, stride=s, padding=p)
        y = integer_array(rng, (out, out))
        op = (n + 2 * p - k) % s
        entries = conv_transpose_matrix_entries(y.shape, w, stride=s, padding=p, output_padding=op)
        assert np.array_equal(entries.to_dense(), W)
        assert np.array_equal(conv_transpose2d_matrix(y, w, stride=s, padding=p, output_padding=op).ravel(), W.T @ y.ravel())


def test_scatter_steps_sum_to_the_output():
    rng = np.random.default_rng(4)
    x, w = integer_array(rng, (2, 3, 2)), integer_array(rng, (2, 3, 3, 2))
    kwargs = dict(stride=(2, 1), padding=(1, 0), output_padding=(1, 0), dilation=(1, 2))
    steps = list(conv_transpose2d_scatter_steps(x, w, **kwargs))
    assert len(steps) == x.size
    last = steps[-1]["canvas"]
    out = torch_conv_transpose(x, w, **kwargs)
    assert np.array_equal(last[:, 1:1 + out.shape[1], :out.shape[2]], out)


def test_receptive_field_is_where_the_gradient_flows():
    import torch
    import torch.nn.functional as F

    for n, k, s, p, d in [(5, 3, 1, 1, 1), (7, 3, 2, 0, 2), (4, 2, 3, 2, 1), (6, 3, 2, 3, 1)]:
        out = conv_output_size(n, k, s, p, d)
        for oh, ow in itertools.product(range(out), repeat=2):
            x = torch.zeros(1, 1, n, n, dtype=torch.float64, requires_grad=True)
            y = F.conv2d(x, torch.ones(1, 1, k, k, dtype=torch.float64), stride=s, padding=p, dilation=d)
            y[0, 0, oh, ow].backward()
            read = set(zip(*np.nonzero(x.grad[0, 0].numpy()), strict=True))
            rows, cols = receptive_field((oh, ow), (n, n), k, s, p, d)
            inside = {(int(r), int(c)) for r, c in zip(rows.ravel(), cols.ravel(), strict=True) if 0 <= r < n and 0 <= c < n}
            assert inside == read


# ------------------------------------------------------------------ the lesson's worked examples

LESSON_I = np.array([[4, 3, 2, 1], [1, 4, 3, 2], [2, 1, 4, 3], [3, 2, 1, 4]], dtype=float)
LESSON_K = np.array([[0, 1, 0], [-1, 2, 2], [0, 1, 0]], dtype=float)


def test_lesson_2x2_transposed_examples():
    x = np.array([[0, 1], [2, 3.0]])
    k = np.array([[0, 1], [2, 3.0]])
    stride1 = torch_conv_transpose(x[None], k[None, None])[0]
    stride2 = torch_conv_transpose(x[None], k[None, None], stride=2)[0]
    assert stride1.tolist() == [[0, 0, 1], [0, 4, 6], [4, 12, 9]]
    assert stride2.shape == (4, 4)
    for view in TRANSPOSED_VIEWS:
        assert np.array_equal(view(x, k), stride1)
        assert np.array_equal(view(x, k, stride=2), stride2)


def test_lesson_kernel2matrix_example():
    W = conv_matrix(LESSON_I.shape, LESSON_K)
    k = np.zeros(11)
    k[:3], k[4:7], k[8:11] = LESSON_K
    lesson_W = np.zeros((4, 16))
    lesson_W[0, :11], lesson_W[1, 1:12], lesson_W[2, 4:15], lesson_W[3, 5:] = k, k, k, k
    assert np.array_equal(W, lesson_W)
    Y = (W @ LESSON_I.ravel()).reshape(2, 2)
    assert np.array_equal(Y, torch_conv(LESSON_I[None], LESSON_K[None, None])[0])
    assert Y.tolist() == [[17, 12], [14, 17]]
    Z = conv_transpose2d_matrix(Y, LESSON_K)
    assert np.array_equal(Z.ravel(), W.T @ Y.ravel())
    assert np.array_equal(Z, torch_conv_transpose(Y[None], LESSON_K[None, None])[0])


def test_lesson_2x3_kernel_example_shape():
    """The lesson meant to set a 2×3 kernel (its `weight.dataata` typo never did); the shape is 8×9."""
    x = np.arange(16.0).reshape(4, 4)
    k = np.array([[0, 2, 1], [2, 3, 3.0]])
    out = conv_transpose2d_scatter(x, k, stride=2)
    assert out.shape == (8, 9)
    assert np.array_equal(out, torch_conv_transpose(x[None], k[None, None], stride=2)[0])


def test_scatter_at_each_step_equals_replaying_the_steps():
    from core import conv_transpose2d_scatter_at

    rng = np.random.default_rng(5)
    x, w = integer_array(rng, (2, 3, 4)), integer_array(rng, (2, 2, 2, 3))
    kwargs = dict(stride=(2, 1), padding=(1, 0), output_padding=(1, 0), dilation=(1, 2), groups=2)
    for step, replayed in enumerate(conv_transpose2d_scatter_steps(x, w, **kwargs), start=1):
        at = conv_transpose2d_scatter_at(x, w, step, **kwargs)
        assert at["index"] == replayed["index"] and (at["top"], at["left"]) == (replayed["top"], replayed["left"])
        assert np.array_equal(at["canvas"], replayed["canvas"]) and np.array_equal(at["stamp"], replayed["stamp"])
    with pytest.raises(ConvConfigError, match="past the last"):
        conv_transpose2d_scatter_at(x, w, x.size + 1, **kwargs)
