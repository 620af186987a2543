"""Transposed convolution three ways (scatter, zero insertion, Wᵀ), each ending in the same output."""

import numpy as np
import streamlit as st

from core import (
    ConvConfigError,
    conv_input_sizes,
    conv_transpose2d_scatter_at,
    conv_transpose2d_zero_insertion_steps,
    conv_transpose_matrix_entries,
    transpose_setup,
)
from core.codegen import array_csv, pytorch_code
from core.kernels import INPUT_PRESETS, make_input_channels, make_weight
from figures import grid_figure, kernel_figure, matrix_figure
from widgets import (
    Controls,
    apply_preset,
    csv_download,
    figure_style,
    kernel_controls,
    pytorch_code_panel,
    run_through_dashboard,
    show_figure,
    verification_line,
)

run_through_dashboard()

PLAY_SECONDS = 0.8  # one scatter step per 0.8 s: slow enough to follow, on a projector too

LESSON = {"input": "ramp", "in_h": 2, "in_w": 2, "kernel": "ramp", "k_h": 2, "k_w": 2, "s_h": 1, "s_w": 1}
PRESETS = {"Lesson: 2×2, stride 1": LESSON, "Lesson: stride 2": {**LESSON, "s_h": 2, "s_w": 2},
           "Lesson: 2×3 kernel": {**LESSON, "input": "lesson 4×4", "in_h": 4, "in_w": 4, "kernel": "lesson 2×3",
                                  "k_h": 2, "k_w": 3, "s_h": 2, "s_w": 2}}


