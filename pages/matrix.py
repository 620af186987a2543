"""Convolution as a matrix: vec(Y) = W · vec(I), with W drawn from its entries (one per kernel tap)."""

from functools import partial

import streamlit as st

from core import ConvConfigError, conv2d_matrix, conv_matrix_entries
from core.codegen import array_csv, entries_csv, pytorch_code
from core.kernels import layer_tensors
from core.selection import focus, parse_focus
from figures import cell_from_selection, entry_from_selection, grid_figure, kernel_figure, matrix_figure
from figures.hints import selection_hint
from widgets import (
    Controls,
    chart_click,
    column_widths_px,
    csv_download,
    figure_once,
    figure_style,
    layer_controls,
    layer_is_valid,
    pytorch_code_panel,
    run_through_dashboard,
    show_figure,
    url_focus,
    verification_line,
)

run_through_dashboard()


@st.cache_resource(max_entries=32, show_spinner=False)
def layer(x_key, kernel_key, stride, padding, dilation, groups, c_out):
    """Input, weight, W's entries and output for one configuration (shared by every session)."""
    (preset, shape, seed, c_in), (kernel_preset, kernel_size, custom) = x_key, kernel_key
    x, weight = layer_tensors(preset, shape, c_in, kernel_preset, kernel_size, (c_out, c_in // groups), seed, custom)
    entries = conv_matrix_entries(x.shape, weight, stride, padding, dilation, groups)
    return x, weight, entries, conv2d_matrix(x, weight, stride, padding, dilation, groups)


st.title("Convolution as a matrix")
controls = Controls(extra_keys={"sel"})
settings = layer_controls(controls, 64, 4, "lesson", "lesson", 3, where=st.sidebar)
size, stride, padding, dilation = settings.size, settings.stride, settings.padding, settings.dilation
c_in, c_out, groups = settings.c_in, settings.c_out, settings.groups


try:
    x, weight, entries, y = layer((settings.input_preset, size, settings.seed, c_in),
                                  (settings.kernel_preset, settings.kernel_size, settings.custom_key),
                                  stride, padding, dilation, groups, c_out)
except ConvConfigError as error:
    controls.report_url_problems()
    controls.show_config_error(error, layer_is_valid)
    st.stop()

style = figure_style()
view_in = controls.slider("Show input channel", "view_ci", 1, c_in, 1) - 1 if c_in > 1 else 0
view_out = controls.slider("Show output channel", "view_co", 1, c_out, 1) - 1 if c_out > 1 else 0
controls.report_url_problems()
selected = parse_focus(url_focus(), entries)
lit = focus(entries, *selected) if selected else None
in_cells = [(r, c) for ch, r, c in lit.input_cells(x.shape) if ch == view_in] if lit else []
out_cells = [(r, c) for ch, r, c in lit.output_cells(y.shape) if ch == view_out] if lit else []

# Built once per distinct arguments and shared: a slider moved back and forth, or many students on
# the same lesson view, reuse the figures instead of re-validating thousands of plotly properties.
GRID_COLUMNS = [3, 2, 3]  # input, kernel, output
input_px, kernel_px, output_px = column_widths_px(GRID_COLUMNS, style)
input_figure = figure_once(grid_figure, x[view_in], title=f"Input I (channel {view_in + 1})", padding=padding,
                           highlight=tuple(in_cells), style=style, width_px=input_px)
output_figure = figure_once(grid_figure, y[view_out], title=f"Output Y = I ⋆ K (channel {view_out + 1})",
                            highlight=tuple(out_cells), style=style, width_px=output_px)
matrix = figure_once(matrix_figure, entries, highlight_rows=lit.rows if lit else (),
                     highlight_cols=lit.cols if lit else (), x_vector=x.reshape(-1), y_vector=y.reshape(-1),
                     style=style)
st.caption(selection_hint(input_figure, output_figure, matrix))
left, middle, right = st.columns(GRID_COLUMNS)
with left:
    show_figure(input_figure, "input_chart", on_click=partial(
        chart_click, "input_chart",
        lambda s: (lambda cell: cell and f"col:{(view_in * size[0] + cell[0]) * size[1] + cell[1]}")(
            cell_from_selection(s, x.shape[1:]))))
with middle:
    show_figure(figure_once(kernel_figure, weight[view_out, view_in % weight.shape[1]], title="Kernel K", style=style,
                            width_px=kernel_px))
with right:
    show_figure(output_figure, "output_chart", on_click=partial(
        chart_click, "output_chart",
        lambda s: (lambda cell: cell and f"row:{(view_out * y.shape[1] + cell[0]) * y.shape[2] + cell[1]}")(
            cell_from_selection(s, y.shape[1:]))))

count, nonzero = len(entries.rows), entries.nonzero_count  # a kernel's zero taps are entries of W that are 0
st.subheader(f"W: {entries.shape[0]} × {entries.shape[1]}, " + (f"{count:,} nonzero entries" if nonzero == count
             else f"{count:,} kernel-tap entries ({nonzero:,} nonzero)"))
show_figure(matrix, "matrix_chart", on_click=partial(
    chart_click, "matrix_chart",
    lambda s: (lambda n: None if n is None else f"row:{entries.rows[n]}")(entry_from_selection(s, entries))),
    width="content")

from core.torch_check import torch_conv2d  # noqa: E402 — torch only once the page has something to check

verification_line(y, torch_conv2d(x, weight, stride, padding, dilation, groups), "Conv2d")
left, right = st.columns(2)
with left:
    if len(entries.rows) <= 200_000:  # a larger file (4 MB and up) helps nobody; the PyTorch code rebuilds W
        csv_download("W as CSV (row, col, value)", partial(entries_csv, entries), "W.csv", "w_csv")
    else:
        st.caption(f"W has {len(entries.rows):,} entries: too many for a CSV here; the PyTorch code rebuilds it.")
with right:
    csv_download("Y as CSV", partial(array_csv, y), "Y.csv", "y_csv")
pytorch_code_panel(lambda: pytorch_code(x, weight, stride, padding, dilation, groups))
