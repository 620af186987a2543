"""Why transposed convolutions paint checkerboards (Odena, Dumoulin & Olah, Distill 2016).

A transposed convolution stamps a copy of its kernel, scaled by each input value, at every
``stride``-th output position. When the kernel size is not a multiple of the stride, some output
positions receive more stamps than their neighbours, and even a flat input comes out striped:
in 2-D, a checkerboard. Two parts here:

- **Overlap counts**: how many stamps land on each output position (exact integers, pure numpy),
  for one layer or a stack, and the rule that says when they are even.
- **Upsampling comparison**: one image upsampled five ways (transposed convolutions with an
  uneven and an even kernel, resize-then-convolve, pixel shuffle), all to exactly
  ``factor × input``, plus a number that measures how much checkerboard an image holds.

torch is imported lazily, only by the functions that run a convolution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .errors import ConvConfigError
from .params import as_int, as_pair
from .sizes import conv_transpose_output_size

# Largest array the functions here will build: a guard against a widget typo allocating gigabytes.
MAX_CELLS = 4_000_000

LAYER_KEYS = ("kernel_size", "stride", "padding", "output_padding", "dilation")
_LAYER_DEFAULTS = {"stride": 1, "padding": 0, "output_padding": 0, "dilation": 1}


# ---------------------------------------------------------------------------------------------
# Overlap counts
# ---------------------------------------------------------------------------------------------


def _transpose_ones_kernel_1d(values: np.ndarray, kernel_size, stride, padding, output_padding, dilation) -> np.ndarray:
    """``conv_transpose1d(values, ones(kernel_size))``: ``out[o] = Σ values[i]`` over ``i·s − p + t·d = o``.

    Integer inputs stay integers (np.add.at on int64), so the counts are exact.
    """
    size = len(values)
    out_size = conv_transpose_output_size(size, kernel_size, stride, padding, output_padding, dilation)
    # Every (input i, tap t) stamp, as its output position; stamps cropped away by padding are dropped.
    positions = np.arange(size)[:, None] * stride - padding + np.arange(kernel_size)[None, :] * dilation
    stamped = np.broadcast_to(values[:, None], positions.shape)
    kept = (positions >= 0) & (positions < out_size)
    out = np.zeros(out_size, dtype=values.dtype)
    np.add.at(out, positions[kept], stamped[kept])
    return out


def overlap_counts_1d(size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1) -> np.ndarray:
    """How many kernel stamps land on each output position of a 1-D transposed convolution.

    ``count[o] = #{(i, t) : i·stride − padding + t·dilation = o, 0 ≤ i < size, 0 ≤ t < kernel_size}``,
    which is ``conv_transpose1d`` of an all-ones input with an all-ones kernel. Length
    ``conv_transpose_output_size(size, …)``; raises ConvConfigError where torch would refuse.
    """
    size = as_int("input size", size, 1)
    kernel_size, stride, padding, output_padding, dilation = _layer_axis(
        kernel_size, stride, padding, output_padding, dilation
    )
    return _transpose_ones_kernel_1d(np.ones(size, dtype=np.int64), kernel_size, stride, padding, output_padding, dilation)


def overlap_counts_2d(input_shape, kernel_size, stride=1, padding=0, output_padding=0, dilation=1) -> np.ndarray:
    """Stamp counts of a 2-D transposed convolution: the outer product of the two 1-D counts.

    ``count[oh, ow] = count_h[oh] · count_w[ow]``. Why: an all-ones kernel and an all-ones input are
    both separable (outer products of ones), so a stamp pair (input (i, j), tap (t, u)) lands on
    (oh, ow) exactly when the row stamp (i, t) lands on oh and the column stamp (j, u) on ow;
    counting pairs is counting rows times counting columns.
    Every argument is an int or an ``(h, w)`` pair, as in ``torch.nn.ConvTranspose2d``.
    """
    height, width = as_pair("input_shape", input_shape, 1)
    axes = _layer_pairs(kernel_size, stride, padding, output_padding, dilation)
    rows = overlap_counts_1d(height, *axes[0])
    cols = overlap_counts_1d(width, *axes[1])
    _check_cells(len(rows) * len(cols))
    return np.outer(rows, cols)


def stacked_overlap_counts(input_shape, layers) -> np.ndarray:
    """Stamp density of transposed convolutions applied in a row, all kernels all-ones.

    ``counts₀ = ones(input_shape)``, ``countsₙ = conv_transpose2d(countsₙ₋₁, ones(kernelₙ), strideₙ, …)``;
    returns the last one (int64). Each layer spreads the previous layer's unevenness further, so
    two uneven layers multiply their patterns. Separable like :func:`overlap_counts_2d`: the result
    is the outer product of the 1-D stacks along height and width.

    ``layers``: 1 to 3 layers, each a dict with keys ``kernel_size`` (required), ``stride``,
    ``padding``, ``output_padding``, ``dilation``, or a tuple in that order (missing trailing
    entries take torch's defaults). Values are ints or ``(h, w)`` pairs.
    """
    height, width = as_pair("input_shape", input_shape, 1)
    try:
        layers = None if isinstance(layers, (dict, str)) else list(layers)
    except TypeError:  # not iterable: reported below like an empty list
        layers = None
    if not layers or len(layers) > 3:
        raise ConvConfigError("layers must be a list of 1 to 3 transposed-convolution layers.")
    rows = np.ones(height, dtype=np.int64)
    cols = np.ones(width, dtype=np.int64)
    for number, layer in enumerate(layers, start=1):
        height_axis, width_axis = _layer_pairs(*_layer_values(number, layer))
        rows = _transpose_ones_kernel_1d(rows, *height_axis)
        cols = _transpose_ones_kernel_1d(cols, *width_axis)
    _check_cells(len(rows) * len(cols))
    return np.outer(rows, cols)


def torch_stacked_overlap_counts(input_shape, layers) -> np.ndarray:
    """:func:`stacked_overlap_counts` computed by PyTorch instead, as the independent check.

    ``x₀ = ones(input_shape)``, ``xₙ = F.conv_transpose2d(xₙ₋₁, ones(kernelₙ), strideₙ, paddingₙ,
    output_paddingₙ, dilationₙ)`` in float64, one call per layer; returns the last ``(H, W)``.
    Same ``layers`` format as :func:`stacked_overlap_counts`.
    """
    from .torch_check import torch_conv_transpose2d  # torch only where a convolution runs

    result = np.ones(as_pair("input_shape", input_shape, 1))
    for number, layer in enumerate(layers, start=1):
        height_axis, width_axis = _layer_pairs(*_layer_values(number, layer))
        kernel, stride, padding, output_padding, dilation = zip(height_axis, width_axis, strict=True)
        result = torch_conv_transpose2d(result, np.ones(kernel), stride, padding, output_padding, dilation)[0]
    return result


def is_even_overlap(kernel_size, stride, dilation=1) -> bool:
    """Whether, away from the borders, every output position gets the same number of stamps.

    Away from the borders, output position o (in uncropped coordinates) receives one stamp per tap t
    with ``t·dilation ≡ o (mod stride)``, so the count depends only on the phase ``o mod stride``:
    ``count(r) = #{t < kernel_size : t·dilation ≡ r (mod stride)}``. It is the same for every phase
    exactly when

        ``gcd(dilation, stride) = 1`` and ``kernel_size % stride == 0``

    (then each phase gets ``kernel_size / stride`` stamps). If g = gcd(dilation, stride) > 1, the taps
    only reach phases that are multiples of g, and the other phases get no stamp at all: holes.
    With dilation 1 the rule is the familiar ``kernel_size % stride == 0``.
    """
    kernel_size = as_int("kernel_size", kernel_size, 1)
    stride = as_int("stride", stride, 1)
    dilation = as_int("dilation", dilation, 1)
    return math.gcd(dilation, stride) == 1 and kernel_size % stride == 0


def overlap_period(kernel_size, stride, dilation=1) -> np.ndarray:
    """The repeating stamp pattern away from the borders, one count per phase.

    ``period[r] = #{t < kernel_size : t·dilation ≡ r (mod stride)}`` for r in ``0 … stride−1``; an
    interior output position o of a layer with padding p has ``count[o] = period[(o + p) % stride]``.
    Constant exactly when :func:`is_even_overlap` holds.
    """
    kernel_size = as_int("kernel_size", kernel_size, 1)
    stride = as_int("stride", stride, 1)
    dilation = as_int("dilation", dilation, 1)
    return np.bincount(np.arange(kernel_size) * dilation % stride, minlength=stride)


def overlap_verdict(kernel_size: int, stride: int, dilation: int = 1) -> tuple[str, str]:
    """``(kind, sentence)`` saying what one layer does to a flat input away from the borders, in Markdown.

    kind ``"even"`` when :func:`is_even_overlap` (``k/s`` stamps everywhere); ``"holes"`` when
    ``gcd(d, s) > 1`` (some phases get no tap); else ``"uneven"`` (the :func:`overlap_period` pattern).
    """
    k, s, d = kernel_size, stride, dilation
    period = overlap_period(k, s, d).tolist()
    if is_even_overlap(k, s, d):
        return "even", (f"**Even overlap.** k = {k} is a multiple of s = {s}: away from the borders every output "
                        f"position gets {k // s} stamp(s) per layer, so an even input stays even.")
    if math.gcd(d, s) > 1:
        return "holes", (f"**Holes.** Dilation {d} and stride {s} share the factor {math.gcd(d, s)}: the taps only "
                         f"reach some phases, and the stamps per phase repeat as {period}, with zeros.")
    return "uneven", (f"**Uneven overlap.** k = {k} is not a multiple of s = {s}: away from the borders the stamp "
                      f"count repeats as {period} every {s} positions. In 2-D that is a checkerboard.")


def overlap_interior(size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1) -> slice:
    """Output positions of a 1-D transposed convolution where every kernel tap has an input to stamp from.

    Output o receives tap t from input ``i = (o + padding − t·dilation) / stride``; all taps have their
    input inside ``[0, size)`` when ``(kernel_size − 1)·dilation ≤ o + padding ≤ (size − 1)·stride``.
    Returns that range clipped to the output, as a slice (empty when the input is too short to have
    an interior). Outside it, border positions get fewer stamps whatever the rule says.
    """
    size = as_int("input size", size, 1)
    kernel_size, stride, padding, output_padding, dilation = _layer_axis(
        kernel_size, stride, padding, output_padding, dilation
    )
    out_size = conv_transpose_output_size(size, kernel_size, stride, padding, output_padding, dilation)
    start = max((kernel_size - 1) * dilation - padding, 0)
    stop = min((size - 1) * stride - padding + 1, out_size)
    return slice(start, max(start, stop))


@dataclass(frozen=True)
class OverlapStack:
    """Stamp counts of ``depth`` identical square transposed convolutions on an all-ones ``size×size`` input.

    ``layers``, ``row_layers``: the stack in 2-D and in 1-D (:func:`repeated_layers`).
    ``counts``: stamps per output pixel after the stack, ``(H, W)``; ``row``: the same stack in 1-D
    (kernel ``1×k``, only the width axis), ``(W,)``. For one layer, ``stamps``: its 1-D
    ``conv_transpose_matrix_entries`` (input i stamps tap t onto output o) and ``interior``: the
    output positions away from the borders (:func:`overlap_interior`); None for a deeper stack.
    """

    size: int
    layers: tuple
    row_layers: tuple
    counts: np.ndarray
    row: np.ndarray
    stamps: object | None
    interior: slice | None


def repeated_layers(kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1, depth: int = 1,
                    one_row: bool = False) -> list[dict]:
    """``depth`` copies of one square transposed-convolution layer, as :func:`stacked_overlap_counts` takes them.

    Each layer is ``{kernel_size: (k, k), stride: (s, s), padding: (p, p), dilation: (d, d)}``; with
    ``one_row`` the height axis is neutral (``(1, k)``, ``(1, s)``, ``(0, p)``, ``(1, d)``) for the 1-D view.
    """
    def pair(value, neutral):
        return (neutral, value) if one_row else (value, value)

    layer = {"kernel_size": pair(kernel_size, 1), "stride": pair(stride, 1), "padding": pair(padding, 0),
             "dilation": pair(dilation, 1)}
    return [layer] * depth


def overlap_stack(size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1,
                  depth: int = 1) -> OverlapStack:
    """The 2-D and 1-D stamp counts of :func:`repeated_layers` on an all-ones ``size×size`` input.

    ``counts = stacked_overlap_counts((n, n), layers)``, ``row = stacked_overlap_counts((1, n), row_layers)[0]``;
    raises ConvConfigError for an impossible stack.
    """
    from .transposed import conv_transpose_matrix_entries

    layers = tuple(repeated_layers(kernel_size, stride, padding, dilation, depth))
    row_layers = tuple(repeated_layers(kernel_size, stride, padding, dilation, depth, one_row=True))
    counts = stacked_overlap_counts((size, size), layers)
    row = stacked_overlap_counts((1, size), row_layers)[0]
    one = depth == 1
    stamps = conv_transpose_matrix_entries((1, 1, size), np.ones((1, 1, 1, kernel_size)), (1, stride),
                                           (0, padding), 0, (1, dilation)) if one else None
    interior = overlap_interior(size, kernel_size, stride, padding, 0, dilation) if one else None
    return OverlapStack(size, layers, row_layers, counts, row, stamps, interior)


def torch_overlap_difference(stack: OverlapStack) -> float:
    """``max |ours − torch|`` over both views of ``stack``, torch's counts from :func:`torch_stacked_overlap_counts`."""
    from .torch_check import max_abs_difference

    return max(max_abs_difference(stack.row, torch_stacked_overlap_counts((1, stack.size), stack.row_layers)[0]),
               max_abs_difference(stack.counts, torch_stacked_overlap_counts((stack.size, stack.size), stack.layers)))


def _layer_axis(kernel_size, stride, padding, output_padding, dilation) -> tuple[int, int, int, int, int]:
    return (
        as_int("kernel_size", kernel_size, 1),
        as_int("stride", stride, 1),
        as_int("padding", padding, 0),
        as_int("output_padding", output_padding, 0),
        as_int("dilation", dilation, 1),
    )


def _layer_pairs(kernel_size, stride, padding, output_padding, dilation):
    """Per-axis ``(k, s, p, op, d)`` tuples for height and width."""
    pairs = [
        as_pair("kernel_size", kernel_size, 1),
        as_pair("stride", stride, 1),
        as_pair("padding", padding, 0),
        as_pair("output_padding", output_padding, 0),
        as_pair("dilation", dilation, 1),
    ]
    return tuple(pair[0] for pair in pairs), tuple(pair[1] for pair in pairs)


def _layer_values(number: int, layer) -> list:
    """A layer given as a dict or tuple, as the five values of LAYER_KEYS."""
    if isinstance(layer, dict):
        unknown = set(layer) - set(LAYER_KEYS)
        if unknown or "kernel_size" not in layer:
            raise ConvConfigError(
                f"Layer {number} needs a kernel_size and only the keys {', '.join(LAYER_KEYS)}; "
                f"got {sorted(layer)}."
            )
        return [layer.get(key, _LAYER_DEFAULTS.get(key)) for key in LAYER_KEYS]
    if isinstance(layer, (tuple, list)) and 1 <= len(layer) <= len(LAYER_KEYS):
        return [*layer, *(_LAYER_DEFAULTS[key] for key in LAYER_KEYS[len(layer):])]
    raise ConvConfigError(
        f"Layer {number} must be a dict or a tuple (kernel_size, stride, padding, output_padding, dilation), "
        f"got {layer!r}."
    )


def _check_cells(cells: int) -> None:
    if cells > MAX_CELLS:
        raise ConvConfigError(
            f"The result would have {cells:,} cells, more than the {MAX_CELLS:,} this view draws: "
            f"use a smaller input or fewer/smaller strides."
        )


# ---------------------------------------------------------------------------------------------
# Upsampling comparison
# ---------------------------------------------------------------------------------------------

UPSAMPLING_METHODS: dict[str, str] = {
    "transpose_uneven": "Transposed conv, box kernel of size factor+1 and stride factor: uneven overlap, a checkerboard.",
    "transpose_even": "Transposed conv, bilinear kernel of size 2·factor and stride factor: even overlap.",
    "resize_nearest_conv": "Nearest-neighbour resize, then a stride-1 3×3 smoothing conv (the Distill article's fix).",
    "resize_bilinear_conv": "Bilinear resize, then the same stride-1 3×3 smoothing conv.",
    "pixel_shuffle": "Stride-1 3×3 conv to factor² sub-pixel channels (bilinear weights), then pixel_shuffle.",
}

# 3×3 binomial blur, ¼·[1 2 1] ⊗ ¼·[1 2 1]: sums to 1, so it keeps a flat image flat.
_SMOOTHING_1D = (0.25, 0.5, 0.25)


@dataclass(frozen=True)
class TransposeRecipe:
    """One transposed-convolution upsampler: a separable kernel ``outer(kernel_1d, kernel_1d)`` and its layer.

    ``(size − 1)·stride − 2·padding + len(kernel_1d) + output_padding = factor·size``, so the output
    is exactly ``factor`` times the input.
    """

    kernel_1d: tuple[float, ...]
    stride: int
    padding: int
    output_padding: int

    @property
    def kernel_size(self) -> int:
        return len(self.kernel_1d)

    @property
    def kernel_2d(self) -> np.ndarray:
        return np.outer(self.kernel_1d, self.kernel_1d)


def transpose_recipe(method: str, factor: int = 2) -> TransposeRecipe:
    """The kernel and layer behind ``"transpose_uneven"`` or ``"transpose_even"``.

    - uneven: box kernel, size ``k = factor + 1``, each tap ``factor / (factor + 1)`` so the mean stamp
      density ``k / stride`` times the tap is 1 (a flat image stays flat *on average*);
      padding 1, output_padding 1 → output ``factor·size``.
    - even: bilinear kernel, size ``k = 2·factor``, taps ``w[x] = 1 − |x − (factor − ½)| / factor``
      (the FCN upsampling initialization): the two taps landing on each position sum to exactly 1;
      padding ``⌈factor/2⌉``, output_padding ``2·⌈factor/2⌉ − factor``.
    """
    factor = _check_factor(factor)
    if method == "transpose_uneven":
        size = factor + 1
        return TransposeRecipe((factor / size,) * size, stride=factor, padding=1, output_padding=1)
    if method == "transpose_even":
        taps = 1 - np.abs(np.arange(2 * factor) - (factor - 0.5)) / factor
        padding = -(-factor // 2)
        return TransposeRecipe(tuple(taps.tolist()), stride=factor, padding=padding, output_padding=2 * padding - factor)
    raise ConvConfigError(f'transpose_recipe takes "transpose_uneven" or "transpose_even", got {method!r}.')


def upsample(image, method: str, factor: int = 2) -> np.ndarray:
    """``image`` upsampled ``factor`` times by ``method`` (a key of UPSAMPLING_METHODS), float64.

    ``image`` is ``(H, W)`` grayscale or ``(H, W, C)`` colour; integer images are scaled to [0, 1]
    by their dtype's maximum. The result is ``(factor·H, factor·W)`` (``[, C]``), every method the
    same size, channels processed independently:

    - ``transpose_uneven`` / ``transpose_even``: ``conv_transpose2d`` with :func:`transpose_recipe`'s
      kernel. No input padding exists for a transposed conv, so the outermost rows and columns get
      fewer stamps and come out darker (see :func:`overlap_interior`).
    - ``resize_nearest_conv`` / ``resize_bilinear_conv``: ``cv2.resize`` (INTER_NEAREST /
      INTER_LINEAR) to the output size, then ``conv2d`` with the 3×3 binomial kernel
      ``¼[1 2 1] ⊗ ¼[1 2 1]`` on a replicate-padded border (so no dark frame).
    - ``pixel_shuffle``: ``conv2d`` (3×3, stride 1, replicate padding) to ``factor²`` channels, channel
      ``a·factor + b`` holding the bilinear interpolation at sub-pixel offset
      ``δ = ((a + ½)/factor − ½, (b + ½)/factor − ½)``, then ``pixel_shuffle(factor)`` interleaves them.
      With these fixed weights it reproduces bilinear resizing; a learned conv whose sub-pixel channels
      disagree would show a factor-periodic pattern instead.
    """
    if method not in UPSAMPLING_METHODS:
        raise ConvConfigError(f"Unknown upsampling method {method!r}: choose one of {', '.join(UPSAMPLING_METHODS)}.")
    factor = _check_factor(factor)
    channels, restore = _as_channel_stack(image)
    _check_cells(channels.size * factor * factor)
    if method.startswith("transpose_"):
        result = _transpose_upsample(channels, transpose_recipe(method, factor))
    elif method.startswith("resize_"):
        result = _resize_conv_upsample(channels, factor, nearest=method == "resize_nearest_conv")
    else:
        result = _pixel_shuffle_upsample(channels, factor)
    return restore(result)


def upsample_comparison(image, factor: int = 2) -> dict[str, np.ndarray]:
    """``{method: upsample(image, method, factor)}`` for every method, in UPSAMPLING_METHODS order."""
    return {method: upsample(image, method, factor) for method in UPSAMPLING_METHODS}


def checkerboard_strength(image, period: int = 2, border: int = 0) -> float:
    """How much an image's brightness depends on the position inside a ``period × period`` cell.

    After cropping ``border`` pixels from every side (and the bottom/right remainder so both sides
    are multiples of ``period``), take the phase means ``m[a, b] = mean(image[a::period, b::period])``
    and return ``mean |m[a, b] − mean(m)|``, averaged over colour channels. A flat or smoothly
    varying image scores (nearly) 0; a pure periodic pattern P scores ``mean |P − mean(P)|``.
    In the image's own units (not normalized).
    """
    period = as_int("period", period, 1)
    border = as_int("border", border, 0)
    channels, _ = _as_channel_stack(image)
    height = (channels.shape[1] - 2 * border) // period * period
    width = (channels.shape[2] - 2 * border) // period * period
    if height < period or width < period:
        raise ConvConfigError(
            f"After cropping {border} pixels per side, the {channels.shape[1]}×{channels.shape[2]} image has no "
            f"full {period}×{period} cell left: use a smaller border or period."
        )
    cropped = channels[:, border : border + height, border : border + width]
    # (C, rows of cells, a, columns of cells, b) → mean over cells gives phase means m[c, a, b].
    phases = cropped.reshape(len(cropped), height // period, period, width // period, period).mean(axis=(1, 3))
    deviation = np.abs(phases - phases.mean(axis=(1, 2), keepdims=True))
    return float(deviation.mean())


def _check_factor(factor) -> int:
    return as_int("upsampling factor", factor, 2)


def _as_channel_stack(image):
    """``image`` as float64 ``(C, H, W)`` and a function putting a ``(C, H', W')`` result back in its layout."""
    array = np.asarray(image)
    if array.ndim not in (2, 3) or min(array.shape) < 1:
        raise ConvConfigError(f"The image must be (H, W) or (H, W, C) with every size ≥ 1, got shape {array.shape}.")
    if array.dtype == bool:
        array = array.astype(np.float64)
    elif np.issubdtype(array.dtype, np.integer):
        array = array / np.iinfo(array.dtype).max
    elif not np.issubdtype(array.dtype, np.floating):
        raise ConvConfigError(f"The image must hold real numbers, got dtype {array.dtype}.")
    array = array.astype(np.float64, copy=False)
    if not np.isfinite(array).all():
        raise ConvConfigError("The image contains NaN or infinity.")
    if array.ndim == 2:
        return array[None], lambda result: result[0]
    return np.moveaxis(array, -1, 0), lambda result: np.moveaxis(result, 0, -1)


def _transpose_upsample(channels: np.ndarray, recipe: TransposeRecipe) -> np.ndarray:
    import torch
    import torch.nn.functional as F

    # Channels become the batch: one single-channel transposed conv each.
    x = torch.from_numpy(np.ascontiguousarray(channels))[:, None]
    weight = torch.from_numpy(recipe.kernel_2d)[None, None]
    y = F.conv_transpose2d(
        x, weight, stride=recipe.stride, padding=recipe.padding, output_padding=recipe.output_padding
    )
    return y[:, 0].numpy()


def _resize_conv_upsample(channels: np.ndarray, factor: int, nearest: bool) -> np.ndarray:
    import cv2

    interpolation = cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR
    _, height, width = channels.shape
    # cv2.resize takes (width, height); resizing channel by channel works for any channel count.
    resized = np.stack([cv2.resize(plane, (width * factor, height * factor), interpolation=interpolation) for plane in channels])
    return _replicate_conv(resized[:, None], np.outer(_SMOOTHING_1D, _SMOOTHING_1D)[None, None])[:, 0]


def _pixel_shuffle_upsample(channels: np.ndarray, factor: int) -> np.ndarray:
    import torch
    import torch.nn.functional as F

    sub_pixel = _bilinear_sub_pixel_kernels(factor)
    shuffled_channels = _replicate_conv(channels[:, None], sub_pixel)  # (C, factor², H, W)
    return F.pixel_shuffle(torch.from_numpy(shuffled_channels), factor)[:, 0].numpy()


def _bilinear_sub_pixel_kernels(factor: int) -> np.ndarray:
    """``(factor², 1, 3, 3)`` weights: channel ``a·factor + b`` interpolates at offset ``(δ_a, δ_b)``.

    ``δ = (a + ½)/factor − ½`` is where output pixel ``factor·y + a`` sits in input coordinates
    (pixel centres, as cv2 and ``align_corners=False``); linear interpolation at δ uses the 1-D taps
    ``[max(−δ, 0), 1 − |δ|, max(δ, 0)]`` on input pixels ``y − 1, y, y + 1``.
    """
    offsets = (np.arange(factor) + 0.5) / factor - 0.5
    taps = np.stack([np.maximum(-offsets, 0), 1 - np.abs(offsets), np.maximum(offsets, 0)], axis=1)  # (factor, 3)
    kernels = taps[:, None, :, None] * taps[None, :, None, :]  # (a, b, 3, 3)
    return kernels.reshape(factor * factor, 1, 3, 3)


def _replicate_conv(batch: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Stride-1 ``conv2d`` of ``(N, 1, H, W)`` with a 3×3 ``weight``, edges padded by replication."""
    import torch
    import torch.nn.functional as F

    x = F.pad(torch.from_numpy(np.ascontiguousarray(batch)), (1, 1, 1, 1), mode="replicate")
    return F.conv2d(x, torch.from_numpy(np.ascontiguousarray(weight))).numpy()


# What the checkerboard page explains under its figures (markdown): the rule, and who uses which fix.
RULE_AND_USES = (
    "A transposed convolution with stride *s* puts a copy of its *k*-tap kernel every *s* output positions; away "
    "from the borders, position *o* gets one stamp per tap *t* with *t·d ≡ o (mod s)*. With dilation 1 the overlap "
    "is **even exactly when s divides k** (with dilation, gcd(d, s) = 1 as well). Even overlap removes the built-in "
    "pattern, but learned kernels can still weight the *s* phases differently: it is no guarantee.\n\n"
    "- **Resize, then convolve** (nearest or bilinear upsampling, then a stride-1 convolution), the fix Odena et "
    "al. recommend: Progressive GAN's generator, for example, upsamples by nearest neighbour and then convolves.\n"
    "- **Sub-pixel convolution / pixel shuffle** (ESPCN, Shi et al. 2016; `nn.PixelShuffle`), common in "
    "super-resolution (e.g. EDSR): a stride-1 convolution makes s² channels, interleaved into one s× larger image. "
    "It acts like a transposed convolution with k a multiple of s; learned sub-pixel kernels that disagree can "
    "still leave a grid, which the ICNR initialisation (Aitken et al. 2017) removes at the start of training.\n"
    "- **Transposed convolution with s dividing k**: the PyTorch DCGAN example's generator uses k = 4, s = 2 "
    "(the original DCGAN code used 5×5 kernels with stride 2: uneven), and U-Net's 2×2 up-convolutions are "
    "usually `ConvTranspose2d(kernel_size=2, stride=2)`: k = s, exactly one stamp per pixel."
)
