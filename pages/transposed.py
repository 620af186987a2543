"""Transposed convolution three ways (scatter, zero insertion, Wᵀ), each ending in the same output."""

from functools import partial

import streamlit as st

from core import (
    ConvConfigError,
    conv_transpose2d_scatter_at,
    conv_transpose2d_zero_insertion_steps,
    conv_transpose_matrix_entries,
    dilated_kernel_size,
)
from core.codegen import array_csv, pytorch_code
from core.explain import round_trip_lines
from core.kernels import layer_tensors
from core.params import check_groups
from figures import grid_figure, kernel_figure, matrix_figure
from widgets import (
    Controls,
    column_widths_px,
    csv_download,
    figure_columns,
    figure_once,
    figure_style,
    layer_controls,
    layer_is_valid,
    preset_buttons,
    pytorch_code_panel,
    run_through_dashboard,
    show_figure,
    step_player,
    stop_player,
    verification_line,
)

run_through_dashboard()

LESSON = {"input": "ramp", "in_h": 2, "in_w": 2, "kernel": "ramp", "k_h": 2, "k_w": 2, "s_h": 1, "s_w": 1}
PRESETS = {"Lesson: 2×2, stride 1": LESSON, "Lesson: stride 2": {**LESSON, "s_h": 2, "s_w": 2},
           "Lesson: 2×3 kernel": {**LESSON, "input": "lesson 4×4", "in_h": 4, "in_w": 4, "kernel": "lesson 2×3",
                                  "k_h": 2, "k_w": 3, "s_h": 2, "s_w": 2}}


