"""PyTorch as the oracle: the live verification line and the code that reproduces a view.

Imported only where a page verifies against torch, so ``import core`` stays free of torch's
~1 s import.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .layer import as_chw, as_weight
from .params import as_pair

_threads_set = False


def set_torch_threads(threads: int = 1) -> None:
    """Set torch's intra-op threads once per process.

    Many Streamlit sessions share one small server: one thread each avoids oversubscribing the
    cores, and torch refuses to change inter-op threads after first use, so only do it once.
    """
    global _threads_set
    if not _threads_set:
        torch.set_num_threads(threads)
        _threads_set = True


def _batch(x) -> torch.Tensor:
    return torch.from_numpy(as_chw("x", x))[None]


def torch_conv2d(x, weight, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    """``F.conv2d`` in float64 on ``(H, W)`` or ``(C, H, W)`` input, returned as ``(C_out, H_out, W_out)``."""
    set_torch_threads()
    out = F.conv2d(_batch(x), torch.from_numpy(as_weight(weight)), stride=stride, padding=padding,
                   dilation=dilation, groups=groups)
    return out[0].numpy()


def torch_conv_transpose2d(x, weight, stride=1, padding=0, output_padding=0, dilation=1, groups=1) -> np.ndarray:
    """``F.conv_transpose2d`` in float64, returned as ``(C_out, H_out, W_out)``."""
    set_torch_threads()
    out = F.conv_transpose2d(_batch(x), torch.from_numpy(as_weight(weight)), stride=stride, padding=padding,
                             output_padding=output_padding, dilation=dilation, groups=groups)
    return out[0].numpy()


def max_abs_difference(shown, reference) -> float:
    """``max |shown − reference|`` over all elements; infinity when the shapes differ."""
    shown, reference = np.asarray(shown, dtype=float), np.asarray(reference, dtype=float)
    if shown.squeeze().shape != reference.squeeze().shape:
        return float("inf")
    return float(np.abs(shown.squeeze() - reference.squeeze()).max(initial=0.0))


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
