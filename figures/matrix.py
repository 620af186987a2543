"""The convolution matrix W (or Wᵀ) drawn from its nonzero entries, beside vec(X) and vec(Y).

Each entry is a square marker at ``(x = column, y = row)`` coloured by its kernel tap, in the
colours :func:`figures.grids.kernel_figure` uses, so a tap can be followed from the kernel to
every row of W. W's zeros are simply not drawn. Trace :data:`MATRIX_TRACE` (0) holds the entries
in the order of ``entries.rows``: point ``i`` is entry ``i`` (see :func:`entry_from_selection`).

Three renderings, chosen by the number of entries (the title says which one was used):

- up to :data:`WEBGL_ENTRIES`: SVG markers with the values printed (up to :data:`TEXT_ENTRIES`);
- up to ``max_points``: WebGL markers (``go.Scattergl``), at least 1 px each;
- beyond (20,000 by default, e.g. a 64×64 input's 3844 × 4096 W, whose rows would be a quarter
  of a pixel each): a raster of at most :data:`RASTER_MAX_PX` px a side, each pixel showing the largest tap
  index among the entries it covers, sent as one PNG (``go.Image``). Millions of points would
  freeze the browser, and a dense heatmap of W would be millions of numbers in the page. An image
  reports no clicked point, so a raster W (not Wᵀ) drags a selection box (``dragmode="select"``)
  and the row under the box's centre is the one selected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ._cells import (
    _box_centres,
    _compact_ints,
    _fit_font,
    _format_values,
    _hover_format,
    _integer_ticks,
    _label_px_across,
    _label_px_down,
    _runs,
    _selected_points,
)
from .grids import _outline_width
from .images import encode_png
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

MATRIX_TRACE = 0
WEBGL_ENTRIES = 2000
TEXT_ENTRIES = 300
RASTER_MAX_PX = 1000
VECTOR_TEXT_MAX = 64
_MARKER_FILL = 0.9
_EMPHASIS_MIN_PX = 7.0  # highlighted entries stay visible when W's own markers are 1 px


@dataclass(frozen=True)
class _MatrixView:
    """W or Wᵀ as drawn: entry ``i`` at ``(x = cols[i], y = rows[i])`` of an ``n_rows × n_cols`` matrix.

    Rows and columns come in channel blocks of ``row_block`` / ``col_block`` elements; with
    ``groups > 1`` only the diagonal group blocks hold entries.
    """

    name: str
    rows: np.ndarray
    cols: np.ndarray
    n_rows: int
    n_cols: int
    row_channels: int
    row_block: int
    col_channels: int
    col_block: int
    groups: int


def _matrix_view(entries, transpose: bool) -> _MatrixView:
    c_out, h_out, w_out = entries.output_shape
    c_in, h_in, w_in = entries.input_shape
    groups = max(1, c_in // entries.weight_shape[1])
    n_rows, n_cols = entries.shape
    if transpose:
        return _MatrixView("Wᵀ", entries.cols, entries.rows, n_cols, n_rows, c_in, h_in * w_in, c_out, h_out * w_out, groups)
    return _MatrixView("W", entries.rows, entries.cols, n_rows, n_cols, c_out, h_out * w_out, c_in, h_in * w_in, groups)


@dataclass(frozen=True)
class _MatrixGeometry:
    """Pixel sizes: ``cell`` px per matrix row/column, vector strips ``strip`` px thick."""

    cell: float
    strip: float
    gap: float
    has_x: bool
    has_y: bool
    n_rows: int
    n_cols: int
    margins: dict

    @property
    def matrix_px(self) -> tuple[float, float]:
        return self.n_rows * self.cell, self.n_cols * self.cell

    @property
    def plot_px(self) -> tuple[float, float]:
        height, width = self.matrix_px
        return (height + self.has_x * (self.gap + self.strip), width + self.has_y * (self.gap + self.strip))

    @property
    def marker_size(self) -> float:
        return max(1.0, self.cell * _MARKER_FILL)


def _matrix_geometry(view: _MatrixView, has_x: bool, has_y: bool, style: FigureStyle, title: str,
                     width_px: float | None = None) -> _MatrixGeometry:
    """The largest cell (up to 70 % of a grid cell) at which W and its strips fit the style's size cap
    and, margins included, the px the figure may take across (``style.room_px(width_px)``)."""
    strip = max(26.0, 2.2 * style.font_size)
    gap = 8.0
    margins = figure_margins(style, title)
    # Room for 5-digit tick labels plus an axis title on the left and at the bottom.
    margins.update(l=20 + style.font_size * 4.8, b=20 + style.font_size * 3.4)
    max_h, max_w = style.max_plot_px[0], style.plot_width_px(margins, width_px)
    # At least 1 px for W beside its strips: a column narrower than the strips gets a figure a little too wide,
    # never a negative size.
    cell = min(0.7 * style.cell_px, max(1.0, max_h - has_x * (strip + gap)) / view.n_rows,
               max(1.0, max_w - has_y * (strip + gap)) / view.n_cols)
    return _MatrixGeometry(cell, strip, gap, has_x, has_y, view.n_rows, view.n_cols, margins)


def matrix_figure(
    entries,
    *,
    highlight_rows=(),
    highlight_cols=(),
    x_vector=None,
    y_vector=None,
    transpose: bool = False,
    style: FigureStyle = DEFAULT_STYLE,
    max_points: int = 20_000,
    width_px: float | None = None,
) -> go.Figure:
    """W (or Wᵀ) from its nonzero entries, coloured by kernel tap, with its channel block structure.

    Parameters
    ----------
    entries : core.ConvMatrixEntries
        W's entries, from ``core.conv_matrix_entries`` or ``core.conv_transpose_matrix_entries``.
    highlight_rows, highlight_cols : iterable of int
        Rows / columns of the *drawn* matrix (of Wᵀ when ``transpose``) to band, with their
        entries outlined.
    x_vector : array_like, optional
        vec of the input, one value per drawn column: a strip above the matrix, aligned with it.
    y_vector : array_like, optional
        vec of the output, one value per drawn row: a strip right of the matrix.
    transpose : bool
        Draw Wᵀ (entry ``i`` at ``x = rows[i], y = cols[i]``), for transposed convolution.
    style : FigureStyle
        Sizes and theme.
    max_points : int
        Above this many entries W is drawn as a raster image instead of points.
    width_px : float, optional
        The px the figure may take across (its column), else ``style.page_px``: W's cells shrink
        so the figure fits, and a longer title goes on two lines. Markers have a fixed px size, so
        a figure squeezed into a narrower column would overlap them.

    Returns
    -------
    go.Figure
        Trace :data:`MATRIX_TRACE` (0): the entries, point ``i`` = entry ``i`` (``go.Scatter``, or
        ``go.Scattergl`` above :data:`WEBGL_ENTRIES`, or one ``go.Image`` above ``max_points``).
        Then the x strip and the y strip (``go.Heatmap``, when given), then the outlines of the
        highlighted entries. ``fig.layout.meta`` holds ``rendering`` ("svg", "webgl" or
        "raster"), ``matrix_trace`` and, for a raster, ``raster_shape`` (height, width) in px; a
        raster W (not Wᵀ) has ``layout.dragmode = "select"``.
    """
    view = _matrix_view(entries, transpose)
    x_vector = _check_vector(x_vector, view.n_cols, "x_vector", "columns")
    y_vector = _check_vector(y_vector, view.n_rows, "y_vector", "rows")
    rendering = _rendering(len(entries.rows), max_points)
    spatial_taps = entries.taps % (entries.weight_shape[2] * entries.weight_shape[3])
    colors = tap_colors(entries.weight_shape[2] * entries.weight_shape[3], dark=style.dark)

    if rendering == "raster":
        entry_trace, raster_shape = _raster_trace(view, spatial_taps, colors)
        pooled = raster_shape != (view.n_rows, view.n_cols)  # else one pixel per entry: nothing is pooled
        note = f"raster {raster_shape[0]}×{raster_shape[1]} px" + (", taps max-pooled" if pooled else ", a pixel per entry")
    else:
        entry_trace, raster_shape = None, None
        note = "WebGL points" if rendering == "webgl" else "SVG points"
    room = style.room_px(width_px)
    title = fit_title(f"{view.name}: {view.n_rows:,} × {view.n_cols:,}, {len(entries.rows):,} entries · {note}",
                      style, room)
    geometry = _matrix_geometry(view, x_vector is not None, y_vector is not None, style, title, width_px)
    if entry_trace is None:
        entry_trace = _entry_trace(entries, view, spatial_taps, colors, geometry, rendering, style)

    panels = _panels(geometry)
    traces = [_on(entry_trace, panels["matrix"])]
    if x_vector is not None:
        traces.append(_on(_vector_strip(x_vector, True, geometry, style, "x"), panels["x_strip"]))
    y_label = "Wᵀx" if transpose else "Wx"
    if y_vector is not None:
        traces.append(_on(_vector_strip(y_vector, False, geometry, style, y_label), panels["y_strip"]))
    emphasis = _emphasis_trace(entries, view, highlight_rows, highlight_cols, geometry, rendering, style, max_points)
    if emphasis is not None:
        traces.append(_on(emphasis, panels["matrix"]))

    layout = base_layout(style, title, height=geometry.margins["t"] + geometry.margins["b"] + geometry.plot_px[0])
    # Extra width for a long title goes to the right margin: the plot keeps the size its markers assume.
    width = geometry.margins["l"] + geometry.margins["r"] + geometry.plot_px[1]
    title_room = min(title_width(title, style), room or float("inf"))
    margins = dict(geometry.margins, r=geometry.margins["r"] + max(0.0, title_room - width))
    layout.update(
        _axes_layout(geometry, y_label, style),
        width=round(width + margins["r"] - geometry.margins["r"]), margin=margins,
        shapes=_block_shapes(view, panels["matrix"], style) + _band_shapes(view, panels, highlight_rows, highlight_cols, style),
        meta=dict(rendering=rendering, matrix_trace=MATRIX_TRACE, raster_shape=raster_shape),
    )
    if rendering == "raster" and not transpose:
        # An image reports no clicked point: a dragged box picks W's row instead (entry_from_selection).
        layout.update(dragmode="select")
    # One construction: each add_shape / update_* call re-validates the figure and costs milliseconds.
    return go.Figure(data=traces, layout=layout)


def _rendering(count: int, max_points: int) -> str:
    if count > max_points:
        return "raster"
    return "webgl" if count > WEBGL_ENTRIES else "svg"


def _check_vector(vector, length: int, name: str, what: str) -> np.ndarray | None:
    if vector is None:
        return None
    vector = np.asarray(vector, dtype=float).ravel()
    if vector.size != length:
        raise ValueError(f"{name} has {vector.size} values but the drawn matrix has {length} {what}.")
    return vector


@dataclass(frozen=True)
class _Panel:
    """The axes a panel's traces and shapes refer to."""

    xref: str
    yref: str