@st.cache_resource(max_entries=32, show_spinner=False)
def layer(input_key, kernel_key, stride, padding, output_padding, dilation, groups, c_out):
    """Input, weight, the three views' data and the output for one configuration."""
    (preset, shape, seed, c_in), (kernel_preset, kernel_size, custom) = input_key, kernel_key
    x, weight = layer_tensors(preset, shape, c_in, kernel_preset, kernel_size, (c_in, c_out // groups), seed, custom)
    kwargs = dict(stride=stride, padding=padding, output_padding=output_padding, dilation=dilation, groups=groups)
    zero = conv_transpose2d_zero_insertion_steps(x, weight, **kwargs)
    return x, weight, kwargs, zero, conv_transpose_matrix_entries(x.shape, weight, **kwargs)


st.title("Transposed convolution")
controls = Controls(extra_keys={"trip"})  # the round-trip panel: open or closed (Controls.panel)
preset_buttons(PRESETS, where=st.sidebar)
settings = layer_controls(controls, 16, 2, "ramp", "ramp", 2, transposed=True, where=st.sidebar)
size, stride, padding, output_padding = settings.size, settings.stride, settings.padding, settings.output_padding
dilation, c_in, c_out, groups = settings.dilation, settings.c_in, settings.c_out, settings.groups

try:
    check_groups(groups, c_in, c_out)  # before layer(): c_out // groups would silently round
    x, weight, kwargs, zero, entries = layer((settings.input_preset, size, settings.seed, c_in),
                                             (settings.kernel_preset, settings.kernel_size, settings.custom_key),
                                             stride, padding, output_padding, dilation, groups, c_out)
except ConvConfigError as error:
    controls.report_url_problems()
    controls.show_config_error(error, partial(layer_is_valid, transposed=True))
    st.stop()

z, style = zero.output, figure_style()
view_in = controls.slider("Show input channel", "view_ci", 1, c_in, 1) - 1 if c_in > 1 else 0
view_out = controls.slider("Show output channel", "view_co", 1, c_out, 1) - 1 if c_out > 1 else 0
st.markdown(f"**{c_in}×{size[0]}×{size[1]} → {z.shape[0]}×{z.shape[1]}×{z.shape[2]}** · weight "
            f"`{tuple(weight.shape)}` = (C_in, C_out/groups, kh, kw), the same tensor a Conv2d {c_out}→{c_in} uses.")
output_figure = figure_once(grid_figure, z[view_out], title=f"Output Z (channel {view_out + 1})", style=style,
                            width_px=column_widths_px(1, style)[0])


def scatter_step(step: int) -> None:
    """The scatter view at one step: the input element, its stamp, and the running sum."""
    state = conv_transpose2d_scatter_at(x, weight, step, **kwargs)
    channel, row, col = state["index"]
    (first, column_px), (second, _), (third, sum_px) = figure_columns(3, style, state["canvas"].shape[-1])
    with first:
        show_figure(figure_once(grid_figure, x[channel], title=f"Input X, channel {channel + 1}: element ({row}, {col})",
                                highlight=((row, col),), style=style, width_px=column_px))
    with second:
        show_figure(figure_once(grid_figure, state["stamp"][view_out], title=f"Stamp = {state['value']:g} × kernel",
                                style=style, width_px=column_px))
    with third:
        boxes = ((state["top"], state["left"], *state["stamp"].shape[1:]), (*padding, *z.shape[1:]))  # stamp, crop
        show_figure(figure_once(grid_figure, state["canvas"][view_out], title=f"Running sum after {step} of {x.size}",
                                box=boxes, style=style, width_px=sum_px))


# Only the open view is built and sent to the browser: all three at once are 7 figures per change.
scatter_view, zero_view, matrix_view = controls.views(["Scatter", "Zero insertion", "Matrix Wᵀ"], "view")
if not scatter_view.open:
    controls.extra_keys |= {"step"}  # its control is not drawn: keep a linked value for when it opens
    stop_player("step")
else:
    with scatter_view:
        st.caption("Each input element stamps a scaled copy of the kernel; the stamps add up. Padding then crops the "
                   "border (dashed box), output_padding adds rows and columns at the bottom and right. **Play** "
                   "walks the steps on its own.")
        step_player(controls, "Step (input element)", "step", x.size, scatter_step)

if not zero_view.open:
    controls.extra_keys |= {"zstep"}  # its control is not drawn: keep a linked value for when it opens
else:
    with zero_view:
        st.caption(f"Insert stride−1 zeros between elements, pad each side by d·(k−1)−p = {zero.edge} (crop where negative), "
                   "add output_padding bottom/right, then slide the kernel rotated 180° with stride 1.")
        if st.session_state.get("zstep", 1) > z[0].size:
            st.session_state["zstep"] = z[0].size
        out_step = controls.slider("Output cell", "zstep", 1, z[0].size, 1) - 1 if z[0].size > 1 else 0
        out_row, out_col = divmod(out_step, z.shape[2])
        span = [dilated_kernel_size(k, d) for k, d in zip(weight.shape[2:], dilation, strict=True)]
        (first, stretched_px), (second, kernel_px), (third, output_px) = figure_columns(
            [3, 2, 3], style, first_grid_columns=zero.stretched.shape[-1])
        with first:
            show_figure(figure_once(grid_figure, zero.stretched[view_in], title="Stretched and padded input",
                                    style=style, box=(out_row, out_col, *span), width_px=stretched_px))
        with second:
            show_figure(figure_once(kernel_figure, weight[view_in, view_out % weight.shape[1]], title="Kernel",
                                    flipped=True, style=style, width_px=kernel_px))
        with third:
            show_figure(figure_once(grid_figure, z[view_out], title=f"Z[{out_row}, {out_col}] = {z[view_out, out_row, out_col]:g}",
                                    highlight=((out_row, out_col),), style=style, width_px=output_px))

if matrix_view.open:
    with matrix_view:
        st.caption("W is the convolution matrix of a Conv2d from Z's shape back to X's shape, with the same weight: "
                   "vec(Z) = Wᵀ vec(X).")
        show_figure(figure_once(matrix_figure, entries, transpose=True, x_vector=x.reshape(-1), y_vector=z.reshape(-1),
                                style=style), width="content")

show_figure(output_figure)
controls.report_url_problems()
if (trip := controls.panel("Round trip: which convolution this transposed convolution undoes", "trip")).open:
    trip.markdown("\n\n".join(round_trip_lines(size, z.shape[1:], weight.shape[2:], stride, padding, dilation,
                                               output_padding)))

from core.torch_check import torch_conv_transpose2d  # noqa: E402 — torch only once there is something to check

verification_line(z, torch_conv_transpose2d(x, weight, **kwargs), "ConvTranspose2d")
csv_download("Z as CSV", partial(array_csv, z), "Z.csv", "z_csv")
pytorch_code_panel(lambda: pytorch_code(x, weight, stride, padding, dilation, groups, output_padding))
