"""Impossible configurations raise ConvConfigError with a plain message; nothing else escapes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import (
    ConvConfigError,
    conv2d_matrix,
    conv_input_sizes,
    conv_matrix_entries,
    conv_output_size,
    conv_transpose2d_matrix,
    conv_transpose2d_scatter,
    conv_transpose2d_zero_insertion,
    conv_transpose_output_size,
    keras_conv_transpose_output_size,
    receptive_field,
)

small = st.integers(-2, 9)


@settings(max_examples=600, deadline=None)
@given(c_in=st.integers(1, 8), c_out=st.integers(1, 8), groups=st.integers(-1, 5), h=st.integers(0, 8),
       w=st.integers(0, 8), kh=st.integers(0, 8), kw=st.integers(0, 8), s=st.integers(-1, 5), p=st.integers(-2, 5),
       d=st.integers(-1, 4), op=st.integers(-1, 5))
def test_no_exception_but_conv_config_error_escapes(c_in, c_out, groups, h, w, kh, kw, s, p, d, op):
    x = np.ones((c_in, max(h, 1), max(w, 1)))
    shape = (c_in, h, w)
    calls = [
        lambda: conv_output_size(h, kh, s, p, d),
        lambda: conv_transpose_output_size(h, kh, s, p, op, d),
        lambda: keras_conv_transpose_output_size(h, kh, s, "same", op if op >= 0 else None, d),
        lambda: conv_input_sizes(h, kh, s, p, d),
        lambda: receptive_field((0, 0), shape, (kh, kw), s, p, d),
        lambda: conv_matrix_entries(shape, np.ones((c_out, max(c_in // max(groups, 1), 1), max(kh, 1), max(kw, 1))),
                                    s, p, d, groups),
        lambda: conv2d_matrix(x, np.ones((c_out, c_in, kh, kw)), s, p, d, groups),
    ] + [
        lambda view=view: view(x, np.ones((c_in, c_out, max(kh, 1), max(kw, 1))), s, p, op, d, groups)
        for view in (conv_transpose2d_scatter, conv_transpose2d_zero_insertion, conv_transpose2d_matrix)
    ]
    for call in calls:
        try:
            call()
        except ConvConfigError as error:
            # A whole sentence that names a parameter, never an internal detail.
            assert len(str(error)) > 25 and str(error).endswith(".") and "Traceback" not in str(error)


@pytest.mark.parametrize("call, message", [
    (lambda: conv2d_matrix(np.ones((3, 4, 4)), np.ones((2, 1, 3, 3)), groups=2),
     r"groups = 2 does not divide in_channels = 3: choose groups among \[1\]"),
    (lambda: conv2d_matrix(np.ones((4, 4, 4)), np.ones((2, 3, 3, 3))),
     r"input has 4 channel\(s\) but the weight expects 3×groups\(1\) = 3"),
    (lambda: conv_transpose2d_scatter(np.ones((2, 3, 3)), np.ones((3, 1, 2, 2))),
     r"input has 2 channel\(s\) but the ConvTranspose2d weight"),
    (lambda: conv_transpose2d_scatter(np.ones((3, 3)), np.ones((2, 2)), stride=2, output_padding=2),
     r"output_padding \(height\) = 2 must be smaller than stride \(2\) or dilation \(1\)"),
    (lambda: conv2d_matrix(np.ones((3, 3)), np.ones((2, 2)), padding=-1), r"padding must be at least 0, got -1"),
    (lambda: conv2d_matrix(np.ones((3, 3)), np.ones((2, 2)), stride=1.5), r"stride must be a whole number, got 1.5"),
    (lambda: conv2d_matrix(np.ones((2, 2)), np.ones((3, 3))), r"kernel spans 3 cells"),
    (lambda: conv2d_matrix(np.ones((2, 2)), np.ones((3, 3)), dilation=(1, 2, 3)), r"dilation must be one number or"),
    (lambda: conv2d_matrix(np.full((2, 2), np.nan), np.ones((1, 1))), r"NaN or infinity"),
    (lambda: conv2d_matrix(np.ones((2, 2, 2, 2)), np.ones((1, 1))), r"x must have shape \(H, W\) or \(C, H, W\)"),
    (lambda: conv_output_size(5, 3, stride=0), r"stride must be at least 1, got 0"),
    (lambda: receptive_field((3, 0), (4, 4), 3), r"Output cell \(3, 0\) is outside the 2×2 output"),
])
def test_each_error_message(call, message):
    with pytest.raises(ConvConfigError, match=message):
        call()


def test_conv_config_error_is_a_value_error():
    assert issubclass(ConvConfigError, ValueError)
