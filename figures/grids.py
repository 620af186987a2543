"""2-D arrays drawn as grids of clickable square cells: inputs, outputs and kernels.

Cells are ``go.Scatter`` markers with ``marker_symbol="square"``, not a ``go.Heatmap``: Streamlit
reports clicks (``on_select="rerun"``) on scatter points only. Cell ``(r, c)`` sits at
``x = c, y = r`` with the y axis reversed, so the picture reads like the array. Trace
:data:`CELL_TRACE` (0) holds the real cells in row-major order: point ``i`` is cell
``divmod(i, W)``; padding, highlights and outlines come after it.

Above :data:`IMAGE_CELLS` cells (a 64×64 input) the cells are one ``go.Heatmap`` instead: a
browser without a GPU spends about 0.3 s per update on every WebGL scatter figure, and thousands of
SVG markers cost more. Plotly reports no clicks on heatmaps, so such a figure selects by dragging
a small box (``dragmode="select"``, Streamlit's ``selection_mode="box"``): the cell under the
box's centre is the one selected (:func:`cell_from_selection`). :func:`selects_by_box` tells which.

Marker sizes are in pixels, so each figure sets its own height and width from the grid size and
keeps the plot square (``scaleanchor``): a cell of side ``cell`` px gets a marker of 92 % of that,
leaving a thin gap that reads as grid lines. If Streamlit stretches the figure to the page width
the x axis domain shrinks back (``constrain="domain"``), so cells stay the size of their markers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ._cells import (
    _box_centres,
    _fit_font,
    _format_values,
    _hover_format,
    _integer_ticks,
    _label_px_across,
    _label_px_down,
    _selected_points,
)
from .style import (
    DEFAULT_STYLE,
    FigureStyle,
    base_layout,
    figure_margins,
    fit_title,
    readable_text_colors,
    tap_colors,
    title_width,
    to_rgb,
    value_scale,
)

CELL_TRACE = 0
# Above this many cells, one heatmap draws them (see the module docstring); a box drag selects.
IMAGE_CELLS = 2500
_MARKER_FILL = 0.92  # marker side / cell side: the gap between markers reads as grid lines
_COLORBAR_PX = 90.0  # right margin taken by a colour bar and its tick labels
_MIN_DASHED_CELL_PX = 20.0  # smaller padding cells get one dashed outline around the ring, not one each


@dataclass(frozen=True)
class _GridGeometry:
    """Pixel layout of a grid of ``height × width`` cells with a ring of padding cells."""

    height: int
    width: int
    pad_h: int
    pad_w: int
    cell: float
    margins: dict

    @property
    def shown_rows(self) -> int:
        return self.height + 2 * self.pad_h

    @property
    def shown_cols(self) -> int:
        return self.width + 2 * self.pad_w

    @property
    def marker_size(self) -> float:
        return max(1.0, self.cell * _MARKER_FILL)

    @property
    def figure_height(self) -> float:
        return self.margins["t"] + self.margins["b"] + self.shown_rows * self.cell

    @property
    def figure_width(self) -> float:
        return self.margins["l"] + self.margins["r"] + self.shown_cols * self.cell


def _grid_geometry(shape, padding, style: FigureStyle, title: str | None, extra_right: float = 0.0,
                   width_px: float | None = None) -> _GridGeometry:
    """Cell size: the style's preferred size, shrunk so the whole padded grid fits the size cap and,
    with ``width_px``, so the whole figure (margins included) fits that many px across."""
    height, width = shape
    pad_h, pad_w = (int(p) for p in _as_pair(padding))
    margins = figure_margins(style, title)
    margins["r"] += extra_right
    max_h, max_w = style.max_plot_px[0], style.plot_width_px(margins, width_px)
    cell = min(style.cell_px, max_h / (height + 2 * pad_h), max_w / (width + 2 * pad_w))
    return _GridGeometry(height, width, pad_h, pad_w, cell, margins)


def _as_pair(value) -> tuple[int, int]:
    pair = tuple(np.atleast_1d(value).tolist())
    return (pair[0], pair[0]) if len(pair) == 1 else (pair[0], pair[1])


def _as_grid(values) -> np.ndarray:
    grid = np.asarray(values, dtype=float)
    if grid.ndim != 2 or grid.size == 0:
        raise ValueError(f"A grid figure needs a non-empty 2-D array, got shape {grid.shape}.")
    return grid


def _row_major_xy(height: int, width: int, top: int = 0, left: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Cell centres in row-major order: point ``i`` is cell ``divmod(i, width)``."""
    return np.tile(np.arange(left, left + width), height), np.repeat(np.arange(top, top + height), width)


