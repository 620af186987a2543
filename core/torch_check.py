"""PyTorch as the oracle: the live verification line and the code that reproduces a view.

Imported only where a page verifies against torch, so ``import core`` stays free of torch's
~1 s import.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .layer import as_chw, as_weight

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


def torch_output_shape(input_shape, kernel_size, stride=1, padding=0, dilation=1, output_padding=None) -> tuple[int, int]:
    """``(H_out, W_out)`` that ``nn.Conv2d`` (or ``nn.ConvTranspose2d`` when output_padding is given)
    actually produces on a zero input of ``input_shape``."""
    set_torch_threads()
    x = torch.zeros(1, 1, *input_shape, dtype=torch.float64)
    w = torch.zeros(1, 1, *kernel_size, dtype=torch.float64)
    if output_padding is None:
        y = F.conv2d(x, w, stride=stride, padding=padding, dilation=dilation)
    else:
        y = F.conv_transpose2d(x, w, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation)
    return tuple(y.shape[-2:])
