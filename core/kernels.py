"""Named kernels and inputs at any size, and the text form that carries a typed kernel in a URL.

Integer-valued presets keep every product exact, so the numbers on screen equal torch's to the digit.
"""

from __future__ import annotations

import numpy as np

from .errors import ConvConfigError
from .params import as_int

LESSON_KERNEL = np.array([[0, 1, 0], [-1, 2, 2], [0, 1, 0]], dtype=float)
LESSON_INPUT = np.array([[4, 3, 2, 1], [1, 4, 3, 2], [2, 1, 4, 3], [3, 2, 1, 4]], dtype=float)
# The 2×3 kernel and 4×4 input of the lesson's transposed example (whose typo never set the kernel).
LESSON_KERNEL_2X3 = np.array([[0, 2, 1], [2, 3, 3]], dtype=float)
LESSON_INPUT_4X4 = np.array([[0, 1, 1, 2], [3, 4, 0, 5], [6, 7, 0, 8], [2, 3, 4, 4]], dtype=float)

KERNEL_PRESETS = ("lesson", "lesson 2×3", "ramp", "identity", "box blur", "gaussian", "sharpen", "sobel x", "sobel y",
                  "laplacian", "emboss", "random")
INPUT_PRESETS = ("lesson", "lesson 4×4", "ramp", "one-hot", "random")


def _binomial(n: int) -> np.ndarray:
    """Row n−1 of Pascal's triangle: the n-tap binomial (Gaussian-like) smoothing filter."""
    row = np.ones(1)
    for _ in range(n - 1):
        row = np.convolve(row, [1, 1])
    return row


def _derivative(n: int) -> np.ndarray:
    """Central difference smoothed to n taps: ``[-1, 0, 1]`` at 3, ``[-1, 1]`` at 2, ``[0]`` at 1."""
    if n == 1:
        return np.zeros(1)
    if n == 2:
        return np.array([-1.0, 1.0])
    return np.convolve(_binomial(n - 2), [-1, 0, 1])