def _panels(geometry: _MatrixGeometry) -> dict[str, _Panel]:
    """The matrix on axes x/y; the x strip shares W's x axis itself, the y strip W's y axis.

    Sharing the axis object (not a ``matches`` copy, as make_subplots does) keeps the strips
    aligned with W's columns and rows even when Streamlit stretches the figure or the user zooms.
    """
    panels = {"matrix": _Panel("x", "y")}
    if geometry.has_x:
        panels["x_strip"] = _Panel("x", "y2")
    if geometry.has_y:
        panels["y_strip"] = _Panel("x2", "y")
    return panels


def _on(trace, panel: _Panel):
    return trace.update(xaxis=panel.xref, yaxis=panel.yref)


def _axes_layout(geometry: _MatrixGeometry, y_label: str, style: FigureStyle) -> dict:
    """Axis domains sized in pixels: W at the bottom left, the x strip above it, the y strip to its right.

    Matrix axes are in index units with y reversed; strip axes are reduced to a one-word label.
    """
    plain = dict(showgrid=False, zeroline=False, showline=False, ticks="", tickformat="d")
    plot_h, plot_w = geometry.plot_px
    matrix_h, matrix_w = geometry.matrix_px
    y_range = [geometry.n_rows - 0.5, -0.5]
    axes = dict(
        xaxis=dict(domain=[0.0, matrix_w / plot_w], range=[-0.5, geometry.n_cols - 0.5], anchor="y",
                   title_text="column = input element", **plain,
                   **_integer_ticks(0, geometry.n_cols, geometry.cell, _label_px_across(0, geometry.n_cols, style))),
        yaxis=dict(domain=[0.0, matrix_h / plot_h], range=y_range, anchor="x",
                   title_text="row = output element", **plain,
                   **_integer_ticks(0, geometry.n_rows, geometry.cell, _label_px_down(style))),
    )
    if geometry.has_x:
        axes["yaxis2"] = dict(domain=[(matrix_h + geometry.gap) / plot_h, 1.0], range=[0.5, -0.5], anchor="x",
                              tickmode="array", tickvals=[0], ticktext=["x"], **plain)
    if geometry.has_y:
        axes["xaxis2"] = dict(domain=[(matrix_w + geometry.gap) / plot_w, 1.0], range=[-0.5, 0.5], anchor="y",
                              tickmode="array", tickvals=[0], ticktext=[y_label], **plain)
    return axes


