"""Convolution as a matrix: ``vec(Y) = W · vec(X)``, built from W's nonzero entries.

W has one row per output element ``(c_out, oh, ow)`` and one column per input element
``(c_in, ih, iw)``, both in row-major (C-order) ravel order, as ``torch.Tensor.reshape(-1)`` gives.
Its only structurally nonzero entries are (output, input, kernel tap) triples: output ``(co, oh, ow)``
reads input ``(ci, oh·s − p + kh·d, ow·s − p + kw·d)`` through tap ``weight[co, ci_local, kh, kw]``.
Taps that fall on padding read zeros and have no column.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

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
    pattern does not depend on the weight values. They come tap by tap, ordered
    ``(c_out, c_in_local, a, b, oh, ow)``; each (row, col) pair appears once.
    """

    rows: np.ndarray
    cols: np.ndarray
    taps: np.ndarray
    weight: np.ndarray  # float64, (C_out, C_in/groups, kh, kw)
    input_shape: tuple[int, int, int]
    output_shape: tuple[int, int, int]

    @property
    def weight_shape(self) -> tuple[int, int, int, int]:
        return self.weight.shape

    @cached_property
    def values(self) -> np.ndarray:
        """``W[rows[n], cols[n]] = weight.ravel()[taps[n]]``, gathered on first use."""
        return self.weight.reshape(-1)[self.taps]

    @property
    def nonzero_count(self) -> int:
        """How many entries are nonzero, ``#{n : values[n] ≠ 0}``: a zero weight puts zeros in W."""
        return int(np.count_nonzero(self.values))

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
    pixels, taps_per_row = out_h * out_w, c_in_per_group * kh * kw
    index = np.int32 if max(c_out * pixels, int(np.prod(in_shape)), weight.size) < 2**31 else np.int64

    # col = (ci·H + ih)·W + iw splits into a part from the kernel tap and a part from the output
    # pixel: tap_offset = ci·H·W + a·d_h·W + b·d_w and pixel_base = (oh·s_h − p_h)·W + ow·s_w − p_w.
    # Entries are laid out (co, ci_local, a, b | oh, ow): every array below is a (taps, pixels) sum
    # whose inner loops run over all pixels, which is what makes numpy fast here.
    pixel_base = (((np.arange(out_h, dtype=index) * sh - ph) * width)[:, None]
                  + (np.arange(out_w, dtype=index) * sw - pw)).reshape(1, pixels)
    tap_offset = ((np.arange(c_in_per_group, dtype=index) * (height * width))[:, None, None]
                  + (np.arange(kh, dtype=index) * (dh * width))[:, None] + np.arange(kw, dtype=index) * dw)
    group_offset = (np.arange(c_out, dtype=index) // (c_out // groups)) * (c_in_per_group * height * width)
    all_taps = c_out * taps_per_row
    cols = ((group_offset[:, None] + tap_offset.reshape(1, -1)).reshape(all_taps, 1) + pixel_base).reshape(-1)
    rows = np.broadcast_to((np.arange(c_out, dtype=index) * pixels)[:, None, None] + np.arange(pixels, dtype=index),
                           (c_out, taps_per_row, pixels)).reshape(-1)
    taps = np.repeat(np.arange(all_taps, dtype=index), pixels)

    ih = np.arange(kh)[:, None] * dh + (np.arange(out_h) * sh - ph)  # (kh, out_h): input row per tap
    iw = np.arange(kw)[:, None] * dw + (np.arange(out_w) * sw - pw)
    inside_h, inside_w = (ih >= 0) & (ih < height), (iw >= 0) & (iw < width)
    if not (inside_h.all() and inside_w.all()):  # some taps fall on padding: they have no column
        inside = (inside_h[:, None, :, None] & inside_w[None, :, None, :]).reshape(kh * kw, pixels)
        inside = np.broadcast_to(inside, (c_out * c_in_per_group, kh * kw, pixels)).reshape(-1)
        rows, cols, taps = rows[inside], cols[inside], taps[inside]
    return ConvMatrixEntries(
        rows=rows, cols=cols, taps=taps, weight=weight, input_shape=in_shape, output_shape=out_shape,
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
