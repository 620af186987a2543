"""Channels and groups: weight shapes, parameter counts and W's block structure, checked against torch.nn."""

import streamlit as st

from core import ConvConfigError
from core import channels as ch
from core.suggest import nearest_valid
from figures import TEXT_ENTRIES, grid_figure, matrix_figure
from widgets import (
    Controls,
    apply_preset,
    figure_columns,
    figure_once,
    figure_style,
    preset_buttons,
    run_through_dashboard,
    show_figure,
    verification_line,
)

run_through_dashboard()

PRESETS = {"Standard: groups = 1": {"c_in": 4, "c_out": 4, "groups": 1, "k_h": 3, "k_w": 3},
           "Grouped: 2 groups": {"c_in": 4, "c_out": 6, "groups": 2, "k_h": 3, "k_w": 3},
           "Depthwise 3×3 (MobileNet)": {"c_in": 8, "c_out": 8, "groups": 8, "k_h": 3, "k_w": 3},
           "Pointwise 1×1": {"c_in": 8, "c_out": 4, "groups": 1, "k_h": 1, "k_w": 1}}
MAX_DRAWN_ENTRIES = 1_500_000  # W beyond this is a solid block at any zoom, and slow to build


@st.cache_resource(max_entries=32, show_spinner=False)
def measured(layer, c_in, c_out, groups, kernel, size):
    """The numbers from core and from the real torch module, shared by every session."""
    spec = ch.channel_layer(layer, c_in, c_out, groups, kernel)
    return ch.facts(spec, size), ch.torch_facts(spec, size)


@st.cache_resource(max_entries=8, show_spinner=False)
def entries_of(layer, c_in, c_out, groups, kernel, size):
    return ch.matrix_entries(ch.channel_layer(layer, c_in, c_out, groups, kernel), size)


st.title("Channels and groups")
controls = Controls(extra_keys={"uses"})  # the "where groups show up" panel: open or closed (Controls.panel)
with st.sidebar:
    preset_buttons(PRESETS)
    layer = controls.radio("Layer", "layer", ch.LAYERS, help="nn.Conv2d or nn.ConvTranspose2d")
    c_in = controls.slider("In channels", "c_in", 1, 64, 4)
    c_out = controls.slider("Out channels", "c_out", 1, 64, 4)
    groups = controls.slider("Groups", "groups", 1, 64, 2, help="Must divide both channel counts.")
    kernel, size = controls.pairs([("Kernel", "k", 1, 7, 3),  # one pair of columns for both rows
                                   ("Input", "in", 1, 8, 4, "Height and width of the example input (MACs and W).")])
controls.report_url_problems()


def is_valid(c):
    return c["c_in"] % c["groups"] == 0 and c["c_out"] % c["groups"] == 0


try:
    spec = ch.channel_layer(layer, c_in, c_out, groups, kernel)
except ConvConfigError as error:
    keys = ["c_in", "c_out", "groups"]
    controls.show_config_error(error, is_valid, keys=keys)
    if nearest_valid(controls.numbers(), {key: controls.ranges[key] for key in keys}, is_valid) is None:
        fix = {"groups": ch.nearest_groups(c_in, c_out, groups)}  # too far for the step-by-step search
        st.button(f"Use groups = {fix['groups']}", key="apply_groups", on_click=apply_preset, args=(fix,), type="primary")
    st.stop()

ours, theirs = measured(layer, c_in, c_out, groups, kernel, size)
(kh, kw), padding, style = kernel, ch.example_padding(spec), figure_style()
transposed = spec.transposed
first, second = ("C_in", "C_out") if transposed else ("C_out", "C_in")
columns = st.columns(2) * 2  # two per row: a shape like (64, 64, 7, 7) needs a half row at 1280 px
columns[0].metric("weight shape", "(" + ", ".join(map(str, ours["weight_shape"])) + ")", border=True,
                  help=f"({first}, {second}/groups, kh, kw)")
columns[1].metric("parameters", f"{ours['total']:,}", border=True,
                  help=f"{ours['weights']:,} weights + {ours['bias']} biases (one per output channel)")
columns[2].metric("output shape", " × ".join(map(str, ours["output_shape"])), border=True,
                  help=f"For a {c_in}×{size[0]}×{size[1]} input, stride 1, padding {padding}.")