def _discrete_scale(colors: list[str]) -> list[list]:
    """A stepped colour scale: value ``k`` (with ``cmin = −0.5``, ``cmax = n − 0.5``) gets ``colors[k]``."""
    count = len(colors)
    scale = []
    for k, color in enumerate(colors):
        scale += [[k / count, color], [(k + 1) / count, color]]
    return scale


def _entry_trace(entries, view, spatial_taps, colors, geometry, rendering, style):
    """Trace 0: one square per entry at ``(column, row)`` of the drawn matrix, coloured by tap."""
    co, ci, a, b = np.unravel_index(entries.taps, entries.weight_shape)
    # float32 halves the bytes sent for 35 k entries; hover shows 4 significant digits anyway.
    customdata = np.column_stack([entries.values, co, ci, a, b]).astype(np.float32)
    marker = dict(symbol="square", size=geometry.marker_size, color=_compact_ints(spatial_taps),
                  colorscale=_discrete_scale(colors), cmin=-0.5, cmax=len(colors) - 0.5, showscale=False)
    trace_type = go.Scattergl if rendering == "webgl" else go.Scatter
    trace = trace_type(
        x=_compact_ints(view.cols), y=_compact_ints(view.rows), mode="markers", marker=marker, name=view.name,
        customdata=customdata,
        hovertemplate=(f"{view.name}[%{{y}}, %{{x}}] = %{{customdata[0]{_hover_format(entries.values)}}}"
                       "  (tap %{customdata[1]}, %{customdata[2]}, %{customdata[3]}, %{customdata[4]})<extra></extra>"),
    )
    if len(entries.values) <= TEXT_ENTRIES:
        labels = _format_values(entries.values)
        font = _fit_font(geometry.cell, labels, style.cell_font_size)
        if font:
            tap_rgb = np.array([to_rgb(c) for c in colors])[spatial_taps]
            trace.update(mode="markers+text", text=labels, textposition="middle center",
                         textfont=dict(size=font, color=readable_text_colors(tap_rgb).tolist()))
    return trace


