"""Convolution as a matrix: ``vec(Y) = W · vec(X)``, built from W's nonzero entries.

W has one row per output element ``(c_out, oh, ow)`` and one column per input element
``(c_in, ih, iw)``, both in row-major (C-order) ravel order, as ``torch.Tensor.reshape(-1)`` gives.
Its only structurally nonzero entries are (output, input, kernel tap) triples: output ``(co, oh, ow)``
reads input ``(ci, oh·s − p + kh·d, ow·s − p + kw·d)`` through tap ``weight[co, ci_local, kh, kw]``.
Taps that fall on padding read zeros and have no column.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import ConvConfigError
from .layer import as_input_shape, as_weight, check_channels, spatial_params
from .params import check_groups
from .sizes import conv_output_size


@dataclass(frozen=True)
class ConvMatrixEntries:
    """W in coordinate form: ``W[rows[n], cols[n]] = values[n]``.

    ``taps[n]`` is the flat index of the weight element behind entry n
    (``numpy.ravel_multi_index((co, ci_local, kh, kw), weight.shape)``), so a figure can colour each
    entry by its kernel tap. Entries are the kernel's taps, zero-valued taps included: W's sparsity
    pattern does not depend on the weight values.
    """

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    taps: np.ndarray
    input_shape: tuple[int, int, int]
    output_shape: tuple[int, int, int]
    weight_shape: tuple[int, int, int, int]

    @property
    def shape(self) -> tuple[int, int]:
        """``(C_out·H_out·W_out, C_in·H_in·W_in)``."""
        return int(np.prod(self.output_shape)), int(np.prod(self.input_shape))

    def to_dense(self) -> np.ndarray:
        """The dense W (float64). Only for sizes that fit: a 64×64 input gives 3844×4096."""
        dense = np.zeros(self.shape)
        dense[self.rows, self.cols] = self.values
        return dense


def conv_output_shape(input_shape, weight_shape, stride=1, padding=0, dilation=1, groups=1) -> tuple[int, int, int]:
    """``(C_out, H_out, W_out)`` of ``F.conv2d`` on an input of ``input_shape`` (``(H, W)`` or ``(C, H, W)``)."""
    channels, height, width = as_input_shape(input_shape)
    weight_shape = tuple(weight_shape) if len(weight_shape) == 4 else (1, 1, *weight_shape)
    stride, padding, dilation = spatial_params(stride, padding, dilation)
    groups = check_groups(groups, channels, weight_shape[0])
    check_channels(channels, weight_shape[1], groups, "Conv2d weight is (C_out, C_in/groups, kh, kw)")
    out_h = conv_output_size(height, weight_shape[2], stride[0], padding[0], dilation[0])
    out_w = conv_output_size(width, weight_shape[3], stride[1], padding[1], dilation[1])
    return weight_shape[0], out_h, out_w


def conv_matrix_entries(input_shape, weight, stride=1, padding=0, dilation=1, groups=1) -> ConvMatrixEntries:
    """The nonzero entries of W such that ``W @ x.ravel() == F.conv2d(x, weight, ...).ravel()``.

    ``W[(co, oh, ow), (ci, ih, iw)] = weight[co, ci − g·C_in/groups, kh, kw]`` where
    ``ih = oh·stride − padding + kh·dilation`` (likewise for w), ``g = co // (C_out/groups)``, for
    every tap that lands inside the input. Built by broadcasting, with no Python loop over pixels.
    """
    weight = as_weight(weight)
    in_shape = as_input_shape(input_shape)
    out_shape = conv_output_shape(in_shape, weight.shape, stride, padding, dilation, groups)
    (sh, sw), (ph, pw), (dh, dw) = spatial_params(stride, padding, dilation)
    c_out, c_in_per_group, kh, kw = weight.shape
    _, height, width = in_shape
    _, out_h, out_w = out_shape
    out_per_group = c_out // groups

    # Axes (co, oh, ow, ci_local, kh, kw): in this order rows ascend, and within a row the columns
    # ascend too (col is lexicographic in ci, ih, iw), so the entries come out sorted with no sort.
    co, oh, ow, ci_local, ki, kj = np.ix_(
        np.arange(c_out), np.arange(out_h), np.arange(out_w), np.arange(c_in_per_group), np.arange(kh), np.arange(kw)
    )
    ih = oh * sh - ph + ki * dh
    iw = ow * sw - pw + kj * dw
    ci = (co // out_per_group) * c_in_per_group + ci_local
    full = (c_out, out_h, out_w, c_in_per_group, kh, kw)
    inside = np.broadcast_to((ih >= 0) & (ih < height) & (iw >= 0) & (iw < width), full)

    rows = np.broadcast_to((co * out_h + oh) * out_w + ow, full)[inside]
    cols = np.broadcast_to((ci * height + ih) * width + iw, full)[inside]
    taps = np.broadcast_to(((co * c_in_per_group + ci_local) * kh + ki) * kw + kj, full)[inside]
    return ConvMatrixEntries(
        rows=rows, cols=cols, values=weight.reshape(-1)[taps], taps=taps,
        input_shape=in_shape, output_shape=out_shape, weight_shape=weight.shape,
    )


def conv_matrix(input_shape, weight, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    """The dense matrix W with ``W @ x.ravel() == F.conv2d(x, weight, ...).ravel()``.

    Shape ``(C_out·H_out·W_out, C_in·H_in·W_in)``. See :func:`conv_matrix_entries` for the formula.
    """
    return conv_matrix_entries(input_shape, weight, stride, padding, dilation, groups).to_dense()


def conv2d_matrix(x, weight, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    """``F.conv2d`` computed as ``W @ vec(x)`` from W's entries, returned as ``(C_out, H_out, W_out)``.

    A 2-D ``x`` with a 2-D kernel gives a 2-D result, like the lesson's single-channel example.
    """
    from .layer import as_chw

    x_chw = as_chw("x", x)
    entries = conv_matrix_entries(x_chw.shape, weight, stride, padding, dilation, groups)
    y = np.bincount(entries.rows, weights=entries.values * x_chw.reshape(-1)[entries.cols], minlength=entries.shape[0])
    y = y.reshape(entries.output_shape)
    return y[0] if np.ndim(x) == 2 and np.ndim(weight) == 2 else y


def receptive_field(output_index, input_shape, kernel_size, stride=1, padding=0, dilation=1) -> tuple[np.ndarray, np.ndarray]:
    """Input coordinates ``(rows, cols)`` read by output cell ``(oh, ow)``, padding cells included.

    ``rows = oh·stride − padding + dilation·[0 … kh−1]``; coordinates outside ``[0, H)`` are padding.
    Returned as two ``(kh, kw)`` integer grids in kernel-tap order.
    """
    from .params import as_pair

    _, height, width = as_input_shape(input_shape)
    (kh, kw) = as_pair("kernel_size", kernel_size, 1)
    (sh, sw), (ph, pw), (dh, dw) = spatial_params(stride, padding, dilation)
    out_h = conv_output_size(height, kh, sh, ph, dh)
    out_w = conv_output_size(width, kw, sw, pw, dw)
    oh, ow = (int(v) for v in output_index)
    if not (0 <= oh < out_h and 0 <= ow < out_w):
        raise ConvConfigError(f"Output cell {(oh, ow)} is outside the {out_h}×{out_w} output.")
    rows = oh * sh - ph + dh * np.arange(kh)
    cols = ow * sw - pw + dw * np.arange(kw)
    return np.broadcast_to(rows[:, None], (kh, kw)).copy(), np.broadcast_to(cols[None, :], (kh, kw)).copy()
