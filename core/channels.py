"""Channels and groups: weight shapes, parameter counts, MACs and which channels feed which.

A layer with ``groups = g`` splits its input channels and its output channels into g equal groups
and connects group j of the inputs only to group j of the outputs, so it is g independent
convolutions side by side. ``torch.nn.Conv2d`` stores its weight as
``(C_out, C_in/g, kh, kw)`` (one filter per output channel, reading its group's inputs) and
``torch.nn.ConvTranspose2d`` as ``(C_in, C_out/g, kh, kw)`` (the weight of the Conv2d it
transposes). Everything here is pure arithmetic; :func:`torch_facts` builds the real torch module
and measures the same numbers on it (torch imported lazily), so a page can check one against the other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .errors import ConvConfigError
from .matrix import ConvMatrixEntries, conv_matrix_entries
from .params import as_int, as_pair, check_groups
from .sizes import conv_output_size, conv_transpose_output_size

LAYERS = ("Conv2d", "ConvTranspose2d")


@dataclass(frozen=True)
class ChannelLayer:
    """A Conv2d or ConvTranspose2d by its channel settings: stride 1, dilation 1, bias on."""

    layer: str
    in_channels: int
    out_channels: int
    groups: int
    kernel_size: tuple[int, int]

    @property
    def transposed(self) -> bool:
        return self.layer == "ConvTranspose2d"


def channel_layer(layer: str, in_channels, out_channels, groups=1, kernel_size=3) -> ChannelLayer:
    """A validated :class:`ChannelLayer`; ConvConfigError (with the valid groups) when torch would refuse."""
    if layer not in LAYERS:
        raise ConvConfigError(f"layer must be one of {', '.join(LAYERS)}, got {layer!r}.")
    in_channels = as_int("in_channels", in_channels, 1)
    out_channels = as_int("out_channels", out_channels, 1)
    groups = check_groups(groups, in_channels, out_channels)
    return ChannelLayer(layer, in_channels, out_channels, groups, as_pair("kernel_size", kernel_size, 1))


def weight_shape(spec: ChannelLayer) -> tuple[int, int, int, int]:
    """``(C_out, C_in/g, kh, kw)`` for Conv2d, ``(C_in, C_out/g, kh, kw)`` for ConvTranspose2d."""
    if spec.transposed:
        return spec.in_channels, spec.out_channels // spec.groups, *spec.kernel_size
    return spec.out_channels, spec.in_channels // spec.groups, *spec.kernel_size


def parameter_counts(spec: ChannelLayer) -> dict[str, int]:
    """``{"weights": C_out·C_in/g·kh·kw, "bias": C_out, "total": …}``: the same for both layers."""
    weights = int(np.prod(weight_shape(spec)))
    return {"weights": weights, "bias": spec.out_channels, "total": weights + spec.out_channels}


def example_padding(spec: ChannelLayer) -> tuple[int, int]:
    """The padding the examples use: ``k // 2`` (Conv2d) or ``(k − 1) // 2`` (ConvTranspose2d) per axis.

    With it every input size gives an output (of the input's size for odd kernels, one larger for
    even ones), so a kernel larger than the input is never an error here.
    """
    return tuple((k - 1) // 2 if spec.transposed else k // 2 for k in spec.kernel_size)


def output_shape(spec: ChannelLayer, input_size) -> tuple[int, int, int]:
    """``(C_out, H_out, W_out)`` for an input of ``input_size`` (H, W) with :func:`example_padding`."""
    sizes = as_pair("input_size", input_size, 1)
    size_of = conv_transpose_output_size if spec.transposed else conv_output_size
    out = [size_of(n, k, 1, p) for n, k, p in zip(sizes, spec.kernel_size, example_padding(spec), strict=True)]
    return spec.out_channels, out[0], out[1]


def macs(spec: ChannelLayer, input_size) -> int:
    """Multiply-accumulates of one forward pass on a ``(1, C_in, H, W)`` input, bias excluded.

    Conv2d uses every weight once per output position; ConvTranspose2d stamps every weight once per
    input position. Taps that fall on padding (and stamps the transposed layer's padding crops away)
    count too: the layer computes them (``torch.utils.flop_counter`` reports 2 · MACs).
    """
    height, width = as_pair("input_size", input_size, 1)
    positions = height * width if spec.transposed else int(np.prod(output_shape(spec, input_size)[1:]))
    return parameter_counts(spec)["weights"] * positions


def connectivity(spec: ChannelLayer) -> np.ndarray:
    """``(C_out, C_in)`` int array, 1 where input channel ci feeds output channel co (the same group)."""
    out_group = np.arange(spec.out_channels) // (spec.out_channels // spec.groups)
    in_group = np.arange(spec.in_channels) // (spec.in_channels // spec.groups)
    return (out_group[:, None] == in_group[None, :]).astype(np.int64)


def facts(spec: ChannelLayer, input_size) -> dict[str, object]:
    """Every number the channels page shows, computed here: compare with :func:`torch_facts`."""
    return {
        "weight_shape": weight_shape(spec),
        **parameter_counts(spec),
        "output_shape": output_shape(spec, input_size),
        "macs": macs(spec, input_size),
        "connectivity": connectivity(spec),
    }


def torch_facts(spec: ChannelLayer, input_size) -> dict[str, object]:
    """The same numbers measured on the real ``torch.nn`` module.

    Shapes and parameter counts are read from the module and its forward pass. With its weights
    set to ones and its bias to zero, the module then counts for itself:

    - MACs: on an all-ones input every product is 1, so the output's sum is the number of
      products. Conv2d runs on the input padded with ones (padding taps are products too);
      ConvTranspose2d runs without the crop its padding makes (cropped stamps were computed too).
    - connectivity: a batch whose sample ci holds ones in input channel ci only; output channel co
      of sample ci is nonzero exactly when ci feeds co.
    """
    import torch
    import torch.nn.functional as F

    from .torch_check import set_torch_threads

    set_torch_threads()
    (ph, pw), groups = example_padding(spec), spec.groups
    module = getattr(torch.nn, spec.layer)(spec.in_channels, spec.out_channels, spec.kernel_size, padding=(ph, pw),
                                           groups=groups).double()
    found = {
        "weight_shape": tuple(module.weight.shape),
        "weights": module.weight.numel(),
        "bias": module.bias.numel(),
        "total": sum(p.numel() for p in module.parameters()),
    }
    ones = torch.ones(1, spec.in_channels, *as_pair("input_size", input_size, 1), dtype=torch.float64)
    with torch.no_grad():
        found["output_shape"] = tuple(module(ones).shape[1:])
        module.weight.fill_(1.0)
        module.bias.zero_()
        if spec.transposed:
            products = F.conv_transpose2d(ones, module.weight, groups=groups)
        else:
            products = F.conv2d(F.pad(ones, (pw, pw, ph, ph), value=1.0), module.weight, groups=groups)
        found["macs"] = int(products.sum().item())
        probe = torch.eye(spec.in_channels, dtype=torch.float64)[:, :, None, None]  # sample ci: channel ci alone, 1×1
        response = module(probe).abs().sum(dim=(2, 3))  # (C_in samples, C_out)
    found["connectivity"] = (response.T > 0).to(torch.int64).numpy()
    return found


def facts_vector(found: dict[str, object]) -> np.ndarray:
    """All numbers of :func:`facts` / :func:`torch_facts` as one flat float vector, in a fixed order."""
    parts = [found["weight_shape"], [found["weights"], found["bias"], found["total"]], found["output_shape"],
             [found["macs"]], np.asarray(found["connectivity"]).ravel()]
    return np.concatenate([np.asarray(part, dtype=float).ravel() for part in parts])


def matrix_entry_bound(spec: ChannelLayer, input_size) -> int:
    """An upper bound on W's entries for :func:`matrix_entries`, cheap to compute before building it."""
    height, width = as_pair("input_size", input_size, 1)
    pixels = height * width if spec.transposed else int(np.prod(output_shape(spec, input_size)[1:]))
    return parameter_counts(spec)["weights"] * pixels


def matrix_entries(spec: ChannelLayer, input_size) -> ConvMatrixEntries:
    """W's entries for a ``(C_in, H, W)`` input: block diagonal with ``groups`` blocks.

    Conv2d: ``vec(Y) = W vec(X)``. ConvTranspose2d: ``vec(Z) = Wᵀ vec(X)``, W being the Conv2d
    matrix of the output's shape (draw it with ``transpose=True``). Weights are small integers
    (each kernel a ramp 1, 2, …), so printed entries can be followed to their tap.
    """
    height, width = as_pair("input_size", input_size, 1)
    weight = np.broadcast_to(np.arange(1.0, np.prod(spec.kernel_size) + 1).reshape(spec.kernel_size),
                             weight_shape(spec)).copy()
    if not spec.transposed:
        return conv_matrix_entries((spec.in_channels, height, width), weight, 1, example_padding(spec), 1, spec.groups)
    from .transposed import conv_transpose_matrix_entries

    return conv_transpose_matrix_entries((spec.in_channels, height, width), weight, 1, example_padding(spec), 0, 1,
                                         spec.groups)


def nearest_groups(in_channels, out_channels, groups) -> int:
    """The valid groups (a divisor of both channel counts) closest to ``groups``; the smaller one on a tie."""
    common = math.gcd(as_int("in_channels", in_channels, 1), as_int("out_channels", out_channels, 1))
    return min((g for g in range(1, common + 1) if common % g == 0), key=lambda g: (abs(g - groups), g))