def grid_figure(
    values,
    *,
    title: str = "",
    padding=(0, 0),
    highlight=(),
    box=None,
    show_values: bool | None = None,
    signed: bool | None = None,
    style: FigureStyle = DEFAULT_STYLE,
    max_text_cells: int = 400,
    width_px: float | None = None,
) -> go.Figure:
    """A 2-D array as a grid of clickable square cells.

    Parameters
    ----------
    values : array_like, shape (H, W)
        The numbers to draw; cell ``(r, c)`` is at ``x = c, y = r`` (y axis reversed).
    title : str
        Figure title.
    padding : int or (int, int)
        ``(ph, pw)``: a ring of padding cells (value 0) drawn around the grid at rows
        ``−ph … H+ph−1`` and columns ``−pw … W+pw−1``, grey with dashed outlines.
    highlight : iterable of (int, int)
        Cells ``(r, c)`` to outline, in input coordinates (padding cells allowed).
    box : (top, left, height, width) or list of them, optional
        Rectangles to outline, e.g. a kernel window or the crop window of a transposed convolution.
    show_values : bool, optional
        Print the values in the cells. Default: when ``H·W ≤ max_text_cells``.
    signed : bool, optional
        Diverging colour scale centred at 0 (PuOr) instead of sequential (cividis). Default: when
        any value is negative.
    style : FigureStyle
        Sizes and theme.
    max_text_cells : int
        Largest grid whose values are printed by default.
    width_px : float, optional
        The px the figure may take across (its column's width; else ``style.page_px``): cells
        shrink so the figure fits, and a longer title goes on two lines. Cells are drawn as markers of a fixed px size, so a
        figure squeezed into a narrower column would overlap them.

    Returns
    -------
    go.Figure
        Trace 0 (:data:`CELL_TRACE`): the ``H·W`` cells, row-major (one ``go.Heatmap`` with
        ``z = values`` above :data:`IMAGE_CELLS` cells, selected by a box drag). Then, when
        present: the padding ring (``name="padding"``) and the highlight outline
        (``name="highlight halo"``, ``name="highlight"``).
    """
    grid = _as_grid(values)
    as_image = grid.size > IMAGE_CELLS
    if show_values is None:
        show_values = grid.size <= max_text_cells
    show_values = show_values and not as_image  # numbers in 7-px cells are unreadable anyway
    title = fit_title(title, style, style.room_px(width_px))
    geometry = _grid_geometry(grid.shape, padding, style, title, extra_right=0.0 if show_values else _COLORBAR_PX,
                              width_px=width_px)
    scale = value_scale(grid, signed)
    traces = [_value_image(grid, scale, style) if as_image else _value_cells(grid, geometry, scale, show_values, style)]
    shapes = []
    if geometry.pad_h or geometry.pad_w:
        traces.append(_padding_image(geometry, style) if as_image else _padding_trace(geometry, show_values, style))
        shapes += _padding_outlines(geometry, style, max_text_cells)
    traces += _outline_traces(highlight, geometry.marker_size, style)
    for rectangle in _as_boxes(box):
        shapes += _box_shapes(rectangle, style)
    layout = _grid_layout(geometry, style, title, shapes, width_px)
    if as_image:
        layout["dragmode"] = "select"
    # One construction: each add_shape / update_* call re-validates the figure and costs milliseconds.
    return go.Figure(data=traces, layout=layout)


def selects_by_box(figure: go.Figure) -> bool:
    """Whether a grid figure is selected by dragging a box (its cells are a heatmap) rather than a click."""
    return figure.layout.dragmode == "select"


