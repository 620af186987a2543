"""Shared helpers for tests that compare core against torch.nn.functional in float64."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)


def torch_conv(x, w, **kw) -> np.ndarray:
    """F.conv2d on a (C, H, W) float64 array, without the batch axis."""
    return F.conv2d(torch.from_numpy(x)[None], torch.from_numpy(w), **kw)[0].numpy()


def torch_conv_transpose(x, w, **kw) -> np.ndarray:
    """F.conv_transpose2d on a (C, H, W) float64 array, without the batch axis."""
    return F.conv_transpose2d(torch.from_numpy(x)[None], torch.from_numpy(w), **kw)[0].numpy()


def integer_array(rng: np.random.Generator, shape) -> np.ndarray:
    """Small integer values in float64: sums of products are exact, so results must match exactly."""
    return rng.integers(-4, 5, size=shape).astype(np.float64)
