"""Output-size arithmetic of convolution and transposed convolution, one axis at a time.

These are the rules PyTorch applies (``torch.nn.Conv2d`` and ``torch.nn.ConvTranspose2d``) and the
rule Keras 3 applies (``keras.layers.Conv2DTranspose``). Each function takes one spatial axis;
call it twice for height and width.
"""

from __future__ import annotations

from .errors import ConvConfigError
from .params import as_int


def _check_axis(size, kernel_size, stride, padding, dilation) -> tuple[int, int, int, int, int]:
    return (
        as_int("input size", size, 1),
        as_int("kernel_size", kernel_size, 1),
        as_int("stride", stride, 1),
        as_int("padding", padding, 0),
        as_int("dilation", dilation, 1),
    )


def dilated_kernel_size(kernel_size: int, dilation: int = 1) -> int:
    """Span of a dilated kernel: ``d·(k − 1) + 1``."""
    return dilation * (kernel_size - 1) + 1


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1) -> int:
    """Output length of a convolution along one axis (PyTorch's Conv2d rule).

    ``out = ⌊(size + 2·padding − dilation·(kernel_size − 1) − 1) / stride⌋ + 1``

    Raises ConvConfigError when the dilated kernel does not fit in the padded input.
    """
    size, kernel_size, stride, padding, dilation = _check_axis(size, kernel_size, stride, padding, dilation)
    span = dilated_kernel_size(kernel_size, dilation)
    padded = size + 2 * padding
    if span > padded:
        raise ConvConfigError(
            f"The kernel spans {span} cells (kernel_size {kernel_size}, dilation {dilation}) but the padded "
            f"input has only {padded} (size {size} + 2·padding {padding}): use a smaller kernel or dilation, "
            f"or padding ≥ {-(-(span - size) // 2)}."
        )
    return (padded - span) // stride + 1


def conv_transpose_output_size(size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1) -> int:
    """Output length of a transposed convolution along one axis (PyTorch's ConvTranspose2d rule).

    ``out = (size − 1)·stride − 2·padding + dilation·(kernel_size − 1) + output_padding + 1``

    output_padding must be smaller than stride or dilation, and the result at least 1.
    """
    size, kernel_size, stride, padding, dilation = _check_axis(size, kernel_size, stride, padding, dilation)
    output_padding = as_int("output_padding", output_padding, 0)
    if output_padding >= max(stride, dilation):
        raise ConvConfigError(
            f"output_padding = {output_padding} must be smaller than stride ({stride}) or dilation ({dilation}): "
            f"use output_padding ≤ {max(stride, dilation) - 1}."
        )
    full = (size - 1) * stride + dilated_kernel_size(kernel_size, dilation) + output_padding
    out = full - 2 * padding
    if out < 1:
        raise ConvConfigError(
            f"padding = {padding} crops away the whole output ({full} − 2·{padding} = {out}): "
            f"use padding ≤ {(full - 1) // 2}."
        )
    return out


def keras_conv_transpose_output_size(size, kernel_size, stride=1, padding="valid", output_padding=None, dilation=1) -> int:
    """Output length of Keras 3's Conv2DTranspose along one axis.

    With ``k' = dilation·(kernel_size − 1) + 1``:

    - output_padding None, ``"valid"``: ``out = size·stride + max(k' − stride, 0)``
    - output_padding None, ``"same"``:  ``out = size·stride``
    - otherwise: ``out = (size − 1)·stride + k' − 2·pad + output_padding``, pad = ``k' // 2`` for
      ``"same"`` and 0 for ``"valid"``.
    """
    size, kernel_size, stride, _, dilation = _check_axis(size, kernel_size, stride, 0, dilation)
    if padding not in ("valid", "same"):
        raise ConvConfigError(f'Keras padding must be "valid" or "same", got {padding!r}.')
    span = dilated_kernel_size(kernel_size, dilation)
    if output_padding is None:
        return size * stride + max(span - stride, 0) if padding == "valid" else size * stride
    output_padding = as_int("output_padding", output_padding, 0)
    if output_padding >= stride:
        raise ConvConfigError(
            f"Keras requires output_padding ({output_padding}) to be smaller than stride ({stride})."
        )
    pad = span // 2 if padding == "same" else 0
    return (size - 1) * stride + span - 2 * pad + output_padding


def conv_input_sizes(output_size, kernel_size, stride=1, padding=0, dilation=1) -> list[int]:
    """Every input length whose convolution has length ``output_size``, ascending.

    Because of the floor in ``conv_output_size``, the ``stride`` lengths
    ``i₀ … i₀ + stride − 1`` with ``i₀ = (output_size − 1)·stride + dilation·(kernel_size − 1) + 1 − 2·padding``
    all give the same output (those ≥ 1). A transposed convolution returns ``i₀ + output_padding``,
    which is how output_padding picks one of them back.
    """
    output_size = as_int("output size", output_size, 1)
    kernel_size = as_int("kernel_size", kernel_size, 1)
    stride = as_int("stride", stride, 1)
    padding = as_int("padding", padding, 0)
    dilation = as_int("dilation", dilation, 1)
    smallest = (output_size - 1) * stride + dilated_kernel_size(kernel_size, dilation) - 2 * padding
    sizes = [i for i in range(smallest, smallest + stride) if i >= 1]
    if not sizes:
        raise ConvConfigError(
            f"No input size gives an output of {output_size} with kernel_size {kernel_size}, stride {stride}, "
            f"padding {padding}, dilation {dilation}: the padding alone makes every output longer; "
            f"use padding ≤ {padding + (smallest + stride - 2) // 2}."
        )
    return sizes


def keras_conv_output_size(size, kernel_size, stride=1, padding="valid", dilation=1) -> int:
    """Output length of Keras 3's Conv2D along one axis.

    ``"valid"``: ``out = ⌊(size − k') / stride⌋ + 1`` with ``k' = dilation·(kernel_size − 1) + 1``;
    ``"same"``: ``out = ⌈size / stride⌉``.
    """
    size, kernel_size, stride, _, dilation = _check_axis(size, kernel_size, stride, 0, dilation)
    if padding == "same":
        return -(-size // stride)
    if padding != "valid":
        raise ConvConfigError(f'Keras padding must be "valid" or "same", got {padding!r}.')
    return conv_output_size(size, kernel_size, stride, 0, dilation)