def _grid_layout(geometry: _GridGeometry, style: FigureStyle, title: str | None, shapes: list[dict],
                 width_px: float | None = None) -> dict:
    """Layout for the grid: its pixel size (room for the title, within ``width_px`` when given), square
    cells, uncluttered integer axes and the shapes."""
    axis = dict(showgrid=False, zeroline=False, showline=False, ticks="", constrain="domain", tickformat="d")
    layout = base_layout(style, title, height=geometry.figure_height)
    layout.update(
        # A wider figure (long title, or Streamlit's stretch) only centres the grid: x shrinks back to square cells.
        width=round(max(geometry.figure_width, min(title_width(title, style), style.room_px(width_px) or float("inf")))),
        margin=geometry.margins,
        xaxis=dict(range=[-geometry.pad_w - 0.5, geometry.width + geometry.pad_w - 0.5], side="top", **axis,
                   **_integer_ticks(-geometry.pad_w, geometry.width + geometry.pad_w, geometry.cell,
                                    _label_px_across(-geometry.pad_w, geometry.width + geometry.pad_w, style))),
        yaxis=dict(range=[geometry.height + geometry.pad_h - 0.5, -geometry.pad_h - 0.5], scaleanchor="x", scaleratio=1,
                   **axis, **_integer_ticks(-geometry.pad_h, geometry.height + geometry.pad_h, geometry.cell,
                                            _label_px_down(style))),
        shapes=shapes,
    )
    return layout


def _value_cells(grid: np.ndarray, geometry: _GridGeometry, scale, show_values: bool, style: FigureStyle):
    """Trace 0: one square marker per cell, coloured by value, row-major."""
    x, y = _row_major_xy(*grid.shape)
    flat = grid.ravel()
    marker = dict(symbol="square", size=geometry.marker_size, color=flat, colorscale=scale.colorscale,
                  cmin=scale.cmin, cmax=scale.cmax, showscale=not show_values)
    if not show_values:
        marker["colorbar"] = dict(thickness=14, outlinewidth=0, tickfont=dict(size=style.font_size))
    trace = go.Scatter(
        x=x, y=y, mode="markers", marker=marker, customdata=flat, name="cells",
        hovertemplate=f"(%{{y}}, %{{x}}) = %{{customdata{_hover_format(flat)}}}<extra></extra>",
    )
    labels = _format_values(flat) if show_values else []
    font = _fit_font(geometry.cell, labels, style.cell_font_size) if labels else None
    if font:
        trace.update(mode="markers+text", text=labels, textposition="middle center",
                     textfont=dict(size=font, color=readable_text_colors(scale.rgb(flat)).tolist()))
    return trace


def _value_image(grid: np.ndarray, scale, style: FigureStyle) -> go.Heatmap:
    """Trace 0 of a large grid: the cells as one heatmap, cell ``(r, c)`` at ``x = c, y = r``."""
    height, width = grid.shape
    return go.Heatmap(
        z=grid, x=np.arange(width), y=np.arange(height), colorscale=scale.colorscale, zmin=scale.cmin,
        zmax=scale.cmax, name="cells", colorbar=dict(thickness=14, outlinewidth=0, tickfont=dict(size=style.font_size)),
        hovertemplate=f"(%{{y}}, %{{x}}) = %{{z{_hover_format(grid)}}}<extra></extra>",
    )


def _padding_image(geometry: _GridGeometry, style: FigureStyle) -> go.Heatmap:
    """The padding ring of a large grid: a one-colour heatmap, empty (NaN, transparent) over the real cells."""
    ring = np.zeros((geometry.shown_rows, geometry.shown_cols))
    ring[geometry.pad_h:geometry.pad_h + geometry.height, geometry.pad_w:geometry.pad_w + geometry.width] = np.nan
    return go.Heatmap(
        z=ring, x=np.arange(-geometry.pad_w, geometry.width + geometry.pad_w),
        y=np.arange(-geometry.pad_h, geometry.height + geometry.pad_h), name="padding",
        colorscale=[[0, style.padding_fill], [1, style.padding_fill]], showscale=False, hoverongaps=False,
        hovertemplate="(%{y}, %{x}) = 0  (padding)<extra></extra>",
    )


def _padding_ring(geometry: _GridGeometry) -> tuple[np.ndarray, np.ndarray]:
    """``(rows, cols)`` of the padding cells around the grid, row-major."""
    rows = np.arange(-geometry.pad_h, geometry.height + geometry.pad_h)
    cols = np.arange(-geometry.pad_w, geometry.width + geometry.pad_w)
    rr, cc = np.meshgrid(rows, cols, indexing="ij")
    ring = (rr < 0) | (rr >= geometry.height) | (cc < 0) | (cc >= geometry.width)
    return rr[ring], cc[ring]


