"""The PyTorch code that reproduces what a page shows, as text to copy (no torch import here)."""

from __future__ import annotations

import numpy as np

from .layer import as_chw, as_weight
from .params import as_pair


def _literal(array: np.ndarray) -> str:
    """A Python literal of an array, integers printed without a trailing ``.0``."""
    array = np.asarray(array, dtype=float)
    if np.all(array == np.round(array)):
        return repr(array.astype(int).tolist())
    return repr(np.round(array, 6).tolist())


def _pair_text(value) -> str:
    h, w = as_pair("value", value, 0)
    return str(h) if h == w else f"({h}, {w})"


def pytorch_code(x, weight, stride=1, padding=0, dilation=1, groups=1, output_padding=None) -> str:
    """Python code that builds the same layer in PyTorch, sets these weights and runs it on this input.

    ``output_padding=None`` means ``nn.Conv2d``; an int or pair means ``nn.ConvTranspose2d``
    (whose weight is ``(C_in, C_out/groups, kh, kw)``).
    """
    x_chw, weight4 = as_chw("x", x), as_weight(weight)
    transposed = output_padding is not None
    in_channels = x_chw.shape[0]
    out_channels = weight4.shape[1] * groups if transposed else weight4.shape[0]
    layer = "ConvTranspose2d" if transposed else "Conv2d"
    extra = f", output_padding={_pair_text(output_padding)}" if transposed else ""
    return "\n".join([
        "import torch",
        "",
        f"layer = torch.nn.{layer}({in_channels}, {out_channels}, kernel_size={_pair_text(weight4.shape[2:])}, "
        f"stride={_pair_text(stride)}, padding={_pair_text(padding)}{extra}, dilation={_pair_text(dilation)}, "
        f"groups={groups}, bias=False, dtype=torch.float64)",
        "with torch.no_grad():",
        f"    layer.weight.copy_(torch.tensor({_literal(weight4)}))",
        f"x = torch.tensor({_literal(x_chw)}, dtype=torch.float64)  # (C, H, W)",
        "y = layer(x[None])[0]  # add, then drop, the batch axis",
        "print(tuple(y.shape))",
        "print(y)",
    ])


def shape_code(input_shape, kernel_size, stride=1, padding=0, dilation=1, output_padding=None,
               in_channels=1, out_channels=1, groups=1) -> str:
    """Python code that prints the output shape torch gives for a layer (no weights needed)."""
    transposed = output_padding is not None
    layer = "ConvTranspose2d" if transposed else "Conv2d"
    extra = f", output_padding={_pair_text(output_padding)}" if transposed else ""
    height, width = input_shape
    return "\n".join([
        "import torch",
        "",
        f"layer = torch.nn.{layer}({in_channels}, {out_channels}, kernel_size={_pair_text(kernel_size)}, "
        f"stride={_pair_text(stride)}, padding={_pair_text(padding)}{extra}, dilation={_pair_text(dilation)}, "
        f"groups={groups})",
        f"x = torch.zeros(1, {in_channels}, {height}, {width})  # (N, C, H, W)",
        "print(layer(x).shape)",
    ])


def entries_csv(entries) -> str:
    """W's entries as CSV, one line per entry: ``row,col,value`` (W[row, col] = value).

    One entry per kernel tap that lands on an input cell, so a zero weight gives a line with value 0.
    """
    lines = [f"{r},{c},{v:.17g}" for r, c, v in zip(entries.rows.tolist(), entries.cols.tolist(), entries.values.tolist(), strict=True)]
    return "row,col,value\n" + "\n".join(lines) + "\n"


def array_csv(array) -> str:
    """A (C, H, W) or (H, W) array as CSV, one line per element: ``channel,row,col,value``."""
    array = np.asarray(array, dtype=float)
    array = array[None] if array.ndim == 2 else array
    channel, row, col = np.indices(array.shape).reshape(3, -1)
    lines = [f"{c},{r},{k},{v:.17g}" for c, r, k, v in zip(channel.tolist(), row.tolist(), col.tolist(), array.ravel().tolist(), strict=True)]
    return "channel,row,col,value\n" + "\n".join(lines) + "\n"
