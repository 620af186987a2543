"""Transposed convolution three ways, each equal to ``F.conv_transpose2d``.

The weight has torch's ConvTranspose2d layout ``(C_in, C_out/groups, kh, kw)``: the same tensor
that convolves ``C_out → C_in`` channels (as a Conv2d weight) transposes ``C_in → C_out``.

1. Scatter: every input element stamps a scaled copy of its kernel into the output.
2. Zero insertion: stretch the input with stride−1 zeros, pad, convolve with the flipped kernel.
3. Matrix: ``vec(Z) = Wᵀ · vec(X)`` with W the convolution matrix of the output's size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import ConvConfigError
from .layer import as_chw, as_weight, spatial_params
from .matrix import ConvMatrixEntries, conv_matrix_entries
from .params import as_int, as_pair, check_groups, check_output_padding
from .sizes import conv_transpose_output_size


@dataclass(frozen=True)
class TransposeSetup:
    """Validated inputs of a transposed convolution and the sizes that follow from them."""

    x: np.ndarray  # (C_in, H, W)
    weight: np.ndarray  # (C_in, C_out/groups, kh, kw)
    stride: tuple[int, int]
    padding: tuple[int, int]
    output_padding: tuple[int, int]
    dilation: tuple[int, int]
    groups: int
    output_shape: tuple[int, int, int]  # (C_out, H_out, W_out)
    squeeze: bool  # a 2-D input with a 2-D kernel gives a 2-D result

    @property
    def out_channels(self) -> int:
        return self.output_shape[0]


def transpose_setup(x, weight, stride=1, padding=0, output_padding=0, dilation=1, groups=1) -> TransposeSetup:
    """Validate a transposed convolution and compute its output shape.

    ``H_out = (H − 1)·stride − 2·padding + dilation·(kh − 1) + output_padding + 1`` (likewise W),
    ``C_out = groups · weight.shape[1]``.
    """
    squeeze = np.ndim(x) == 2 and np.ndim(weight) == 2
    x = as_chw("x", x)
    weight = as_weight(weight)
    stride, padding, dilation = spatial_params(stride, padding, dilation)
    output_padding = as_pair("output_padding", output_padding, 0)
    check_output_padding(output_padding, stride, dilation)
    c_in, height, width = x.shape
    if weight.shape[0] != c_in:
        raise ConvConfigError(
            f"The input has {c_in} channel(s) but the ConvTranspose2d weight (C_in, C_out/groups, kh, kw) "
            f"has {weight.shape[0]}: make them agree."
        )
    groups = as_int("groups", groups, 1)
    check_groups(groups, c_in, weight.shape[1] * groups)
    out_h = conv_transpose_output_size(height, weight.shape[2], stride[0], padding[0], output_padding[0], dilation[0])
    out_w = conv_transpose_output_size(width, weight.shape[3], stride[1], padding[1], output_padding[1], dilation[1])
    return TransposeSetup(
        x, weight, stride, padding, output_padding, dilation, groups, (weight.shape[1] * groups, out_h, out_w), squeeze
    )


def _finish(setup: TransposeSetup, z: np.ndarray) -> np.ndarray:
    return z[0] if setup.squeeze else z


def _conv_weight_per_output(setup: TransposeSetup) -> np.ndarray:
    """For each input channel ci, its kernels to every output channel: ``(C_in, C_out, kh, kw)``, zero across groups."""
    c_in, per_group, kh, kw = setup.weight.shape
    in_per_group = c_in // setup.groups
    full = np.zeros((c_in, setup.out_channels, kh, kw))
    for g in range(setup.groups):
        block = slice(g * in_per_group, (g + 1) * in_per_group)
        full[block, g * per_group:(g + 1) * per_group] = setup.weight[block]
    return full


# ---------------------------------------------------------------- 1. scatter


def scatter_canvas_shape(setup: TransposeSetup) -> tuple[int, int]:
    """The uncropped canvas every stamp fits in, extended so output_padding rows exist.

    Output cell ``o`` is canvas cell ``o + padding``; the canvas is ``(H − 1)·s + d·(k − 1) + 1``
    long, or longer when output_padding reaches past it.
    """
    _, height, width = setup.x.shape
    _, _, kh, kw = setup.weight.shape
    sizes = []
    for n, k, s, p, d, out in zip((height, width), (kh, kw), setup.stride, setup.padding, setup.dilation, setup.output_shape[1:], strict=True):
        sizes.append(max((n - 1) * s + d * (k - 1) + 1, out + p))
    return tuple(sizes)


def scatter_stamp(setup: TransposeSetup, channel: int, row: int, col: int) -> tuple[np.ndarray, int, int]:
    """The stamp of input element ``x[channel, row, col]``: ``x · weight[channel]`` placed at
    canvas offset ``(row·s_h, col·s_w)`` with dilation gaps.

    Returns ``(stamp, top, left)``: ``stamp`` is ``(C_out, d·(kh−1)+1, d·(kw−1)+1)`` on the canvas
    grid, zero for other groups' output channels and between dilated taps.
    """
    kernels = _conv_weight_per_output(setup)[channel]
    (dh, dw) = setup.dilation
    _, _, kh, kw = setup.weight.shape
    stamp = np.zeros((setup.out_channels, dh * (kh - 1) + 1, dw * (kw - 1) + 1))
    stamp[:, ::dh, ::dw] = setup.x[channel, row, col] * kernels
    return stamp, row * setup.stride[0], col * setup.stride[1]


def crop_canvas(setup: TransposeSetup, canvas: np.ndarray) -> np.ndarray:
    """Crop ``padding`` from the top/left and keep ``H_out × W_out``: ``Z = canvas[p : p + H_out]``."""
    (ph, pw), (_, out_h, out_w) = setup.padding, setup.output_shape
    return canvas[:, ph:ph + out_h, pw:pw + out_w]


def conv_transpose2d_scatter_steps(x, weight, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
    """Yield the scatter view step by step, in row-major input order.

    Each step is a dict: ``index`` (channel, row, col), ``value`` x at that index, ``stamp``,
    ``top``, ``left`` (see :func:`scatter_stamp`) and ``canvas``, the running sum so far (uncropped,
    a fresh array per step). ``crop_canvas`` of the last canvas is the output.
    """
    setup = transpose_setup(x, weight, stride, padding, output_padding, dilation, groups)
    canvas = np.zeros((setup.out_channels, *scatter_canvas_shape(setup)))
    for channel, row, col in np.ndindex(*setup.x.shape):
        stamp, top, left = scatter_stamp(setup, channel, row, col)
        canvas[:, top:top + stamp.shape[1], left:left + stamp.shape[2]] += stamp
        yield {"index": (channel, row, col), "value": setup.x[channel, row, col], "stamp": stamp,
               "top": top, "left": left, "canvas": canvas.copy()}


def conv_transpose2d_scatter_at(x, weight, step: int, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
    """The scatter view after ``step`` stamps (1 … x.size), without replaying the earlier steps one by one.

    Returns the same dict as one item of :func:`conv_transpose2d_scatter_steps`: the canvas is the
    sum of the first ``step`` stamps in row-major input order, computed as the scatter of x with
    every later element zeroed.
    """
    setup = transpose_setup(x, weight, stride, padding, output_padding, dilation, groups)
    step = as_int("step", step, 1)
    if step > setup.x.size:
        raise ConvConfigError(f"step {step} is past the last of the {setup.x.size} input elements.")
    channel, row, col = np.unravel_index(step - 1, setup.x.shape)
    partial = np.zeros_like(setup.x).reshape(-1)
    partial[:step] = setup.x.reshape(-1)[:step]
    canvas = _scatter_canvas(setup, partial.reshape(setup.x.shape))
    stamp, top, left = scatter_stamp(setup, int(channel), int(row), int(col))
    return {"index": (int(channel), int(row), int(col)), "value": setup.x[channel, row, col], "stamp": stamp,
            "top": top, "left": left, "canvas": canvas}


def _scatter_canvas(setup: TransposeSetup, x: np.ndarray) -> np.ndarray:
    """Every stamp of ``x`` summed on the uncropped canvas: one weighted bincount, no loop over pixels."""
    kernels = _conv_weight_per_output(setup)  # (C_in, C_out, kh, kw)
    c_in, height, width = x.shape
    _, c_out, kh, kw = kernels.shape
    (sh, sw), (dh, dw) = setup.stride, setup.dilation
    canvas_h, canvas_w = scatter_canvas_shape(setup)
    ci, i, j, co, a, b = np.ix_(np.arange(c_in), np.arange(height), np.arange(width), np.arange(c_out), np.arange(kh), np.arange(kw))
    target = (co * canvas_h + i * sh + a * dh) * canvas_w + j * sw + b * dw
    contribution = x[:, :, :, None, None, None] * kernels[:, None, None]
    canvas = np.bincount(np.broadcast_to(target, contribution.shape).ravel(), weights=contribution.ravel(),
                         minlength=c_out * canvas_h * canvas_w)
    return canvas.reshape(c_out, canvas_h, canvas_w)


def conv_transpose2d_scatter(x, weight, stride=1, padding=0, output_padding=0, dilation=1, groups=1) -> np.ndarray:
    """``F.conv_transpose2d`` as a sum of stamps, vectorized over the input.

    ``canvas[co, i·s + a·d, j·s + b·d] += x[ci, i, j] · weight[ci, co_local, a, b]`` for every input
    element and tap, then ``Z = canvas[:, p_h : p_h + H_out, p_w : p_w + W_out]``.
    """
    setup = transpose_setup(x, weight, stride, padding, output_padding, dilation, groups)
    return _finish(setup, crop_canvas(setup, _scatter_canvas(setup, setup.x)))


# ---------------------------------------------------------------- 2. zero insertion


@dataclass(frozen=True)
class ZeroInsertion:
    """The zero-insertion view: ``output = conv2d(stretched, flipped_weight, stride=1, dilation=d, groups=g)``."""

    stretched: np.ndarray  # (C_in, H', W'): zeros inserted, padded/cropped, output_padding added
    inserted: np.ndarray  # (C_in, (H−1)·s+1, (W−1)·s+1): zeros inserted only
    edge: tuple[int, int]  # d·(k−1) − p per axis: padding added on each side (negative: cropped)
    flipped_weight: np.ndarray  # (C_out, C_in/groups, kh, kw), each kernel rotated 180°
    output: np.ndarray


def insert_zeros(x: np.ndarray, stride) -> np.ndarray:
    """Put ``stride − 1`` zeros between neighbouring elements: length ``(n − 1)·s + 1`` per axis."""
    sh, sw = as_pair("stride", stride, 1)
    c, h, w = x.shape
    out = np.zeros((c, (h - 1) * sh + 1, (w - 1) * sw + 1))
    out[:, ::sh, ::sw] = x
    return out


def _pad_or_crop(array: np.ndarray, before: int, after: int, axis: int) -> np.ndarray:
    """Pad ``axis`` with zeros (positive amounts) or crop it (negative amounts)."""
    length = array.shape[axis]
    kept = slice(max(-before, 0), length - max(-after, 0))
    shape = list(array.shape)
    shape[axis] = max(before, 0) + (kept.stop - kept.start) + max(after, 0)
    out = np.zeros(shape)
    index_out = [slice(None)] * array.ndim
    index_in = [slice(None)] * array.ndim
    index_out[axis] = slice(max(before, 0), max(before, 0) + kept.stop - kept.start)
    index_in[axis] = kept
    out[tuple(index_out)] = array[tuple(index_in)]
    return out


def flip_transpose_weight(weight: np.ndarray, groups: int) -> np.ndarray:
    """ConvTranspose2d weight ``(C_in, C_out/g, kh, kw)`` → the Conv2d weight ``(C_out, C_in/g, kh, kw)``
    of the equivalent stride-1 convolution: swap the channel roles within each group and rotate
    every kernel by 180°."""
    c_in, per_group, kh, kw = weight.shape
    in_per_group = c_in // groups
    grouped = weight.reshape(groups, in_per_group, per_group, kh, kw).swapaxes(1, 2)
    return grouped.reshape(groups * per_group, in_per_group, kh, kw)[:, :, ::-1, ::-1].copy()


def conv_transpose2d_zero_insertion_steps(x, weight, stride=1, padding=0, output_padding=0, dilation=1, groups=1) -> ZeroInsertion:
    """All intermediate arrays of the zero-insertion view (see :class:`ZeroInsertion`).

    Stretch: insert ``s − 1`` zeros between input elements. Pad each side by ``e = d·(k − 1) − p``
    (crop ``−e`` where negative), add ``output_padding`` zeros on the bottom/right, then convolve
    at stride 1 and dilation d with each kernel flipped 180°.
    """
    from .matrix import conv2d_matrix

    setup = transpose_setup(x, weight, stride, padding, output_padding, dilation, groups)
    inserted = insert_zeros(setup.x, setup.stride)
    _, _, kh, kw = setup.weight.shape
    edge = tuple(d * (k - 1) - p for d, k, p in zip(setup.dilation, (kh, kw), setup.padding, strict=True))
    stretched = _pad_or_crop(inserted, edge[0], edge[0] + setup.output_padding[0], axis=1)
    stretched = _pad_or_crop(stretched, edge[1], edge[1] + setup.output_padding[1], axis=2)
    flipped = flip_transpose_weight(setup.weight, setup.groups)
    output = conv2d_matrix(stretched, flipped, stride=1, padding=0, dilation=setup.dilation, groups=setup.groups)
    return ZeroInsertion(stretched, inserted, edge, flipped, _finish(setup, output))


def conv_transpose2d_zero_insertion(x, weight, stride=1, padding=0, output_padding=0, dilation=1, groups=1) -> np.ndarray:
    """``F.conv_transpose2d`` as a stride-1 convolution of the zero-stretched, padded input with the
    flipped kernel (see :func:`conv_transpose2d_zero_insertion_steps`)."""
    return conv_transpose2d_zero_insertion_steps(x, weight, stride, padding, output_padding, dilation, groups).output


# ---------------------------------------------------------------- 3. matrix


def conv_transpose_matrix_entries(x_shape, weight, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
    """The entries of W for the transposed convolution of an input of ``x_shape``, so ``vec(Z) = Wᵀ vec(X)``.

    W is the convolution matrix of the *output's* shape ``(C_out, H_out, W_out)`` with the same
    weight read as a Conv2d weight: it maps the output back to ``x_shape``. When torch's rule lets
    output_padding reach the stride (possible when dilation > stride), convolving the output gives
    ``⌊output_padding / stride⌋`` extra rows (columns) past x; those rows of W are left out.
    """
    setup = transpose_setup(np.zeros(x_shape), weight, stride, padding, output_padding, dilation, groups)
    entries = conv_matrix_entries(setup.output_shape, setup.weight, setup.stride, setup.padding, setup.dilation, setup.groups)
    if entries.output_shape == setup.x.shape:
        return entries
    channel, row, col = np.unravel_index(entries.rows, entries.output_shape)
    keep = (row < setup.x.shape[1]) & (col < setup.x.shape[2])
    return ConvMatrixEntries(
        rows=np.ravel_multi_index((channel[keep], row[keep], col[keep]), setup.x.shape), cols=entries.cols[keep],
        taps=entries.taps[keep], weight=entries.weight, input_shape=entries.input_shape, output_shape=setup.x.shape,
    )


def conv_transpose2d_matrix(x, weight, stride=1, padding=0, output_padding=0, dilation=1, groups=1) -> np.ndarray:
    """``F.conv_transpose2d`` as ``Wᵀ @ vec(x)`` reshaped to ``(C_out, H_out, W_out)``.

    W is ``conv_matrix(output_shape, weight, stride, padding, dilation, groups)`` (see
    :func:`conv_transpose_matrix_entries`): row ``(ci, i, j)``, column ``(co, oh, ow)``, so
    ``Z[col] = Σ_rows W[row, col] · x[row]``.
    """
    setup = transpose_setup(x, weight, stride, padding, output_padding, dilation, groups)
    entries = conv_transpose_matrix_entries(setup.x.shape, setup.weight, setup.stride, setup.padding,
                                            setup.output_padding, setup.dilation, setup.groups)
    z = np.bincount(entries.cols, weights=entries.values * setup.x.reshape(-1)[entries.rows], minlength=entries.shape[1])
    return _finish(setup, z.reshape(setup.output_shape))


def is_valid_transpose(in_channels: int, input_size, out_channels: int, groups: int, kernel_size, stride=1,
                       padding=0, output_padding=0, dilation=1) -> bool:
    """Whether ``nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride, padding, output_padding,
    groups, dilation=dilation)`` accepts an input of spatial size ``input_size`` (every rule of
    :func:`transpose_setup`, and ``groups`` dividing both channel counts)."""
    if groups < 1 or in_channels % groups or out_channels % groups:
        return False
    try:
        kernel_h, kernel_w = as_pair("kernel_size", kernel_size, 1)
        transpose_setup(np.zeros((in_channels, *as_pair("input_size", input_size, 1))),
                        np.zeros((in_channels, out_channels // groups, kernel_h, kernel_w)),
                        stride, padding, output_padding, dilation, groups)
    except ConvConfigError:
        return False
    return True