def _padding_trace(geometry: _GridGeometry, show_values: bool, style: FigureStyle) -> go.Scatter:
    """The padding ring: grey cells with a small faint 0."""
    rows, cols = _padding_ring(geometry)
    trace = go.Scatter(
        x=cols, y=rows, mode="markers", name="padding",
        marker=dict(symbol="square", size=geometry.marker_size, color=style.padding_fill),
        hovertemplate="(%{y}, %{x}) = 0  (padding)<extra></extra>",
    )
    font = _fit_font(geometry.cell, ["0"], 0.7 * style.cell_font_size) if show_values else None
    if font:
        trace.update(mode="markers+text", text=["0"] * rows.size, textposition="middle center",
                     textfont=dict(size=font, color=style.muted_color))
    return trace


def _padding_outlines(geometry: _GridGeometry, style: FigureStyle, max_outlined: int) -> list[dict]:
    """A dashed outline per padding cell, or one around the whole ring when the cells are too many or too small."""
    rows, cols = _padding_ring(geometry)
    dashed = dict(color=style.muted_color, width=max(1.0, style.line_width * 0.8), dash="dash")
    if rows.size <= max_outlined and geometry.cell >= _MIN_DASHED_CELL_PX:
        half = _MARKER_FILL / 2
        return [dict(type="rect", x0=c - half, x1=c + half, y0=r - half, y1=r + half, line=dashed, name="padding outline")
                for r, c in zip(rows.tolist(), cols.tolist(), strict=True)]
    return [dict(type="rect", x0=-geometry.pad_w - 0.5, x1=geometry.width + geometry.pad_w - 0.5,
                 y0=-geometry.pad_h - 0.5, y1=geometry.height + geometry.pad_h - 0.5, line=dashed, name="padding outline")]


def _outline_width(style: FigureStyle) -> float:
    return max(2.5, 2 * style.line_width)


def _outline_traces(cells, marker_size: float, style: FigureStyle, xref: str = "x", yref: str = "y") -> list[go.Scatter]:
    """Thick outlines around cells ``(r, c)``: a halo trace and an outline trace on top of it.

    Open symbols take their stroke colour from ``marker.color``, so both colour settings are set.
    The outline is black over a white halo (white over black in the dark theme), visible on every
    fill colour. Both ignore the mouse (``hoverinfo="skip"``) so a click reaches the cell below.
    Returns no traces when ``cells`` is empty.
    """
    coords = np.asarray(list(cells), dtype=float).reshape(-1, 2)
    if coords.size == 0:
        return []
    width = _outline_width(style)
    common = dict(x=coords[:, 1], y=coords[:, 0], mode="markers", hoverinfo="skip", xaxis=xref, yaxis=yref)
    return [
        go.Scatter(**common, name="highlight halo",
                   marker=dict(symbol="square-open", size=marker_size, color=style.halo_color,
                               line=dict(width=width + 4, color=style.halo_color))),
        go.Scatter(**common, name="highlight",
                   marker=dict(symbol="square-open", size=marker_size, color=style.highlight_color,
                               line=dict(width=width, color=style.highlight_color))),
    ]


def _as_boxes(box) -> list[tuple[float, float, float, float]]:
    """``None``, one ``(top, left, height, width)`` or a list of them → a list of them."""
    if box is None:
        return []
    array = np.asarray(box, dtype=float)
    if array.size == 0:
        return []
    return [tuple(row) for row in array.reshape(-1, 4)]


def _box_shapes(rectangle, style: FigureStyle) -> list[dict]:
    """A vermillion rectangle over a halo around the cells ``top … top+height−1``, ``left … left+width−1``."""
    top, left, height, width = rectangle
    corners = dict(type="rect", x0=left - 0.5, x1=left + width - 0.5, y0=top - 0.5, y1=top + height - 0.5, layer="above")
    line_width = _outline_width(style)
    return [dict(corners, line=dict(color=style.halo_color, width=line_width + 4), name="box halo"),
            dict(corners, line=dict(color=style.box_color, width=line_width), name="box")]


