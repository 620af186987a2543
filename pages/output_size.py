"""Output size: the shape formulas with the current numbers, PyTorch's real shape, and Keras beside it."""

import streamlit as st

from core import ConvConfigError, conv_output_size, conv_transpose_output_size
from core.codegen import shape_code
from core.explain import (
    conv_size_latex,
    conv_transpose_size_latex,
    keras_claim_rows,
    keras_sizes,
    markdown_table,
    output_padding_picks,
)
from core.torch_check import torch_output_shape
from widgets import Controls, run_through_dashboard, verification_line

run_through_dashboard()

st.title("Output size")
controls = Controls(extra_keys={"keras"})  # the Keras-claim panel: open or closed (Controls.panel)
settings_column, result_column = st.columns([1, 2], gap="large")
with settings_column:
    mode = controls.radio("Layer", "mode", ["conv", "transpose"], help="conv: nn.Conv2d · transpose: nn.ConvTranspose2d")
    size, kernel, stride, padding, dilation, output_padding = controls.pairs([
        ("Input", "in", 1, 64, 4), ("Kernel", "k", 1, 7, 3), ("Stride", "s", 1, 4, 1), ("Padding", "p", 0, 3, 0),
        ("Dilation", "d", 1, 3, 1), ("Output padding", "op", 0, 3, 0, "Only for the transposed layer.")])
controls.report_url_problems()

transposed = mode == "transpose"
axes = list(zip(("H", "W"), size, kernel, stride, padding, dilation, output_padding, strict=True))


def output_of(n, k, s, p, d, op):
    return conv_transpose_output_size(n, k, s, p, op, d) if transposed else conv_output_size(n, k, s, p, d)


def is_valid(c):
    try:
        for axis in "hw":
            output_of(c[f"in_{axis}"], c[f"k_{axis}"], c[f"s_{axis}"], c[f"p_{axis}"], c[f"d_{axis}"], c[f"op_{axis}"])
        return True
    except ConvConfigError:
        return False


with result_column:
    try:
        out = tuple(output_of(n, k, s, p, d, op) for _, n, k, s, p, d, op in axes)
    except ConvConfigError as error:
        controls.show_config_error(error, is_valid)
        st.stop()

    layer = "ConvTranspose2d" if transposed else "Conv2d"
    st.metric(f"nn.{layer} output (H × W)", f"{out[0]} × {out[1]}", border=True)
    for axis, n, k, s, p, d, op in axes:
        latex = conv_transpose_size_latex(n, k, s, p, op, d, f"o_{axis}") if transposed else conv_size_latex(n, k, s, p, d, f"o_{axis}")
        st.latex(latex)
    torch_shape = torch_output_shape(size, kernel, stride, padding, dilation, output_padding if transposed else None)
    verification_line(out, torch_shape, layer)

    st.subheader("Keras, for the same numbers")
    keras = [keras_sizes(n, k, s, d, op, transposed) for _, n, k, s, _, d, op in axes]
    # One row per number and a column per axis: three columns fit the result column in presentation mode.
    sizes = {"PyTorch padding": padding, "PyTorch output": out,
             **{f"Keras {name}": [on_axis[name] for on_axis in keras] for name in keras[0]}}
    st.markdown(markdown_table([{"": name, "H": h, "W": w} for name, (h, w) in sizes.items()]))
    st.caption("Keras has no numeric padding: `valid` is padding 0 and `same` pads so that the output is "
               "input × stride (transposed) or ⌈input / stride⌉ (convolution)."
               + (" `valid + op`: Keras's Conv2DTranspose with output_padding = op, the one set here (Keras "
                  "takes op < stride only)." if transposed else ""))

    st.subheader("Many inputs, one output: what output_padding resolves")
    for (axis, n, k, s, p, d, _), o in zip(axes, out, strict=True):
        conv_out = o if not transposed else n
        try:
            smallest, picks = output_padding_picks(conv_out, k, s, p, d)
        except ConvConfigError as error:
            st.info(f"{axis}: {error}")
            continue
        st.markdown(
            f"**{axis}:** a Conv2d with these settings maps inputs of size **{', '.join(map(str, picks.values()))}** to "
            f"**{conv_out}**. Its ConvTranspose2d gets back `{smallest} + output_padding`: "
            + ", ".join(f"output_padding={op} → {i}" for op, i in picks.items())
            + ". In the forward pass, `layer(x, output_size=...)` picks the same way."
        )

    keras_panel = controls.panel("The lesson's Keras claim, checked", "keras")  # built only while open
    if keras_panel.open:
        with keras_panel:
            axis, n, k, s = axes[0][:4]
            conv_out = out[0] if not transposed else n
            st.markdown(
                f"The lesson says a transposed convolution of size *i'* gives *s(i'−1)+k*, **plus 1 in Keras when i−k is "
                f"not a multiple of s**. Keras's real rule (`valid`) is *i'·s + max(k−s, 0)*: it never sees *i*. "
                f"For i' = {conv_out}, k = {k}, s = {s} (height axis, no padding or dilation):"
            )
            st.markdown(markdown_table(keras_claim_rows(conv_out, k, s)))

    st.subheader("PyTorch code")
    st.code(shape_code(size, kernel, stride, padding, dilation, output_padding if transposed else None), language="python",
            wrap_lines=True)  # a projector shows the whole line, no scrolling
