"""Checkerboard artifacts in 1-D: each input's kernel stamp, and the stamp count on every output position.

Distill's picture (Odena, Dumoulin & Olah, 2016), drawn from numbers: the top panel has one row per
input position, with a square on every output position its kernel stamp covers, coloured by the
kernel tap that lands there (the colours of :func:`figures.grids.kernel_figure`); the bottom panel
is a bar per output position, as tall as the number of stamps it receives (the column sums of the
top panel). Both share the x axis, so a bar sits under the stamps that build it.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ._cells import _integer_ticks, _label_px_across, _label_px_down
from .grids import IMAGE_CELLS, grid_figure
from .images import image_grid_figure
from .style import (
    DEFAULT_STYLE,
    SEQUENTIAL_SCALE,
    FigureStyle,
    base_layout,
    fit_title,
    sample_rgb,
    tap_colors,
    value_scale,
)

_GAP_PX = 14.0
# Wider rows are drawn as one step outline: a thousand SVG bars cost the browser tens of ms per redraw.
MAX_BARS = 256


def _label_px(counts: np.ndarray, style: FigureStyle) -> float:
    """The narrowest bar that holds its count printed above it: about 0.6 em per digit, and a margin."""
    return 0.6 * style.font_size * len(str(int(counts.max()))) + 4.0


def _hex(rgb) -> list[str]:
    return [f"#{int(round(r)):02X}{int(round(g)):02X}{int(round(b)):02X}" for r, g, b in rgb]


def overlap_figure(
    counts,
    *,
    stamps=None,
    interior: slice | None = None,
    title: str = "",
    style: FigureStyle = DEFAULT_STYLE,
    width_px: float | None = None,
) -> go.Figure:
    """Stamp counts of a 1-D transposed convolution as bars, optionally under the stamps themselves.

    Parameters
    ----------
    counts : array_like of int, shape (n,)
        Stamps on each output position (``core.checkerboard.overlap_counts_1d``).
    stamps : core.ConvMatrixEntries, optional
        The 1-D layer's ``conv_transpose_matrix_entries`` for a ``(1, 1, n_in)`` input and a
        ``(1, 1, 1, k)`` kernel: entry ``i`` says input ``rows[i]`` stamps tap ``taps[i]`` onto
        output ``cols[i]``. Drawn as the top panel, one row per input position.
    interior : slice, optional
        Output positions away from the borders (``core.checkerboard.overlap_interior``): shaded,
        so the repeating pattern is read where the borders do not thin it out.
    title : str
        Figure title.
    style : FigureStyle
        Sizes and theme.
    width_px : float, optional
        The px the figure may take across (its column), else ``style.page_px``: positions get
        narrower so the figure fits, and a longer title goes on two lines.

    Returns
    -------
    go.Figure
        Trace 0: the bars (``name="counts"``), one per output position (above :data:`MAX_BARS`
        positions, one filled step line through the same heights). Then, with ``stamps``, a
        ``go.Heatmap`` (``name="stamps"``) whose ``z[i, o]`` is the tap input i stamps on output o (NaN: none).
    """
    counts = np.asarray(counts).ravel()
    if counts.size == 0:
        raise ValueError("overlap_figure needs at least one output position.")
    n = counts.size
    title = fit_title(title, style, style.room_px(width_px))
    layout = base_layout(style, title)
    margins = dict(layout["margin"], l=20 + 4.2 * style.font_size, b=16 + 2.6 * style.font_size)
    max_h, max_w = style.max_plot_px[0], style.plot_width_px(margins, width_px)
    cell = min(0.7 * style.cell_px, max_w / n)
    n_inputs = 0 if stamps is None else int(stamps.shape[0])
    row_px = min(cell, 0.5 * style.cell_px, (0.5 * max_h) / max(n_inputs, 1))
    stamps_px = n_inputs * row_px
    bars_px = 7.0 * style.font_size
    gap_px = _GAP_PX if n_inputs else 0.0
    plot_h = stamps_px + gap_px + bars_px

    if n <= MAX_BARS:
        bars = go.Bar(
            x=np.arange(n), y=counts, marker=dict(color=_hex(value_scale(counts, signed=False).rgb(counts)),
                                                  line=dict(width=0)), name="counts", width=0.9,
            text=[str(int(c)) for c in counts] if cell >= _label_px(counts, style) else None, textposition="outside",
            textfont=dict(size=style.font_size, color=style.text_color), cliponaxis=False,
            hovertemplate="output %{x}: %{y} stamp(s)<extra></extra>", xaxis="x", yaxis="y",
        )
    else:  # bars under a pixel wide: one filled step outline draws the same heights as a single path
        bars = go.Scatter(
            x=np.arange(n), y=counts, mode="lines", line=dict(shape="hvh", width=0), fill="tozeroy",
            fillcolor=_hex(sample_rgb(SEQUENTIAL_SCALE, np.array([0.25])))[0], name="counts",
            hovertemplate="output %{x}: %{y} stamp(s)<extra></extra>", xaxis="x", yaxis="y",
        )
    traces = [bars]
    bars_domain = [0.0, bars_px / plot_h]
    axis = dict(showgrid=False, zeroline=False, color=style.text_color)
    top = max(int(counts.max()), 1)
    layout.update(
        height=round(margins["t"] + margins["b"] + plot_h), width=round(margins["l"] + margins["r"] + n * cell),
        margin=margins, bargap=0.1,
        xaxis=dict(axis, range=[-0.5, n - 0.5], title=dict(text="output position"), anchor="y",
                   **_integer_ticks(0, n, cell, _label_px_across(0, n, style))),
        yaxis=dict(axis, domain=bars_domain, range=[0, top * 1.35], title=dict(text="stamps"), dtick=max(1, top // 4)),
    )
    shapes = []
    if interior is not None and interior.stop > interior.start:
        shapes.append(dict(type="rect", xref="x", yref="paper", x0=interior.start - 0.5, x1=interior.stop - 0.5,
                           y0=bars_domain[0], y1=bars_domain[1], fillcolor=style.group_fill, line=dict(width=0),
                           layer="below", name="interior"))
    if n_inputs:
        kernel_size = int(np.prod(stamps.weight_shape))
        taps = np.full((n_inputs, n), np.nan)  # the tap input i stamps on output o; NaN: no stamp
        taps[stamps.rows, stamps.cols] = stamps.taps % kernel_size
        colors = tap_colors(kernel_size, dark=style.dark)
        scale = [[edge / kernel_size, color] for k, color in enumerate(colors) for edge in (k, k + 1)]
        # A heatmap, not pixel-sized markers: its cells follow the axes when Streamlit stretches the figure.
        gap = 2 if min(cell, row_px) >= 8 else 0
        traces.append(go.Heatmap(
            z=taps, x=np.arange(n), y=np.arange(n_inputs), name="stamps", xaxis="x", yaxis="y2", colorscale=scale,
            zmin=-0.5, zmax=kernel_size - 0.5, showscale=False, xgap=gap, ygap=gap, hoverongaps=False,
            hovertemplate="input %{y}, tap %{z} → output %{x}<extra></extra>",
        ))
        layout["yaxis2"] = dict(axis, domain=[(bars_px + gap_px) / plot_h, 1.0], range=[n_inputs - 0.5, -0.5],
                                anchor="x", title=dict(text="input"),
                                **_integer_ticks(0, n_inputs, row_px, _label_px_down(style)))
    layout["shapes"] = shapes
    # One construction: each add_trace / update_* call re-validates the figure and costs milliseconds.
    return go.Figure(data=traces, layout=layout)


def stamp_count_figures(stack, style: FigureStyle = DEFAULT_STYLE,
                        width_px: float | None = None) -> tuple[go.Figure, go.Figure]:
    """The 1-D stamps-and-counts figure (:func:`overlap_figure`) and the 2-D count grid of a
    ``core.checkerboard.OverlapStack``, each within ``width_px`` (their column); a grid of more than
    ``grids.IMAGE_CELLS`` cells is one image."""
    row_figure = overlap_figure(stack.row, stamps=stack.stamps, interior=stack.interior, style=style,
                                title=f"1-D: {stack.size} inputs → {stack.row.size} outputs", width_px=width_px)
    title = f"2-D: stamps per output pixel ({stack.counts.shape[0]}×{stack.counts.shape[1]})"
    if stack.counts.size <= IMAGE_CELLS:
        return row_figure, grid_figure(stack.counts, title=title, style=style, width_px=width_px)
    return row_figure, image_grid_figure([stack.counts], titles=[title], style=style, width_px=width_px)


# Short titles for core.checkerboard.UPSAMPLING_METHODS, in its order.
UPSAMPLING_TITLES = {"transpose_uneven": "transposed, uneven", "transpose_even": "transposed, even",
                     "resize_nearest_conv": "nearest resize + conv", "resize_bilinear_conv": "bilinear resize + conv",
                     "pixel_shuffle": "pixel shuffle"}


def upsampling_figure(results, style: FigureStyle = DEFAULT_STYLE) -> go.Figure:
    """``{method: upsampled picture}`` (``core.checkerboard.upsample_comparison``) as gray tiles, three per row,
    each at its own contrast so a faint grid still shows."""
    return image_grid_figure(tuple(results.values()), titles=tuple(UPSAMPLING_TITLES[m] for m in results),
                             max_columns=3, shared_scale=False, colormap="gray", style=style)


def upsampling_zoom_figure(results, top: int, left: int, size: int, style: FigureStyle = DEFAULT_STYLE) -> go.Figure:
    """The same ``size×size`` window, rows ``top…top+size−1`` and columns ``left…left+size−1``, of every
    upsampled picture, side by side."""
    crops = [image[top:top + size, left:left + size] for image in results.values()]
    return image_grid_figure(crops, titles=tuple(UPSAMPLING_TITLES[m] for m in results), max_columns=5,
                             shared_scale=False, colormap="gray", style=style)