def _raster_shape(n_rows: int, n_cols: int) -> tuple[int, int]:
    """At most :data:`RASTER_MAX_PX` a side, same scale on both axes so the raster keeps W's aspect."""
    shrink = max(1.0, max(n_rows, n_cols) / RASTER_MAX_PX)
    return int(np.ceil(n_rows / shrink)), int(np.ceil(n_cols / shrink))


def _rasterize_taps(rows, cols, spatial_taps, shape, raster_shape) -> np.ndarray:
    """Max-pool entries into pixels: ``1 + the largest tap`` per pixel, 0 where W has no entry.

    Parameters
    ----------
    rows, cols : array_like of int
        Entry positions in a matrix of ``shape`` (rows, columns).
    spatial_taps : array_like of int
        Each entry's tap index (its colour).
    shape, raster_shape : (int, int)
        The matrix's and the raster's (height, width).

    Returns
    -------
    np.ndarray, shape ``raster_shape``
        Integer tap labels, 0 for empty pixels.
    """
    height, width = raster_shape
    pixel = (np.asarray(rows, np.int64) * height // shape[0]) * width + np.asarray(cols, np.int64) * width // shape[1]
    labels = np.zeros(height * width, dtype=np.int32)
    np.maximum.at(labels, pixel, np.asarray(spatial_taps, np.int32) + 1)
    return labels.reshape(height, width)


def _raster_trace(view: _MatrixView, spatial_taps, colors) -> tuple[go.Image, tuple[int, int]]:
    """W as one PNG: pixels coloured by their max-pooled tap, transparent where W is zero.

    ``x0``/``dx`` (``y0``/``dy``) place pixel centres in matrix index units, so the axes, the
    block lines and the highlight bands line up with the raster as they do with points.
    """
    raster_shape = _raster_shape(view.n_rows, view.n_cols)
    labels = _rasterize_taps(view.rows, view.cols, spatial_taps, (view.n_rows, view.n_cols), raster_shape)
    palette = np.zeros((len(colors) + 1, 4), dtype=np.uint8)  # label 0: fully transparent
    palette[1:, :3] = np.array([to_rgb(c) for c in colors])
    palette[1:, 3] = 255
    dy, dx = view.n_rows / raster_shape[0], view.n_cols / raster_shape[1]
    image = go.Image(
        source=encode_png(palette[labels]), x0=dx / 2 - 0.5, dx=dx, y0=dy / 2 - 0.5, dy=dy, name=f"{view.name} raster",
        hovertemplate="row ≈ %{y:.0f}, column ≈ %{x:.0f}<extra></extra>",
    )
    return image, raster_shape


def _vector_strip(values: np.ndarray, horizontal: bool, geometry: _MatrixGeometry, style: FigureStyle, label: str):
    """A vector as a one-row (``horizontal``) or one-column heatmap aligned with W's columns or rows."""
    scale = value_scale(values)
    index = np.arange(values.size)
    heatmap = go.Heatmap(
        z=values[None, :] if horizontal else values[:, None],
        x=index if horizontal else [0], y=[0] if horizontal else index,
        colorscale=scale.colorscale, zmin=scale.cmin, zmax=scale.cmax, showscale=False, name=label,
        xgap=1 if geometry.cell >= 6 else 0, ygap=1 if geometry.cell >= 6 else 0,
        hovertemplate=f"{label}[%{{{'x' if horizontal else 'y'}}}] = %{{z{_hover_format(values)}}}<extra></extra>",
    )
    if values.size <= VECTOR_TEXT_MAX:
        labels = np.array(_format_values(values))
        along = geometry.cell
        font = _fit_font(along if horizontal else geometry.strip, labels, style.cell_font_size * 0.85)
        font = min(font, 0.62 * along) if font else None
        if font and font >= 9:
            heatmap.update(text=labels[None, :] if horizontal else labels[:, None], texttemplate="%{text}",
                           textfont=dict(size=font))
    return heatmap


def _block_shapes(view: _MatrixView, panel: _Panel, style: FigureStyle) -> list[dict]:
    """Thin lines between channel blocks; shaded diagonal blocks when groups make W block-diagonal."""
    refs = dict(xref=panel.xref, yref=panel.yref)
    line = dict(color=style.separator_color, width=max(1.0, style.line_width * 0.7))
    right, bottom = view.n_cols - 0.5, view.n_rows - 0.5
    shapes = [dict(type="line", x0=-0.5, x1=right, y0=k * view.row_block - 0.5, y1=k * view.row_block - 0.5,
                   line=line, name="channel rows", **refs) for k in range(1, view.row_channels)]
    shapes += [dict(type="line", x0=k * view.col_block - 0.5, x1=k * view.col_block - 0.5, y0=-0.5, y1=bottom,
                    line=line, name="channel cols", **refs) for k in range(1, view.col_channels)]
    if view.groups > 1:
        rows_per_group = view.row_channels // view.groups * view.row_block
        cols_per_group = view.col_channels // view.groups * view.col_block
        shapes += [dict(type="rect", x0=g * cols_per_group - 0.5, x1=(g + 1) * cols_per_group - 0.5,
                        y0=g * rows_per_group - 0.5, y1=(g + 1) * rows_per_group - 0.5, fillcolor=style.group_fill,
                        line=dict(width=0), layer="below", name="group block", **refs) for g in range(view.groups)]
    return shapes


def _band_shapes(view: _MatrixView, panels: dict[str, _Panel], highlight_rows, highlight_cols, style) -> list[dict]:
    """Translucent outlined bands behind highlighted rows and columns, continued across the strips."""
    band = dict(type="rect", fillcolor=style.band_fill, layer="below",
                line=dict(color=style.highlight_color, width=style.line_width))
    matrix = panels["matrix"]
    shapes = []
    for first, last in _runs(highlight_rows):
        span = dict(y0=first - 0.5, y1=last + 0.5, name="row band")
        shapes.append(dict(band, x0=-0.5, x1=view.n_cols - 0.5, xref=matrix.xref, yref=matrix.yref, **span))
        if "y_strip" in panels:
            shapes.append(dict(band, x0=-0.5, x1=0.5, xref=panels["y_strip"].xref, yref=panels["y_strip"].yref, **span))
    for first, last in _runs(highlight_cols):
        span = dict(x0=first - 0.5, x1=last + 0.5, name="column band")
        shapes.append(dict(band, y0=-0.5, y1=view.n_rows - 0.5, xref=matrix.xref, yref=matrix.yref, **span))
        if "x_strip" in panels:
            shapes.append(dict(band, y0=-0.5, y1=0.5, xref=panels["x_strip"].xref, yref=panels["x_strip"].yref, **span))
    return shapes


def _emphasis_trace(entries, view, highlight_rows, highlight_cols, geometry, rendering, style, max_points):
    """Open squares around the entries of the highlighted rows/columns, or None when there are none.

    Over points they ignore the mouse so clicks reach trace 0; over a raster they carry the
    entries' hover labels, the only per-entry hover left.
    """
    chosen = np.isin(view.rows, np.asarray(list(highlight_rows), dtype=np.int64))
    chosen |= np.isin(view.cols, np.asarray(list(highlight_cols), dtype=np.int64))
    index = np.flatnonzero(chosen)[:max_points]
    if index.size == 0:
        return None
    trace_type = go.Scattergl if index.size > WEBGL_ENTRIES else go.Scatter
    marker = dict(symbol="square-open", size=max(geometry.marker_size, _EMPHASIS_MIN_PX), color=style.highlight_color,
                  line=dict(color=style.highlight_color, width=_outline_width(style) * 0.8))
    trace = trace_type(x=view.cols[index], y=view.rows[index], mode="markers", marker=marker, name="highlighted entries",
                       hoverinfo="skip")
    if rendering == "raster":
        co, ci, a, b = np.unravel_index(entries.taps[index], entries.weight_shape)
        trace.update(hoverinfo=None, customdata=np.column_stack([entries.values[index], co, ci, a, b]),
                     hovertemplate=(f"{view.name}[%{{y}}, %{{x}}] = %{{customdata[0]:.4~g}}"
                                    "  (tap %{customdata[1]}, %{customdata[2]}, %{customdata[3]}, %{customdata[4]})"
                                    "<extra></extra>"))
    return trace


def entry_from_selection(selection, entries) -> int | None:
    """The index of the W entry a Streamlit click selected, or None.

    Parameters
    ----------
    selection : dict
        What ``st.plotly_chart(matrix_figure(...), on_select="rerun")`` returns, or its
        ``selection`` part.
    entries : core.ConvMatrixEntries
        The entries the figure was drawn from.

    Returns
    -------
    int or None
        ``i`` such that the click hit ``W[entries.rows[i], entries.cols[i]]``. Without a clicked
        point of trace :data:`MATRIX_TRACE` (W drawn as a raster takes a dragged box instead, see
        ``layout.dragmode``): for the first box over W itself, with mid-point ``(x̄, ȳ)``, the entry
        of row ``round(ȳ)`` whose column is nearest ``x̄``. None when neither hits an entry (strips
        and outlines are ignored, and so are boxes over the strips).
    """
    for index, _ in _selected_points(selection, MATRIX_TRACE):
        if index is not None and 0 <= index < len(entries.rows):
            return index
    for x, y in _box_centres(selection):
        in_row = np.flatnonzero(entries.rows == int(round(y)))
        if in_row.size:
            return int(in_row[np.argmin(np.abs(entries.cols[in_row] - x))])
    return None