def _centered(small: np.ndarray, kh: int, kw: int) -> np.ndarray:
    """Embed (or crop) a kernel into ``kh × kw`` around its centre."""
    out = np.zeros((kh, kw))
    sh, sw = small.shape
    top_out, top_in = max((kh - sh) // 2, 0), max((sh - kh) // 2, 0)
    left_out, left_in = max((kw - sw) // 2, 0), max((sw - kw) // 2, 0)
    h, w = min(kh, sh), min(kw, sw)
    out[top_out:top_out + h, left_out:left_out + w] = small[top_in:top_in + h, left_in:left_in + w]
    return out


def make_kernel(name: str, kernel_size, seed: int = 0) -> np.ndarray:
    """A ``(kh, kw)`` kernel by name (see ``KERNEL_PRESETS``).

    lesson: ``[[0,1,0],[-1,2,2],[0,1,0]]`` centred (cropped or zero-padded); lesson 2×3: the transposed
    example's ``[[0,2,1],[2,3,3]]`` likewise; ramp: ``0, 1, 2, …``
    row by row (the lesson's 2×2 ``[[0,1],[2,3]]``); identity: 1 at the centre; box blur: ``1/(kh·kw)``;
    gaussian: binomial ⊗ binomial, normalised; sharpen: ``2·identity − box``; sobel x / y: binomial
    smoothing ⊗ central difference; laplacian: 3×3 ``[[0,1,0],[1,−4,1],[0,1,0]]``, else all ones with
    the centre making the sum 0; emboss: ``(i − ci) + (j − cj)`` with 1 at the centre; random:
    integers from −3 to 3 drawn from ``seed``.
    """
    kh, kw = (as_int("kernel_size", kernel_size, 1),) * 2 if np.ndim(kernel_size) == 0 else (
        as_int("kernel height", kernel_size[0], 1), as_int("kernel width", kernel_size[1], 1))
    rows, cols = np.mgrid[0:kh, 0:kw]
    centre = np.zeros((kh, kw))
    centre[kh // 2, kw // 2] = 1.0
    if name == "lesson":
        return _centered(LESSON_KERNEL, kh, kw)
    if name == "lesson 2×3":
        return _centered(LESSON_KERNEL_2X3, kh, kw)
    if name == "ramp":
        return np.arange(kh * kw, dtype=float).reshape(kh, kw)
    if name == "identity":
        return centre
    if name == "box blur":
        return np.full((kh, kw), 1.0 / (kh * kw))
    if name == "gaussian":
        g = np.outer(_binomial(kh), _binomial(kw))
        return g / g.sum()
    if name == "sharpen":
        if (kh, kw) == (3, 3):
            return np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float)
        return 2 * centre - 1.0 / (kh * kw)
    if name == "sobel x":
        return np.outer(_binomial(kh), _derivative(kw))
    if name == "sobel y":
        return np.outer(_derivative(kh), _binomial(kw))
    if name == "laplacian":
        if (kh, kw) == (3, 3):
            return np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float)
        return np.ones((kh, kw)) - kh * kw * centre
    if name == "emboss":
        emboss = (rows - kh // 2) + (cols - kw // 2) + 0.0
        emboss[kh // 2, kw // 2] = 1.0
        return emboss
    if name == "random":
        return np.random.default_rng(as_int("seed", seed, 0)).integers(-3, 4, size=(kh, kw)).astype(float)
    raise ConvConfigError(f"Unknown kernel {name!r}: choose one of {', '.join(KERNEL_PRESETS)}.")


def make_input(name: str, shape, seed: int = 0) -> np.ndarray:
    """An ``(H, W)`` input by name (see ``INPUT_PRESETS``).

    lesson: the lesson's 4×4 ``[[4,3,2,1],[1,4,3,2],…]`` continued to any size,
    ``I[i, j] = ((i − j − 1) mod 4) + 1``; lesson 4×4: the transposed example's input, centred; ramp: ``0, 1, 2, …`` row by row (the lesson's ``[[0,1],[2,3]]``);
    one-hot: 1 at the centre (a transposed convolution then stamps the kernel once); random:
    integers 0–9 drawn from ``seed``.
    """
    height, width = as_int("input height", shape[0], 1), as_int("input width", shape[1], 1)
    rows, cols = np.mgrid[0:height, 0:width]
    if name == "lesson":
        return ((rows - cols - 1) % 4 + 1).astype(float)
    if name == "lesson 4×4":
        return _centered(LESSON_INPUT_4X4, height, width)
    if name == "ramp":
        return np.arange(height * width, dtype=float).reshape(height, width)
    if name == "one-hot":
        out = np.zeros((height, width))
        out[height // 2, width // 2] = 1.0
        return out
    if name == "random":
        return np.random.default_rng(as_int("seed", seed, 0)).integers(0, 10, size=(height, width)).astype(float)
    raise ConvConfigError(f"Unknown input {name!r}: choose one of {', '.join(INPUT_PRESETS)}.")


def kernel_text(kernel: np.ndarray) -> str:
    """A kernel as URL-friendly text: rows separated by ``;``, values by ``,`` (``0,1,0;-1,2,2;0,1,0``)."""
    def number(v: float) -> str:
        return str(int(v)) if float(v).is_integer() else f"{v:.6g}"
    return ";".join(",".join(number(v) for v in row) for row in np.atleast_2d(kernel))


def parse_kernel_text(text: str, max_size: int = 7) -> np.ndarray:
    """The inverse of :func:`kernel_text`; every row the same length, at most ``max_size`` × ``max_size``."""
    rows = [row.strip() for row in str(text).strip().strip(";").split(";")]
    try:
        values = [[float(v) for v in row.replace(" ", ",").split(",") if v] for row in rows]
    except ValueError:
        raise ConvConfigError(f"The kernel {text!r} is not numbers: write rows like 0,1,0;-1,2,2;0,1,0.") from None
    widths = {len(row) for row in values}
    if not values or 0 in widths or len(widths) != 1:
        raise ConvConfigError(f"The kernel {text!r} needs rows of equal length: write rows like 0,1,0;-1,2,2;0,1,0.")
    kernel = np.array(values)
    if max(kernel.shape) > max_size or not np.isfinite(kernel).all():
        raise ConvConfigError(f"The kernel must be finite numbers, at most {max_size}×{max_size}; got {kernel.shape}.")
    return kernel


def make_weight(name: str, kernel_size, out_channels: int = 1, in_per_group: int = 1, seed: int = 0) -> np.ndarray:
    """A ``(C_out, C_in/groups, kh, kw)`` weight whose first kernel is the preset ``name``.

    The other kernels are seeded random integers (−3…3, seed ``seed + 1 + index``), so every
    channel pair is visibly different and a link reproduces them.
    """
    out_channels, in_per_group = as_int("out_channels", out_channels, 1), as_int("in_channels/groups", in_per_group, 1)
    first = make_kernel(name, kernel_size, seed)
    kernels = [first] + [make_kernel("random", first.shape, seed + 1 + i) for i in range(out_channels * in_per_group - 1)]
    return np.stack(kernels).reshape(out_channels, in_per_group, *first.shape)


def make_input_channels(name: str, shape, channels: int = 1, seed: int = 0) -> np.ndarray:
    """A ``(C, H, W)`` input: channel c is the preset ``name`` rolled c columns right (random: seed + c)."""
    channels = as_int("channels", channels, 1)
    if name == "random":
        return np.stack([make_input(name, shape, seed + c) for c in range(channels)])
    base = make_input(name, shape, seed)
    return np.stack([np.roll(base, c, axis=1) for c in range(channels)])


def layer_tensors(input_preset: str, input_shape, channels: int, kernel_preset: str, kernel_size, weight_lead,
                  seed: int = 0, custom=None) -> tuple[np.ndarray, np.ndarray]:
    """The input ``(C, H, W)`` and a weight ``(*weight_lead, kh, kw)`` for a page's presets.

    ``weight_lead`` is ``(C_out, C_in/groups)`` for Conv2d and ``(C_in, C_out/groups)`` for
    ConvTranspose2d (the same tensor layout torch uses). ``custom``, a kernel typed by the user as
    a nested sequence, replaces the preset in every ``(kh, kw)`` slot of the weight.
    """
    x = make_input_channels(input_preset, input_shape, channels, seed)
    if custom is None:
        return x, make_weight(kernel_preset, kernel_size, *weight_lead, seed)
    kernel = np.asarray(custom, dtype=float)
    return x, np.broadcast_to(kernel, (*weight_lead, *kernel.shape)).copy()
