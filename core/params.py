"""Validation of layer hyper-parameters, shared by every core function.

Every public function normalizes its arguments through here, so an impossible configuration is
reported once, in plain words, as a :class:`ConvConfigError` (never an IndexError or a torch
RuntimeError from deep inside).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

from .errors import ConvConfigError

Pair = tuple[int, int]


def as_int(name: str, value, minimum: int | None = None) -> int:
    """``value`` as a Python int, refusing bools, non-integral numbers and values below ``minimum``."""
    if isinstance(value, bool):
        raise ConvConfigError(f"{name} must be a whole number, got {value!r}.")
    if not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and float(value).is_integer():
            value = int(value)
        else:
            raise ConvConfigError(f"{name} must be a whole number, got {value!r}.")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ConvConfigError(f"{name} must be at least {minimum}, got {value}.")
    return value


def as_pair(name: str, value, minimum: int | None = None) -> Pair:
    """An int or an ``(h, w)`` pair as ``(h, w)``, like ``torch.nn.modules.utils._pair``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ConvConfigError(f"{name} must be one number or an (height, width) pair, got {value!r}.")
        return as_int(f"{name} (height)", value[0], minimum), as_int(f"{name} (width)", value[1], minimum)
    number = as_int(name, value, minimum)
    return number, number


@dataclass(frozen=True)
class ConvParams:
    """The hyper-parameters of a Conv2d / ConvTranspose2d layer, each an ``(h, w)`` pair.

    Pages build one from their widgets and hand ``conv_kwargs()`` or ``transpose_kwargs()`` to
    the core functions, so every page speaks torch's names.
    """

    kernel_size: Pair = (3, 3)
    stride: Pair = (1, 1)
    padding: Pair = (0, 0)
    dilation: Pair = (1, 1)
    output_padding: Pair = (0, 0)
    groups: int = 1

    def conv_kwargs(self) -> dict:
        """Keyword arguments for convolution functions (no output_padding)."""
        return {"stride": self.stride, "padding": self.padding, "dilation": self.dilation, "groups": self.groups}

    def transpose_kwargs(self) -> dict:
        """Keyword arguments for transposed-convolution functions."""
        return {**self.conv_kwargs(), "output_padding": self.output_padding}


def check_output_padding(output_padding: Pair, stride: Pair, dilation: Pair) -> None:
    """PyTorch's rule: output_padding must be smaller than either stride or dilation, per axis."""
    for axis, op, s, d in zip(("height", "width"), output_padding, stride, dilation, strict=True):
        if op >= max(s, d):
            raise ConvConfigError(
                f"output_padding ({axis}) = {op} must be smaller than stride ({s}) or dilation ({d}): "
                f"use output_padding ≤ {max(s, d) - 1}, or raise the stride."
            )


def check_groups(groups: int, in_channels: int, out_channels: int) -> int:
    """Groups must divide both channel counts, as in torch.nn.Conv2d."""
    groups = as_int("groups", groups, 1)
    for label, channels in (("in_channels", in_channels), ("out_channels", out_channels)):
        if channels % groups:
            divisors = [g for g in range(1, channels + 1) if channels % g == 0 and in_channels % g == 0 and out_channels % g == 0]
            raise ConvConfigError(
                f"groups = {groups} does not divide {label} = {channels}: "
                f"choose groups among {divisors}."
            )
    return groups
