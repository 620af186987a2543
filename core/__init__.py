"""ConvLab's core: convolution and transposed convolution, every view computed in numpy.

Public names mirror ``torch.nn.functional`` (stride, padding, dilation, output_padding, groups).
Nothing here imports streamlit, and nothing imports torch at import time (torch is the oracle,
loaded only by :mod:`core.torch_check`), so ``import core`` is fast and usable from a notebook.
"""

from .errors import ConvConfigError
from .matrix import (
    ConvMatrixEntries,
    conv2d_matrix,
    conv_matrix,
    conv_matrix_entries,
    conv_output_shape,
    receptive_field,
)
from .params import ConvParams
from .sizes import (
    conv_input_sizes,
    conv_output_size,
    conv_transpose_output_size,
    dilated_kernel_size,
    keras_conv_transpose_output_size,
)
from .transposed import (
    ZeroInsertion,
    conv_transpose2d_matrix,
    conv_transpose2d_scatter,
    conv_transpose2d_scatter_at,
    conv_transpose2d_scatter_steps,
    conv_transpose2d_zero_insertion,
    conv_transpose2d_zero_insertion_steps,
    conv_transpose_matrix_entries,
    flip_transpose_weight,
    insert_zeros,
    is_valid_transpose,
    transpose_setup,
)

__all__ = [
    "ConvConfigError",
    "ConvMatrixEntries",
    "ConvParams",
    "conv2d_matrix",
    "ZeroInsertion",
    "conv_input_sizes",
    "conv_transpose2d_matrix",
    "conv_transpose2d_scatter",
    "conv_transpose2d_scatter_at",
    "conv_transpose2d_scatter_steps",
    "conv_transpose2d_zero_insertion",
    "conv_transpose2d_zero_insertion_steps",
    "conv_transpose_matrix_entries",
    "flip_transpose_weight",
    "insert_zeros",
    "is_valid_transpose",
    "transpose_setup",
    "conv_matrix",
    "conv_matrix_entries",
    "conv_output_shape",
    "conv_output_size",
    "conv_transpose_output_size",
    "dilated_kernel_size",
    "keras_conv_transpose_output_size",
    "receptive_field",
]
