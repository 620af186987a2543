"""Shape checks shared by the convolution and transposed-convolution functions."""

from __future__ import annotations

import numpy as np

from .errors import ConvConfigError
from .params import as_int, as_pair


def as_chw(name: str, array) -> np.ndarray:
    """An ``(H, W)`` or ``(C, H, W)`` array of finite numbers as float64 ``(C, H, W)``."""
    array = np.asarray(array)
    if array.ndim == 2:
        array = array[None]
    if array.ndim != 3 or min(array.shape) < 1:
        raise ConvConfigError(f"{name} must have shape (H, W) or (C, H, W) with every size ≥ 1, got {array.shape}.")
    if not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
        raise ConvConfigError(f"{name} must hold real numbers, got dtype {array.dtype}.")
    array = array.astype(np.float64, copy=False)
    if not np.isfinite(array).all():
        raise ConvConfigError(f"{name} contains NaN or infinity.")
    return array


def as_weight(weight) -> np.ndarray:
    """A ``(kh, kw)`` or 4-D weight as float64 4-D; a 2-D kernel becomes ``(1, 1, kh, kw)``."""
    weight = np.asarray(weight)
    if weight.ndim == 2:
        weight = weight[None, None]
    if weight.ndim != 4 or min(weight.shape) < 1:
        raise ConvConfigError(f"weight must have shape (kh, kw) or a 4-D shape with every size ≥ 1, got {weight.shape}.")
    return as_chw("weight", weight.reshape(-1, *weight.shape[-2:])).reshape(weight.shape)


def as_input_shape(input_shape) -> tuple[int, int, int]:
    """``(H, W)`` or ``(C, H, W)`` as ``(C, H, W)`` of positive ints."""
    shape = tuple(input_shape)
    if len(shape) == 2:
        shape = (1, *shape)
    if len(shape) != 3:
        raise ConvConfigError(f"input_shape must be (H, W) or (C, H, W), got {input_shape!r}.")
    return tuple(as_int(label, v, 1) for label, v in zip(("channels", "input height", "input width"), shape, strict=True))


def spatial_params(stride, padding, dilation):
    """stride, padding, dilation as validated ``(h, w)`` pairs."""
    return as_pair("stride", stride, 1), as_pair("padding", padding, 0), as_pair("dilation", dilation, 1)


def check_channels(in_channels: int, weight_in_channels: int, groups: int, role: str) -> None:
    """The weight's per-group input channels times groups must equal the input's channels."""
    if in_channels != weight_in_channels * groups:
        raise ConvConfigError(
            f"The input has {in_channels} channel(s) but the weight expects {weight_in_channels}×groups({groups}) = "
            f"{weight_in_channels * groups} ({role}): make the channel counts agree."
        )
