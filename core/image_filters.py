"""Filtering a picture with ``nn.Conv2d`` / ``nn.ConvTranspose2d``: weights, the layer, and the checks shown beside it.

The lesson ran ``nn.ConvTranspose2d(1, 4, 2)`` over the astronaut with the three colour channels
in the *batch* axis. This module generalizes that: an :class:`ImageLayer` describes the layer and
how the colours enter it, :func:`layer_weight` builds its weight (seeded random or named presets,
one per output channel), :func:`filter_image` runs it with torch (float32: the outputs are big and
only drawn), and :func:`crop_check` recomputes a corner of every output with ConvLab's own numpy
implementation in float64, an independent check of what is shown.

Two ways for an RGB picture ``x`` of shape ``(3, H, W)`` to enter a layer:

- together: ``in_channels = 3`` and the batch is ``x[None]`` of shape ``(1, 3, H, W)``; each output
  channel sums over the colours (of its group). Weight ``(C_out, 3/groups, k, k)`` for Conv2d,
  ``(3, C_out/groups, k, k)`` for ConvTranspose2d.
- separately (the lesson): ``in_channels = 1`` and the batch is ``x[:, None]`` of shape
  ``(3, 1, H, W)``; every colour is filtered on its own by the same ``C_out`` kernels, giving
  ``(3, C_out, H', W')``. Weight ``(C_out, 1, k, k)`` for Conv2d, ``(1, C_out, k, k)`` for
  ConvTranspose2d.

Output size per axis (core.sizes): Conv2d ``o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1``;
ConvTranspose2d ``o = (i−1)s − 2p + d(k−1) + output_padding + 1``.

Nothing here imports streamlit; torch is imported only inside the functions that run a layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .codegen import _literal
from .errors import ConvConfigError
from .images import hwc_to_chw
from .kernels import make_kernel
from .params import as_int, check_groups, check_output_padding
from .sizes import conv_output_size, conv_transpose_output_size

LAYERS = ("ConvTranspose2d", "Conv2d")
RESHAPE_LESSON = (
    "The lesson wrote `torch.reshape(image, (c, h, w))` on an `(h, w, c)` picture: right shape, wrong pixels. "
    "Memory holds `R G B R G B …` and reshape cuts it into 3 blocks, so its channel 0 is the top third of the "
    "picture with R, G and B interleaved. `image.permute(2, 0, 1)` moves the axes instead: channel 0 is the red "
    "channel.")
MAX_SHOWN_VALUES = 10_000_000
"""Most output values one view draws (C_out · H' · W'): 8 × 1024 × 1024 fits; more would be tens of MB of
pictures per student on a shared server. See :meth:`ImageLayer.shown_size`."""
IMAGE_PRESETS = ("identity", "box blur", "gaussian", "sharpen", "sobel x", "sobel y", "laplacian", "emboss")
"""Named kernels the page cycles through: output channel i uses ``IMAGE_PRESETS[(first + i) % 8]``."""


@dataclass(frozen=True)
class ImageLayer:
    """A square-kernel Conv2d or ConvTranspose2d over a picture with ``image_channels`` channels (1 or 3).

    ``separate`` puts the colours in the batch axis (``in_channels = 1``, the lesson's trick);
    otherwise ``in_channels = image_channels``.
    """

    layer: str
    image_channels: int
    out_channels: int
    kernel_size: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    output_padding: int = 0
    groups: int = 1
    separate: bool = False

    @property
    def transposed(self) -> bool:
        return self.layer == "ConvTranspose2d"

    @property
    def in_channels(self) -> int:
        return 1 if self.separate else self.image_channels

    @property
    def batch(self) -> int:
        """Pictures in the batch axis: the colours when filtered separately, else one."""
        return self.image_channels if self.separate else 1

    @property
    def weight_shape(self) -> tuple[int, int, int, int]:
        """Conv2d ``(C_out, C_in/groups, k, k)``; ConvTranspose2d ``(C_in, C_out/groups, k, k)``."""
        k = self.kernel_size
        if self.transposed:
            return self.in_channels, self.out_channels // self.groups, k, k
        return self.out_channels, self.in_channels // self.groups, k, k

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        """``(H', W')`` by core.sizes (formulas in the module docstring); ConvConfigError if impossible."""
        if self.layer not in LAYERS:
            raise ConvConfigError(f"Unknown layer {self.layer!r}: choose one of {', '.join(LAYERS)}.")
        if self.image_channels not in (1, 3):
            raise ConvConfigError(f"A picture has 1 (gray) or 3 (RGB) channels, not {self.image_channels}.")
        as_int("out_channels", self.out_channels, 1)
        check_groups(self.groups, self.in_channels, self.out_channels)
        if self.separate and self.groups != 1:
            raise ConvConfigError("Colours filtered separately means in_channels = 1, so groups must be 1.")
        if self.transposed:
            check_output_padding((self.output_padding,) * 2, (self.stride,) * 2, (self.dilation,) * 2)
            return tuple(conv_transpose_output_size(n, self.kernel_size, self.stride, self.padding,
                                                    self.output_padding, self.dilation) for n in (height, width))
        return tuple(conv_output_size(n, self.kernel_size, self.stride, self.padding, self.dilation)
                     for n in (height, width))

    def shown_size(self, height: int, width: int) -> tuple[int, int]:
        """:meth:`output_size`, refusing (ConvConfigError) outputs of more than ``MAX_SHOWN_VALUES`` values to draw."""
        out_h, out_w = self.output_size(height, width)
        values = self.out_channels * out_h * out_w
        if values > MAX_SHOWN_VALUES:
            long_side = max(height, width)
            fits = next((n for n in range(long_side - 1, 0, -1)
                         if self._values_at(round(height * n / long_side), round(width * n / long_side))
                         <= MAX_SHOWN_VALUES), 1)
            raise ConvConfigError(
                f"The output would be {self.out_channels} × {out_h} × {out_w} = {values / 1e6:.1f} million values, "
                f"more than the {MAX_SHOWN_VALUES / 1e6:.0f} million this page draws: lower the working size (to "
                f"{fits} or less), the stride or the number of output channels.")
        return out_h, out_w

    def _values_at(self, height: int, width: int) -> int:
        """Output values for a picture of ``height × width`` (each side at least 1); too many when it cannot run."""
        try:
            out_h, out_w = self.output_size(max(1, height), max(1, width))
        except ConvConfigError:
            return MAX_SHOWN_VALUES + 1
        return self.out_channels * out_h * out_w

    def torch_kwargs(self) -> dict:
        kwargs = dict(stride=self.stride, padding=self.padding, dilation=self.dilation, groups=self.groups)
        return {**kwargs, "output_padding": self.output_padding} if self.transposed else kwargs


def image_to_chw(image: np.ndarray) -> np.ndarray:
    """A ``uint8`` picture (gray ``(H, W)`` or RGB ``(H, W, 3)``) as float32 ``(C, H, W)``: ``x = pixel / 255``.

    The axes are permuted (:func:`core.images.hwc_to_chw`), never reshaped.
    """
    return np.ascontiguousarray(hwc_to_chw(image), dtype=np.float32) / np.float32(255)


def channel_presets(out_channels: int, first: str = IMAGE_PRESETS[0]) -> list[str]:
    """The preset of each output channel: ``IMAGE_PRESETS`` from ``first`` on, cycling."""
    start = IMAGE_PRESETS.index(first)
    return [IMAGE_PRESETS[(start + i) % len(IMAGE_PRESETS)] for i in range(out_channels)]


def layer_weight(spec: ImageLayer, kernels: str = "random", seed: int = 0,
                 first_preset: str = IMAGE_PRESETS[0]) -> np.ndarray:
    """The layer's float64 weight, shape :attr:`ImageLayer.weight_shape`.

    ``kernels="random"``: ``numpy.random.default_rng(seed).uniform(−b, b, weight_shape)`` with
    ``b = 1/√(weight_shape[1]·k·k)``, the range of PyTorch's default initialisation.
    ``kernels="presets"``: output channel o gets ``make_kernel(channel_presets(...)[o], k) / n`` on
    each of the ``n = C_in/groups`` input channels of its group, so the identity preset shows the
    mean of the colours it sees.
    """
    if kernels == "random":
        bound = 1.0 / np.sqrt(np.prod(spec.weight_shape[1:]))
        return np.random.default_rng(as_int("seed", seed, 0)).uniform(-bound, bound, size=spec.weight_shape)
    if kernels != "presets":
        raise ConvConfigError(f"kernels must be 'random' or 'presets', got {kernels!r}.")
    per_group = spec.in_channels // spec.groups
    stack = np.stack([make_kernel(name, spec.kernel_size) for name in channel_presets(spec.out_channels, first_preset)])
    if not spec.transposed:  # (C_out, C_in/g, k, k): every input channel of the group gets the kernel
        return np.repeat(stack[:, None], per_group, axis=1) / per_group
    k = spec.kernel_size  # (C_in, C_out/g, k, k): input channel c of group g feeds outputs g·C_out/g + j
    grouped = stack.reshape(spec.groups, 1, spec.out_channels // spec.groups, k, k)
    return np.repeat(grouped, per_group, axis=1).reshape(spec.weight_shape) / per_group


def shown_kernels(spec: ImageLayer, weight: np.ndarray) -> list[np.ndarray]:
    """For each output channel, its kernel on the first input channel of its group.

    Conv2d: ``weight[o, 0]``; ConvTranspose2d: ``weight[g·C_in/groups, o − g·C_out/groups]`` with
    ``g = o // (C_out/groups)``.
    """
    per_out, per_in = spec.out_channels // spec.groups, spec.in_channels // spec.groups
    if not spec.transposed:
        return [weight[o, 0] for o in range(spec.out_channels)]
    return [weight[(o // per_out) * per_in, o % per_out] for o in range(spec.out_channels)]


def filter_image(x_chw: np.ndarray, weight: np.ndarray, spec: ImageLayer) -> np.ndarray:
    """Run the layer with ``torch.nn.functional`` in float32 (no bias).

    Together: ``F.conv2d(x[None], w)[0]`` (or ``conv_transpose2d``), shape ``(C_out, H', W')``.
    Separately: ``F.conv2d(x[:, None], w)``, the colours in the batch axis, shape ``(C, C_out, H', W')``;
    the batch items are independent, so ``x`` may also hold just the colours to be shown.
    """
    import torch
    import torch.nn.functional as F

    from .torch_check import set_torch_threads

    set_torch_threads()
    spec.output_size(*x_chw.shape[1:])  # a ConvConfigError in plain words, never a torch RuntimeError
    x = torch.from_numpy(np.ascontiguousarray(x_chw, dtype=np.float32))
    x = x[:, None] if spec.separate else x[None]
    # Channels-last memory lets oneDNN pick its fast kernels: ConvTranspose2d with stride 2 runs 3–10× faster.
    x = x.contiguous(memory_format=torch.channels_last)
    w = torch.from_numpy(np.ascontiguousarray(weight, dtype=np.float32))
    run = F.conv_transpose2d if spec.transposed else F.conv2d
    with torch.inference_mode():
        y = run(x, w, **spec.torch_kwargs()).contiguous()
    return y.numpy() if spec.separate else y[0].numpy()


@dataclass(frozen=True)
class CropCheck:
    """The outcome of :func:`crop_check`: ``max |difference|`` over a ``rows × cols`` corner of every output."""

    difference: float
    tolerance: float  # float32 rounding: 1e-5 · max(1, max |reference|)
    rows: int
    cols: int

    @property
    def agrees(self) -> bool:
        return self.difference <= self.tolerance

    def message(self, layer: str) -> str:
        """The verification line shown under the outputs."""
        verdict = "Checked live" if self.agrees else "Mismatch"
        return (f"{verdict}: the top-left {self.rows}×{self.cols} of every output shown (torch, float32) against "
                f"ConvLab's own numpy `{layer}` (float64, no torch): max |difference| = {self.difference:.1e} "
                f"(tolerance {self.tolerance:.0e}).")


def crop_check(x_chw: np.ndarray, weight: np.ndarray, spec: ImageLayer, outputs: np.ndarray,
               size: int = 16) -> CropCheck:
    """The top-left ``size × size`` of every output channel shown, against core's numpy implementation in float64.

    The reference uses no torch, and only the input that reaches that corner:
    Conv2d (:func:`core.conv2d_matrix`, ``W · vec(x)``) on the zero-padded input cut to
    ``(size − 1)·s + d(k − 1) + 1`` rows and columns, with padding 0; ConvTranspose2d
    (:func:`core.conv_transpose2d_scatter`, a sum of stamped kernels) on the first
    ``⌊(size − 1 + 2p)/s⌋ + 2`` input rows and columns: every input ``i`` whose stamp ``i·s + a·d − p``
    can land in the corner, and enough for the cut's own output to cover it; cut to the same corner. The outputs are
    float32, so agreement means ``max |difference| ≤ 1e-5 · max(1, max |reference|)``.
    """
    from .matrix import conv2d_matrix
    from .transposed import conv_transpose2d_scatter

    outputs = np.asarray(outputs)
    shown = outputs if spec.separate else outputs[None]  # (batch, C_out, H', W')
    rows, cols = min(size, shown.shape[2]), min(size, shown.shape[3])
    shown = shown[:, :, :rows, :cols].astype(np.float64)  # only the corner: the outputs may be 8 × 1023 × 1023
    x = np.asarray(x_chw, dtype=np.float64)
    s, p, d, k = spec.stride, spec.padding, spec.dilation, spec.kernel_size
    worst, largest = 0.0, 0.0
    for picture, result in zip(x[:, None] if spec.separate else x[None], shown, strict=True):
        if spec.transposed:
            reach = (max(rows, cols) - 1 + 2 * p) // s + 2
            reference = conv_transpose2d_scatter(picture[:, :reach, :reach], weight, s, p, spec.output_padding, d,
                                                 spec.groups)
            rows, cols = min(rows, reference.shape[1]), min(cols, reference.shape[2])
        else:
            padded = np.pad(picture, ((0, 0), (p, p), (p, p)))
            cut = padded[:, :(rows - 1) * s + d * (k - 1) + 1, :(cols - 1) * s + d * (k - 1) + 1]
            reference = conv2d_matrix(cut, weight, s, 0, d, spec.groups)
        reference = reference[:, :rows, :cols]
        worst = max(worst, float(np.abs(result[:, :rows, :cols] - reference).max(initial=0.0)))
        largest = max(largest, float(np.abs(reference).max(initial=0.0)))
    return CropCheck(worst, 1e-5 * max(1.0, largest), rows, cols)


@dataclass(frozen=True)
class FilteredPicture:
    """One picture through one layer, as the images page shows it: every output channel of the shown
    picture (float32 ``(H', W')`` arrays), its title (filter name and shape), its kernel, and the crop check."""

    channels: list
    titles: list
    kernels: list
    check: CropCheck


def filter_picture(picture: np.ndarray, spec: ImageLayer, kernels: str = "random", seed: int = 0,
                   first_preset: str = IMAGE_PRESETS[0], colour: int = 0) -> FilteredPicture:
    """``y = layer(x)`` for the uint8 ``picture`` (:func:`image_to_chw`, :func:`layer_weight`, :func:`filter_image`).

    Colours filtered separately are independent batch items, so only colour ``colour`` (0 red, 1 green,
    2 blue) is computed and shown; together, the one output ``(C_out, H', W')`` is shown. The check is
    :func:`crop_check` of what is shown.
    """
    x = image_to_chw(picture)
    x = x[colour:colour + 1] if spec.separate else x
    weight = layer_weight(spec, kernels, seed, first_preset)
    y = filter_image(x, weight, spec)
    shown = y[0] if spec.separate else y
    names = channel_presets(spec.out_channels, first_preset) if kernels == "presets" else ["random"] * len(shown)
    titles = [f"{o + 1}: {name} · {shown.shape[-2]}×{shown.shape[-1]}" for o, name in enumerate(names)]
    return FilteredPicture(list(shown), titles, shown_kernels(spec, weight), crop_check(x, weight, spec, y))


def fits(spec: ImageLayer, height: int, width: int) -> bool:
    """Whether the layer runs on a ``height × width`` picture and its output is small enough to draw
    (:meth:`ImageLayer.shown_size` raises no ConvConfigError)."""
    try:
        spec.shown_size(height, width)
    except ConvConfigError:
        return False
    return True


def correlation_vs_convolution(gray: np.ndarray, kernel: np.ndarray, name: str = "") -> dict:
    """``cv2.filter2D`` against torch's ``conv2d``, and both against a true convolution, on the valid region.

    With ``k × k`` kernel K, torch computes the cross-correlation ``y[i, j] = Σ K[a, b]·x[i + a, j + b]``
    (padding 0: the valid region, ``(H − k + 1) × (W − k + 1)``). ``cv2.filter2D`` computes the same sum
    centred on its anchor ``(k // 2, k // 2)``, so its valid part is ``[k//2 : k//2 + H − k + 1]``; outside
    it cv2 reflects the border (``BORDER_REFLECT_101``) where torch pads zeros, so only the valid region
    is compared. A true convolution flips the kernel, ``Σ K[k−1−a, k−1−b]·x[i + a, j + b]``: it equals the
    correlation only when K equals K flipped by 180°.

    Returns the three valid-region results (``torch``, ``filter2d``, ``convolution``), the max |difference|
    of the last two against torch (``filter2d_vs_torch``, ``convolution_vs_torch``), ``symmetric`` and a
    ``summary`` in Markdown.
    """
    import cv2
    import torch
    import torch.nn.functional as F

    x = np.asarray(gray, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    k = kernel.shape[0]
    if min(x.shape) < k:
        raise ConvConfigError(f"The picture ({x.shape[0]}×{x.shape[1]}) is smaller than the {k}×{k} kernel.")
    valid_h, valid_w = x.shape[0] - k + 1, x.shape[1] - k + 1
    with torch.inference_mode():
        picture = torch.from_numpy(x)[None, None]
        torch_valid = F.conv2d(picture, torch.from_numpy(kernel)[None, None])[0, 0].numpy()
        flipped = F.conv2d(picture, torch.from_numpy(kernel[::-1, ::-1].copy())[None, None])[0, 0].numpy()
    opencv = cv2.filter2D(x, cv2.CV_64F, kernel)[k // 2:k // 2 + valid_h, k // 2:k // 2 + valid_w]
    result = {"torch": torch_valid, "filter2d": opencv, "convolution": flipped,
              "filter2d_vs_torch": float(np.abs(opencv - torch_valid).max()),
              "convolution_vs_torch": float(np.abs(flipped - torch_valid).max()),
              "symmetric": bool(np.array_equal(kernel, kernel[::-1, ::-1]))}
    result["summary"] = (
        f"On the valid region ({valid_h}×{valid_w}: no border involved, where cv2 reflects the border and torch pads "
        f"zeros), `cv2.filter2D` − `F.conv2d`: max |difference| = **{result['filter2d_vs_torch']:.1e}**: both "
        f"cross-correlate. A true convolution (the {k}×{k} {name + ' ' if name else ''}kernel flipped 180°) − "
        f"`F.conv2d`: **{result['convolution_vs_torch']:.3g}**"
        + (", the same: this kernel is symmetric." if result["symmetric"]
           else ": different, this kernel is not symmetric."))
    return result


def shape_statement(spec: ImageLayer, height: int, width: int) -> str:
    """The tensor shapes in and out, batch first, e.g. ``(1, 3, 512, 512) → (1, 8, 1023, 1023)``."""
    out_h, out_w = spec.output_size(height, width)
    return (f"({spec.batch}, {spec.in_channels}, {height}, {width}) → "
            f"({spec.batch}, {spec.out_channels}, {out_h}, {out_w})")


def describe_layer(spec: ImageLayer, height: int, width: int) -> tuple[str, list[str]]:
    """Markdown naming the layer, its batch, shapes and weight shape (and, for RGB, the other colour mode's),
    and the LaTeX of the output-size formula with the numbers in (one line when H = W, else one per axis)."""
    from .explain import conv_size_latex, conv_transpose_size_latex

    batch = f"the {spec.batch} colours in the batch axis" if spec.batch > 1 else "a batch of one picture"
    text = (f"**`{spec.layer}({spec.in_channels}, {spec.out_channels}, {spec.kernel_size})`**, {batch}: "
            f"**{shape_statement(spec, height, width)}**; weight shape {spec.weight_shape}.")
    if spec.image_channels == 3:
        other = ImageLayer(spec.layer, 3, spec.out_channels, spec.kernel_size, separate=not spec.separate)
        text += (f" With the colours {'together' if spec.separate else 'separately'}, in_channels would be "
                 f"{other.in_channels} and the weight {other.weight_shape}.")
    formulas = []
    for axis, size in ((("H", height),) if height == width else (("H", height), ("W", width))):
        symbol = "o_{H} = o_{W}" if height == width else f"o_{axis}"
        k, s, p, d = spec.kernel_size, spec.stride, spec.padding, spec.dilation
        formulas.append(conv_transpose_size_latex(size, k, s, p, spec.output_padding, d, symbol) if spec.transposed
                        else conv_size_latex(size, k, s, p, d, symbol))
    return text, formulas


_SAMPLE_LOADERS = {"horse": "img_as_ubyte(data.horse())  # bool → 0 / 255",
                   "shepp_logan_phantom": "img_as_ubyte(data.shepp_logan_phantom())  # float → 0–255"}


def picture_code_lines(sample: str | None, source_shape, working_shape, gray: bool) -> list[str]:
    """Lines loading the picture the page shows: a ``skimage.data`` sample (``None``: an upload), resized, gray or RGB.

    The resize is :func:`core.images.resize_long_side`'s: ``cv2.INTER_AREA`` to shrink, ``INTER_CUBIC`` to enlarge.
    """
    if sample is None:
        lines = ["from PIL import Image, ImageOps", "",
                 'image = np.asarray(ImageOps.exif_transpose(Image.open("your_picture.png")).convert("RGB"))']
        source_gray = False
    else:
        lines = [f"image = {_SAMPLE_LOADERS.get(sample, f'data.{sample}()')}"]
        if sample in _SAMPLE_LOADERS:
            lines.insert(0, "from skimage.util import img_as_ubyte")
        if sample == "logo":
            lines += ["alpha = image[..., 3:] / 255  # RGBA: composite onto white",
                      "image = np.rint(image[..., :3] * alpha + 255 * (1 - alpha)).astype(np.uint8)"]
        source_gray = len(source_shape) == 2
    (height, width), (source_h, source_w) = working_shape, source_shape[:2]
    if sample is None or (height, width) != (source_h, source_w):
        interpolation = "INTER_CUBIC" if height * width > source_h * source_w else "INTER_AREA"
        lines.append(f"image = cv2.resize(image, ({width}, {height}), interpolation=cv2.{interpolation})"
                     f"  # long side {max(height, width)}")
    if gray and not source_gray:
        lines.append("image = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)  # (H, W)")
    elif not gray and source_gray:
        lines.append("image = np.repeat(image[..., None], 3, axis=2)  # gray → RGB (H, W, 3)")
    return lines


def pytorch_image_code(spec: ImageLayer, image_lines: list[str], kernels: str, seed: int, first_preset: str) -> str:
    """Python that rebuilds this layer and its weight and runs it on the picture ``image_lines`` load.

    Random weights are regenerated from the seed (short for any size); presets print one ``k × k``
    kernel per output channel and repeat it over the input channels.
    """
    k, weight_shape = spec.kernel_size, spec.weight_shape
    lines = ["import numpy as np", "import torch", "import cv2", "from skimage import data", "", *image_lines]
    if spec.image_channels == 3:
        lines.append("x = torch.from_numpy(image).permute(2, 0, 1).float() / 255  # (3, H, W): permute, never reshape")
    else:
        lines.append("x = torch.from_numpy(image)[None].float() / 255  # (1, H, W)")
    if kernels == "random":
        lines += [f"rng = np.random.default_rng({seed})",
                  f"bound = 1 / np.sqrt({int(np.prod(weight_shape[1:]))})  # PyTorch's default init range",
                  f"weight = rng.uniform(-bound, bound, size={weight_shape})"]
    else:
        names = channel_presets(spec.out_channels, first_preset)
        stack = np.stack([make_kernel(name, k) for name in names])
        rows = "\n".join(f"    {_literal(kernel)},  # {name}" for name, kernel in zip(names, stack, strict=True))
        per_group = spec.in_channels // spec.groups
        lines += [f"kernels = np.array([\n{rows}\n])  # (out_channels, k, k)"]
        if spec.transposed:
            grouped = f"kernels.reshape({spec.groups}, 1, {spec.out_channels // spec.groups}, {k}, {k})"
            lines.append(f"weight = np.repeat({grouped}, {per_group}, axis=1).reshape{weight_shape} / {per_group}")
        else:
            lines.append(f"weight = np.repeat(kernels[:, None], {per_group}, axis=1) / {per_group}")
    extra = f", output_padding={spec.output_padding}" if spec.transposed else ""
    lines += [
        f"layer = torch.nn.{spec.layer}({spec.in_channels}, {spec.out_channels}, kernel_size={k}, "
        f"stride={spec.stride}, padding={spec.padding}{extra}, dilation={spec.dilation}, groups={spec.groups}, "
        "bias=False)",
        "with torch.no_grad():",
        f"    layer.weight.copy_(torch.from_numpy(weight))  # {weight_shape}",
    ]
    if spec.separate:
        lines.append(f"y = layer(x[:, None])  # the colours in the batch axis: ({spec.batch}, 1, H, W) → "
                     f"({spec.batch}, {spec.out_channels}, H', W')")
    else:
        lines.append(f"y = layer(x[None])[0]  # (1, {spec.in_channels}, H, W) → ({spec.out_channels}, H', W')")
    lines.append("print(tuple(y.shape))")
    return "\n".join(lines)