def cell_from_selection(selection, shape) -> tuple[int, int] | None:
    """The grid cell a Streamlit click selected, or None.

    Parameters
    ----------
    selection : dict
        What ``st.plotly_chart(fig, on_select="rerun")`` returns (``{"selection": {...}}``) or its
        ``selection`` part, with ``points`` (each with ``curve_number`` and ``point_index`` or
        ``point_number``, ``x``, ``y``) and ``point_indices``.
    shape : tuple
        The grid's shape; its last two entries are ``(H, W)``.

    Returns
    -------
    (int, int) or None
        ``(row, col)`` of the first selected point of trace 0 (the real cells); when no point of
        trace 0 is selected, the cell under the centre of the first dragged box (a heatmap grid,
        see :func:`selects_by_box`): ``(round(ȳ), round(x̄))`` with ``x̄, ȳ`` the box's mid-point.
        None when neither is inside the grid (padding and outline traces are ignored).
    """
    height, width = (int(n) for n in tuple(shape)[-2:])
    for index, point in _selected_points(selection, CELL_TRACE):
        if index is None:
            index = _index_from_xy(point, height, width)
        if index is not None and 0 <= index < height * width:
            row, col = divmod(index, width)
            return int(row), int(col)
    for x, y in _box_centres(selection):
        index = _index_from_xy({"x": x, "y": y}, height, width)
        if index is not None:
            return divmod(index, width)
    return None


def _index_from_xy(point, height: int, width: int) -> int | None:
    """Fallback for a point without an index: its coordinates are ``x = col, y = row``."""
    try:
        col, row = int(round(float(point["x"]))), int(round(float(point["y"])))
    except (KeyError, TypeError, ValueError):
        return None
    return row * width + col if 0 <= row < height and 0 <= col < width else None


def kernel_figure(kernel, *, title: str = "Kernel", flipped: bool = False, style: FigureStyle = DEFAULT_STYLE,
                  width_px: float | None = None) -> go.Figure:
    """A small kernel as a grid of cells coloured by tap, in the same colours as the matrix figure.

    Parameters
    ----------
    kernel : array_like, shape (kh, kw)
        The kernel values.
    title : str
        Figure title; " (rotated 180°)" is appended when ``flipped``.
    flipped : bool
        Draw the kernel rotated by 180° (as zero-insertion convolves it); each value keeps the
        colour of its tap, so the eye can follow a weight to its new place.
    style : FigureStyle
        Sizes and theme.
    width_px : float, optional
        The px the figure may take across, as in :func:`grid_figure`.

    Returns
    -------
    go.Figure
        Trace 0: the ``kh·kw`` cells of the drawn (possibly flipped) kernel, row-major. Tap
        ``a·kw + b`` of the original kernel has colour ``tap_colors(kh·kw)[a·kw + b]``.
    """
    kernel = _as_grid(kernel)
    kh, kw = kernel.shape
    taps = np.arange(kh * kw).reshape(kh, kw)
    if flipped:
        kernel, taps = kernel[::-1, ::-1], taps[::-1, ::-1]
        title = f"{title} (rotated 180°)"
    colors = np.array(tap_colors(kh * kw, dark=style.dark))[taps.ravel()]
    title = fit_title(title, style, style.room_px(width_px))
    geometry = _grid_geometry(kernel.shape, 0, style, title, width_px=width_px)
    x, y = _row_major_xy(kh, kw)
    flat = kernel.ravel()
    labels = _format_values(flat)
    font = _fit_font(geometry.cell, labels, style.cell_font_size)
    cells = go.Scatter(
        x=x, y=y, mode="markers+text" if font else "markers", name="kernel",
        marker=dict(symbol="square", size=geometry.marker_size, color=colors.tolist()),
        text=labels if font else None, textposition="middle center",
        textfont=dict(size=font or style.cell_font_size,
                      color=readable_text_colors([to_rgb(c) for c in colors]).tolist()),
        customdata=np.column_stack([flat, *np.divmod(taps.ravel(), kw)]),
        hovertemplate=(f"(%{{y}}, %{{x}}) = %{{customdata[0]{_hover_format(flat)}}}"
                       "  (tap %{customdata[1]}, %{customdata[2]})<extra></extra>"),
    )
    return go.Figure(data=[cells], layout=_grid_layout(geometry, style, title, shapes=[], width_px=width_px))