@st.cache_resource(max_entries=32, show_spinner=False)
def layer(input_key, kernel_key, stride, padding, output_padding, dilation, groups, c_out):
    """Input, weight, the three views' data and the output for one configuration."""
    preset, shape, seed, c_in = input_key
    kernel_preset, kernel_size, custom = kernel_key
    x = make_input_channels(preset, shape, c_in, seed)
    weight = make_weight(kernel_preset, kernel_size, c_in, c_out // groups, seed) if custom is None else \
        np.broadcast_to(np.array(custom), (c_in, c_out // groups, *np.shape(custom))).copy()
    kwargs = dict(stride=stride, padding=padding, output_padding=output_padding, dilation=dilation, groups=groups)
    zero = conv_transpose2d_zero_insertion_steps(x, weight, **kwargs)
    return x, weight, kwargs, zero, conv_transpose_matrix_entries(x.shape, weight, **kwargs)


st.title("Transposed convolution")
controls = Controls()
with st.sidebar:
    for label, preset in PRESETS.items():
        st.button(label, on_click=apply_preset, args=(preset,), width="stretch")
    input_preset = controls.select("Input", "input", INPUT_PRESETS, "ramp")
    size = controls.pair("Input", "in", 1, 16, 2)
    try:
        kernel_preset, kernel_size, custom = kernel_controls(controls, "ramp", 2, where=st.sidebar)
    except ConvConfigError as error:
        st.error(str(error))
        kernel_preset, kernel_size, custom = "ramp", (2, 2), None
    stride = controls.pair("Stride", "s", 1, 4, 1)
    padding = controls.pair("Padding", "p", 0, 3, 0)
    output_padding = controls.pair("Output padding", "op", 0, 3, 0, help="Must be smaller than stride or dilation.")
    dilation = controls.pair("Dilation", "d", 1, 3, 1)
    c_in = controls.slider("In channels", "c_in", 1, 4, 1)
    c_out = controls.slider("Out channels", "c_out", 1, 4, 1)
    groups = controls.slider("Groups", "groups", 1, 4, 1)
    seed = controls.number("Seed (random values)", "seed", 0, 9999, 0)


def is_valid(c):
    try:
        transpose_setup(np.zeros((c["c_in"], c["in_h"], c["in_w"])),
                        np.zeros((c["c_in"], max(c["c_out"] // c["groups"], 1), c["k_h"], c["k_w"])),
                        (c["s_h"], c["s_w"]), (c["p_h"], c["p_w"]), (c["op_h"], c["op_w"]), (c["d_h"], c["d_w"]),
                        c["groups"])
        return c["c_out"] % c["groups"] == 0
    except ConvConfigError:
        return False


custom_key = None if custom is None else tuple(map(tuple, custom.tolist()))
try:
    if c_out % groups:
        raise ConvConfigError(f"groups = {groups} does not divide out_channels = {c_out}: choose groups dividing both.")
    x, weight, kwargs, zero, entries = layer((input_preset, size, seed, c_in), (kernel_preset, kernel_size, custom_key),
                                             stride, padding, output_padding, dilation, groups, c_out)
except ConvConfigError as error:
    controls.report_url_problems()
    controls.show_config_error(error, is_valid)
    st.stop()

z, style = zero.output, figure_style()
view_in = controls.slider("Show input channel", "view_ci", 1, c_in, 1) - 1 if c_in > 1 else 0
view_out = controls.slider("Show output channel", "view_co", 1, c_out, 1) - 1 if c_out > 1 else 0
st.markdown(f"**{c_in}×{size[0]}×{size[1]} → {z.shape[0]}×{z.shape[1]}×{z.shape[2]}** · weight "
            f"`{tuple(weight.shape)}` = (C_in, C_out/groups, kh, kw), the same tensor a Conv2d {c_out}→{c_in} uses.")
output_figure = grid_figure(z[view_out], title=f"Output Z (channel {view_out + 1})", style=style)
def toggle_play(last: int) -> None:
    """Play/Pause button: start (from the first step if at the end) or stop walking the input."""
    playing = not st.session_state.get("_playing", False)
    if playing and st.session_state.get("step", 1) >= last:
        st.session_state["step"] = 1
    st.session_state["_playing"] = playing


def scatter_view() -> None:
    """The scatter walk; while playing, a fragment that advances one step per run (reruns on a timer)."""
    last = x.size
    if st.session_state.get("step", 1) > last:
        st.session_state["step"] = last
    if st.session_state.get("_playing"):
        if st.session_state.get("step", 1) < last:
            st.session_state["step"] = st.session_state.get("step", 1) + 1
        else:  # the walk is done: stop, and rerun the page so the timer stops too
            st.session_state["_playing"] = False
            st.rerun()
    step = controls.slider("Step (input element)", "step", 1, last, 1) if last > 1 else 1
    state = conv_transpose2d_scatter_at(x, weight, step, **kwargs)
    channel, row, col = state["index"]
    first, second, third = st.columns(3)
    with first:
        show_figure(grid_figure(x[channel], title=f"Input X, channel {channel + 1}: element ({row}, {col})",
                                highlight=[(row, col)], style=style))
    with second:
        show_figure(grid_figure(state["stamp"][view_out], title=f"Stamp = {state['value']:g} × kernel", style=style))
    with third:
        canvas = state["canvas"][view_out]
        stamp_box = (state["top"], state["left"], *state["stamp"].shape[1:])
        crop_box = (padding[0], padding[1], *z.shape[1:])
        show_figure(grid_figure(canvas, title=f"Running sum after {step} of {last}", box=[stamp_box, crop_box],
                                style=style))


# Only the open view is built and sent to the browser: all three at once are 7 figures per change.
scatter_tab, zero_tab, matrix_tab = controls.tabs(["Scatter", "Zero insertion", "Matrix Wᵀ"], "view")
if not scatter_tab.open:
    controls.extra_keys |= {"step"}  # its control is not drawn: keep a linked value for when it opens
    st.session_state["_playing"] = False
else:
    with scatter_tab:
        st.caption("Each input element stamps a scaled copy of the kernel; the stamps add up. Padding then crops the "
                   "border (dashed box), output_padding adds rows and columns at the bottom and right.")
        playing = st.session_state.get("_playing", False)
        if x.size > 1:  # outside the fragment: a click reruns the page, which sets the fragment's timer
            st.button("Pause" if playing else "Play", key="play", on_click=toggle_play, args=(x.size,),
                      icon=":material/pause:" if playing else ":material/play_arrow:")
        # While playing, only this view reruns, every PLAY_SECONDS: the rest of the page stays as it is.
        st.fragment(scatter_view, run_every=PLAY_SECONDS if playing else None)()

if not zero_tab.open:
    controls.extra_keys |= {"zstep"}  # its control is not drawn: keep a linked value for when it opens
else:
    with zero_tab:
        st.caption(f"Insert stride−1 zeros between elements, pad each side by d·(k−1)−p = {zero.edge} (crop where negative), "
                   "add output_padding bottom/right, then slide the kernel rotated 180° with stride 1.")
        if st.session_state.get("zstep", 1) > z[0].size:
            st.session_state["zstep"] = z[0].size
        out_step = controls.slider("Output cell", "zstep", 1, z[0].size, 1) - 1 if z[0].size > 1 else 0
        out_row, out_col = divmod(out_step, z.shape[2])
        span = [d * (k - 1) + 1 for d, k in zip(dilation, weight.shape[2:], strict=True)]
        first, second, third = st.columns([3, 2, 3])
        with first:
            show_figure(grid_figure(zero.stretched[view_in], title="Stretched and padded input", style=style,
                                    box=(out_row, out_col, *span)))
        with second:
            show_figure(kernel_figure(weight[view_in, view_out % weight.shape[1]], title="Kernel", flipped=True, style=style))
        with third:
            show_figure(grid_figure(z[view_out], title=f"Z[{out_row}, {out_col}] = {z[view_out, out_row, out_col]:g}",
                                    highlight=[(out_row, out_col)], style=style))

if matrix_tab.open:
    with matrix_tab:
        st.caption("W is the convolution matrix of a Conv2d from Z's shape back to X's shape, with the same weight: "
                   "vec(Z) = Wᵀ vec(X).")
        show_figure(matrix_figure(entries, transpose=True, x_vector=x.reshape(-1), y_vector=z.reshape(-1), style=style),
                    width="content")

show_figure(output_figure)
controls.report_url_problems()

with st.expander("Round trip: which convolution this transposed convolution undoes"):
    for axis, n, out, k, s, p, d, op in zip("HW", size, z.shape[1:], weight.shape[2:], stride, padding, dilation,
                                            output_padding, strict=True):
        sizes = conv_input_sizes(n, k, s, p, d)
        st.markdown(f"**{axis}:** Conv2d(k={k}, s={s}, p={p}, d={d}) maps each of {sizes} to {n}; this layer returns "
                    f"{out} (output_padding = {op}). Round trip restores {out}: "
                    f"{'yes' if out in sizes else 'no — output_padding ≥ stride adds extra rows'}.")

from core.torch_check import torch_conv_transpose2d  # noqa: E402 — torch only once there is something to check

verification_line(z, torch_conv_transpose2d(x, weight, **kwargs), "ConvTranspose2d")
csv_download("Z as CSV", array_csv(z), "Z.csv", "z_csv")
pytorch_code_panel(lambda: pytorch_code(x, weight, stride, padding, dilation, groups, output_padding))