columns[3].metric("MACs (one pass)", f"{ours['macs']:,}", border=True,
                  help="Multiply-accumulates; bias additions not counted. FLOPs ≈ 2 × MACs.")

per_group_in, per_group_out = c_in // groups, c_out // groups
weights = f"{ours['weight_shape'][0]} · {ours['weight_shape'][1]} · {kh} · {kw}"
st.markdown(
    f"**nn.{layer}** stores its weight as **({first}, {second}/groups, kh, kw)** = ({ours['weight_shape'][0]}, "
    f"{c_out if transposed else c_in}/{groups}, {kh}, {kw}). "
    + ("This is the weight of the Conv2d it transposes, which maps C_out back to C_in. " if transposed else "")
    + f"Parameters: {weights} = {ours['weights']:,} weights + {c_out} biases = **{ours['total']:,}**. "
    + (f"With groups = 1 it would be {ours['weights'] * groups:,} weights. " if groups > 1 else "")
    + f"Each weight is used once per {'input' if transposed else 'output'} position: "
    f"{ours['weights']:,} × {ours['macs'] // ours['weights']} = {ours['macs']:,} MACs."
)
verification_line(ch.facts_vector(ours), ch.facts_vector(theirs), layer)
st.caption("Checked on the module itself: weight shape, parameter counts, output shape, MACs (counted by running it "
           "with all-ones weights on all-ones input) and which channels connect (one input channel at a time).")

(left, left_px), (right, right_px) = figure_columns([2, 3], style)
with left:
    st.subheader(f"{groups} group(s): {per_group_in} in → {per_group_out} out each")
    show_figure(figure_once(grid_figure, ours["connectivity"], title="Connected?", style=style,
                            width_px=left_px))
    st.caption(f"Rows: output channels, columns: input channels. Output channel co reads input channel ci only "
               f"when both are in the same group: "
               f"co // {per_group_out} = ci // {per_group_in}. groups = g is g separate convolutions side by side.")
with right:
    bound = ch.matrix_entry_bound(spec, size)
    if bound > MAX_DRAWN_ENTRIES:
        st.info(f"W would have up to {bound:,} entries: too many to draw usefully. Use fewer channels, a smaller "
                "kernel or a smaller input to see it; the connectivity grid shows the same blocks.")
    else:
        entries = entries_of(layer, c_in, c_out, groups, kernel, size)
        st.subheader(("Wᵀ" if transposed else "W") + f": block diagonal with {groups} block(s)")
        # Beyond TEXT_ENTRIES no values are printed: one image shows the same coloured blocks and draws in
        # a fraction of the time 800+ SVG squares take on every slider step (no clicks to report here).
        show_figure(figure_once(matrix_figure, entries, transpose=transposed, style=style, width_px=right_px,
                                max_points=TEXT_ENTRIES), width="content")
        st.caption(("vec(Z) = Wᵀ vec(X)" if transposed else "vec(Y) = W vec(X)") + ": rows and columns come in channel "
                   "blocks; a group's outputs read only its own inputs, so W is zero off the diagonal group blocks. "
                   "Entries are coloured by kernel tap.")

uses = controls.panel("Where groups show up", "uses")
if uses.open:  # built only while open
    uses.markdown(
        "- **groups = 1**: every output channel reads every input channel (the default).\n"
        "- **Grouped convolution**: AlexNet split some layers into 2 groups to spread them over two GPUs; ResNeXt "
        "uses grouped 3×3 convolutions (e.g. 32 groups) in its blocks.\n"
        "- **Depthwise convolution**, groups = C_in (= C_out here): one k×k filter per channel, followed in "
        "MobileNet's depthwise-separable blocks by a 1×1 (pointwise) convolution that mixes the channels.\n"
        "- Parameters and MACs shrink by the factor g; what is lost is mixing between groups."
    )
st.code(f"import torch.nn as nn\n\nlayer = nn.{layer}({c_in}, {c_out}, kernel_size=({kh}, {kw}), padding={padding}, "
        f"groups={groups})\nlayer.weight.shape  # torch.Size({list(theirs['weight_shape'])})\n"
        f"sum(p.numel() for p in layer.parameters())  # {theirs['total']}", language="python", wrap_lines=True)
