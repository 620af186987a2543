"""Pictures: filter outputs side by side and input photos, sent to the browser as compressed images.

A 1023×1023 float output is a million numbers; as a PNG inside a ``data:`` URI (``go.Image(source=…)``)
it is a few hundred kB and the browser decodes it natively. Colormapped outputs are written as
palette PNGs (one byte per pixel plus a 256-colour table), about half the size of RGB PNGs and
still lossless, so checkerboard artifacts of a transposed convolution survive exactly.
"""

from __future__ import annotations

import base64
import io
from functools import cache

import cv2
import numpy as np
import plotly.graph_objects as go
from PIL import Image

from ._cells import _fit_font, _format_values, _hover_format
from .style import DEFAULT_STYLE, SEQUENTIAL_SCALE, FigureStyle, base_layout, figure_margins, sample_rgb, value_scale

COLORMAPS = ("cividis", "gray")
_GRAY_SCALE = [[0.0, "rgb(0,0,0)"], [1.0, "rgb(255,255,255)"]]  # linear, like the PNG's gray levels
_PNG_COMPRESSION = 1  # zlib level 1: several times faster than 6, and only ~5 % larger here
_JPEG_QUALITY = 92


def to_uint8(array, lo: float, hi: float) -> np.ndarray:
    """Map ``[lo, hi]`` linearly onto 0–255, clipping outside values and rounding to the nearest level.

    NaN maps to 0. When ``hi <= lo`` (a constant image) everything maps to 0.
    """
    values = np.asarray(array, dtype=np.float64)
    if hi <= lo:
        return np.zeros(values.shape, dtype=np.uint8)
    scaled = (np.nan_to_num(values, nan=lo) - lo) * (255.0 / (hi - lo))
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def encode_png(array_uint8) -> str:
    """A ``data:image/png;base64,…`` URI of a uint8 image, gray ``(H, W)``, RGB ``(H, W, 3)`` or RGBA ``(H, W, 4)``.

    Channels are given in RGB(A) order, as numpy/Pillow/plotly use them; OpenCV's encoder expects
    BGR(A), so they are swapped here and the picture keeps its colours.
    """
    return _data_uri("png", _encode_cv2(".png", array_uint8, [cv2.IMWRITE_PNG_COMPRESSION, _PNG_COMPRESSION]))


def encode_jpeg(array_uint8, quality: int = _JPEG_QUALITY) -> str:
    """A ``data:image/jpeg;base64,…`` URI (lossy, smaller; blurs pixel-level detail), same layouts as :func:`encode_png`."""
    return _data_uri("jpeg", _encode_cv2(".jpg", array_uint8, [cv2.IMWRITE_JPEG_QUALITY, int(quality)]))


def _encode_cv2(extension: str, array_uint8, params: list[int]) -> bytes:
    image = _check_uint8_image(array_uint8)
    if image.ndim == 3 and image.shape[2] == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    elif image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_RGBA2BGRA)
    ok, buffer = cv2.imencode(extension, np.ascontiguousarray(image), params)
    if not ok:
        raise ValueError(f"OpenCV could not encode a {image.shape} image as {extension}.")
    return buffer.tobytes()


def _check_uint8_image(array) -> np.ndarray:
    image = np.asarray(array)
    if image.dtype != np.uint8:
        raise TypeError(f"Expected a uint8 image, got {image.dtype}: convert it with to_uint8(array, lo, hi) first.")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (3, 4))) or image.size == 0:
        raise ValueError(f"Expected an image of shape (H, W), (H, W, 3) or (H, W, 4), got {image.shape}.")
    return image


def _data_uri(kind: str, payload: bytes) -> str:
    return f"data:image/{kind};base64," + base64.b64encode(payload).decode("ascii")


def _encode_indexed_png(levels: np.ndarray, palette_rgb: np.ndarray) -> str:
    """A palette PNG: one byte per pixel indexing a 256-entry RGB table (cv2 cannot write these; Pillow can)."""
    image = Image.frombytes("P", (levels.shape[1], levels.shape[0]), np.ascontiguousarray(levels).tobytes())
    image.putpalette(palette_rgb.astype(np.uint8).ravel().tolist())
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=_PNG_COMPRESSION)
    return _data_uri("png", buffer.getvalue())


@cache
def _palette(colormap: str) -> np.ndarray:
    """256 RGB colours of the colormap; cividis is sampled from plotly's scale so it matches the colour bar."""
    if colormap == "gray":
        return np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
    if colormap == "cividis":
        return np.rint(sample_rgb(SEQUENTIAL_SCALE, np.linspace(0.0, 1.0, 256))).astype(np.uint8)
    raise ValueError(f"Unknown colormap {colormap!r}: choose one of {', '.join(COLORMAPS)}.")


def encode_levels(levels: np.ndarray, colormap: str = "cividis", image_format: str = "png") -> str:
    """A data URI of uint8 gray levels drawn through ``colormap`` (``"cividis"`` or ``"gray"``).

    ``image_format="png"`` (lossless, default) or ``"jpeg"`` (smaller, blurs pixel-level detail).
    """
    palette = _palette(colormap)
    if image_format == "png":
        return encode_png(levels) if colormap == "gray" else _encode_indexed_png(levels, palette)
    if image_format == "jpeg":
        return encode_jpeg(levels if colormap == "gray" else palette[levels])
    raise ValueError(f"Unknown image format {image_format!r}: choose 'png' or 'jpeg'.")


def value_ranges(images, shared_scale: bool) -> list[tuple[float, float]]:
    """Per image ``(lo, hi)``: its own finite min/max, or the min/max over all images when ``shared_scale``."""
    ranges = [_finite_range(image) for image in images]
    if shared_scale and ranges:
        shared = (min(lo for lo, _ in ranges), max(hi for _, hi in ranges))
        return [shared] * len(ranges)
    return ranges


def _finite_range(image) -> tuple[float, float]:
    values = np.asarray(image, dtype=float)
    finite = values[np.isfinite(values)]
    return (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)


def _as_images(images) -> list[np.ndarray]:
    arrays = [np.asarray(image, dtype=float) for image in images]
    for k, array in enumerate(arrays):
        if array.ndim != 2 or array.size == 0:
            raise ValueError(f"Image {k} must be a non-empty 2-D array (one channel), got shape {array.shape}.")
    if not arrays:
        raise ValueError("image_grid_figure needs at least one image.")
    return arrays


def image_grid_figure(
    images,
    *,
    titles,
    shared_scale: bool = True,
    kernels=None,
    style: FigureStyle = DEFAULT_STYLE,
    max_columns: int = 4,
    colormap: str = "cividis",
    image_format: str = "png",
    fit_to_tile: bool = False,
    width_px: float | None = None,
) -> go.Figure:
    """Several one-channel images side by side, e.g. the outputs of ``nn.ConvTranspose2d(1, 4, 2)``.

    Parameters
    ----------
    images : sequence of array_like, each (H, W)
        One float array per output channel; sizes may differ.
    titles : sequence of str
        One subplot title per image (its filter name and shape).
    shared_scale : bool
        Map the same value range (the min/max over all images) to the colours of every image, so
        brightness compares across channels; otherwise each image uses its own min/max.
    kernels : sequence of array_like (kh, kw), optional
        Each channel's kernel, shown as a small annotated heatmap under its image.
    style : FigureStyle
        Sizes and theme.
    max_columns : int
        Images per row.
    colormap : {"cividis", "gray"}
        Cividis is perceptually uniform and colour-blind safe; gray is linear gray levels.
    image_format : {"png", "jpeg"}
        PNG is lossless (palette PNG for cividis); JPEG is smaller but blurs single-pixel patterns.
    fit_to_tile : bool
        Draw each image with at most as many pixels per side as its tile is wide (:func:`fit_to_side`,
        area-averaged): what a screen shows without zooming, several times fewer pixels to send and
        draw for a 1023×1023 output. Axes stay in output pixels (``dx = dy = H/h`` of the drawn
        ``h``), and the value ranges are those of the full images. False draws every pixel.
    width_px : float, optional
        The px the figure may take across (its column), else ``style.page_px``: tiles shrink so a
        row of them fits, and a title wider than its tile wraps onto more lines.

    Returns
    -------
    go.Figure
        One ``go.Image`` per image, in order (trace ``k`` is image ``k``), then the kernel heatmaps,
        then (shared scale only) an invisible ``go.Scatter`` that carries the colour bar.
        ``fig.layout.meta`` holds ``value_ranges`` (one ``[lo, hi]`` per image), ``shared_scale``,
        ``colormap``, ``drawn_shapes`` (the ``[h, w]`` each image is drawn at) and ``tile_px`` (a tile's width).
    """
    arrays = _as_images(images)
    titles = [str(t) for t in titles]
    if len(titles) != len(arrays):
        raise ValueError(f"Got {len(arrays)} images but {len(titles)} titles: give one title per image.")
    kernel_arrays = None if kernels is None else [np.asarray(k, dtype=float) for k in kernels]
    if kernel_arrays is not None and len(kernel_arrays) != len(arrays):
        raise ValueError(f"Got {len(arrays)} images but {len(kernel_arrays)} kernels: give one kernel per image.")
    _palette(colormap)  # fail early on an unknown colormap name

    ranges = value_ranges(arrays, shared_scale)
    tile_px = _GridPlan.tile_width(len(arrays), style, max_columns, shared_scale, width_px)
    titles = [_wrap_tile_title(title, style, tile_px) for title in titles]
    # A line more than the longest title: per-channel ranges go there, else it is the gap above the tiles.
    title_lines = 1 + max(title.count("<br>") + 1 for title in titles)
    plan = _GridPlan.make(arrays, kernel_arrays, style, max_columns, shared_scale, title_lines, width_px)
    traces, annotations, axes, drawn_shapes = [], [], {}, []
    for k, (array, (lo, hi), title) in enumerate(zip(arrays, ranges, titles, strict=True)):
        xref, yref = plan.image_axes(k)
        drawn = fit_to_side(array, round(plan.tile_px)) if fit_to_tile else array
        drawn_shapes.append(list(drawn.shape))
        traces.append(go.Image(source=encode_levels(to_uint8(drawn, lo, hi), colormap, image_format), name=title,
                               xaxis=xref, yaxis=yref, **_output_pixel_axes(array.shape, drawn.shape)))
        axes.update(_square_axes(xref, yref, plan.x_domain(k), plan.image_y_domain(k)))
        subtitle = "" if shared_scale else f"<br><sup>range {_short(lo)} … {_short(hi)}</sup>"
        annotations.append(dict(x=sum(plan.x_domain(k)) / 2, y=plan.image_y_domain(k)[1], xref="paper", yref="paper",
                                text=f"{title}{subtitle}", showarrow=False, xanchor="center", yanchor="bottom",
                                font=dict(size=style.font_size), name="subplot title"))
    for k, kernel in enumerate(kernel_arrays or []):
        xref, yref = plan.kernel_axes(k)
        traces.append(_kernel_heatmap(kernel, plan.kernel_px, plan.tile_px, style).update(xaxis=xref, yaxis=yref))
        axes.update(_square_axes(xref, yref, plan.x_domain(k), plan.kernel_y_domain(k)))
    if shared_scale:
        traces.append(_colorbar_carrier(ranges[0], colormap, style).update(xaxis="x", yaxis="y"))

    layout = base_layout(style, title=None, height=plan.figure_height)
    layout.update(axes, annotations=annotations, width=round(plan.figure_width), margin=plan.margins,
                  meta=dict(value_ranges=[[lo, hi] for lo, hi in ranges], shared_scale=shared_scale, colormap=colormap,
                            drawn_shapes=drawn_shapes, tile_px=round(plan.tile_px)))
    # One construction: each add_trace / update_* call re-validates the figure and costs milliseconds.
    return go.Figure(data=traces, layout=layout)


def fit_to_side(image: np.ndarray, max_side: int) -> np.ndarray:
    """``image`` area-averaged (``cv2.INTER_AREA``) so that its long side is at most ``max_side``.

    A drawn pixel is the mean of the image pixels it covers; the shape becomes
    ``(max(1, round(H·f)), max(1, round(W·f)))`` with ``f = max_side / max(H, W)``. Images that already
    fit come back unchanged.
    """
    height, width = image.shape[:2]
    factor = max_side / max(height, width)
    if factor >= 1.0:
        return image
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return cv2.resize(np.asarray(image, dtype=np.float64), size, interpolation=cv2.INTER_AREA)


def _output_pixel_axes(full_shape, drawn_shape) -> dict:
    """go.Image placement keeping axes in the full image's pixels: drawn pixel ``j`` is centred on
    ``x0 + j·dx`` with ``dx = W / w``, ``x0 = (dx − 1) / 2``, so the picture spans −0.5 … W − 0.5 either way."""
    if tuple(full_shape) == tuple(drawn_shape):
        return dict(hovertemplate="(%{y}, %{x})<extra></extra>")
    dy, dx = full_shape[0] / drawn_shape[0], full_shape[1] / drawn_shape[1]
    return dict(x0=(dx - 1) / 2, dx=dx, y0=(dy - 1) / 2, dy=dy,
                hovertemplate="≈ (%{y:.0f}, %{x:.0f})<extra></extra>")


def _short(value: float) -> str:
    return f"{value + 0.0:.3g}"  # + 0.0 turns −0.0 into 0.0


def _square_axes(xref: str, yref: str, x_domain, y_domain) -> dict:
    """Layout entries for one panel: no ticks or grid, square pixels, row 0 on top."""
    hidden = dict(showticklabels=False, showgrid=False, zeroline=False, showline=False, ticks="")
    x_name, y_name = "xaxis" + xref[1:], "yaxis" + yref[1:]
    return {
        x_name: dict(domain=list(x_domain), anchor=yref, constrain="domain", **hidden),
        y_name: dict(domain=list(y_domain), anchor=xref, scaleanchor=xref, scaleratio=1, constrain="domain",
                     autorange="reversed", **hidden),
    }


def _wrap_tile_title(title: str, style: FigureStyle, tile_px: float) -> str:
    """``title`` wrapped at spaces onto as many lines as it needs to fit over its tile (each ``<br>``
    line on its own); a word longer than a line is cut into line-long pieces, so it cannot run over
    the next tile. Tile titles are plain text, about 0.5 em per character."""
    per_line = max(1, int(tile_px / (0.5 * style.font_size)))
    lines = []
    for text in title.split("<br>"):
        line = ""
        words = [word[i:i + per_line] for word in text.split(" ") for i in range(0, max(len(word), 1), per_line)]
        for word in words:
            if line and len(line) + 1 + len(word) > per_line:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return "<br>".join(lines)


class _GridPlan:
    """Where each image, its title and its kernel go: pixel sizes turned into paper fractions.

    Image ``k`` sits in column ``k % columns`` of tile row ``k // columns``, on axes
    ``x{k+1}``/``y{k+1}``; its kernel just below it, on axes ``x{n+k+1}``/``y{n+k+1}``. The space
    above each tile row holds the titles.
    """

    gap_px = 12.0

    def __init__(self, count: int, columns: int, tile_px: float, image_rows_px: list[float], kernel_px: float,
                 title_lines: int, style: FigureStyle, colorbar: bool):
        self.count, self.columns, self.tile_px = count, columns, tile_px
        self.image_rows_px, self.kernel_px = image_rows_px, kernel_px
        self.title_px = style.font_size * 1.5 * title_lines
        self.margins = self.margins_for(style, colorbar)

    @staticmethod
    def margins_for(style: FigureStyle, colorbar: bool) -> dict:
        margins = figure_margins(style, None)
        margins.update(l=16, t=16, r=16 + (90.0 if colorbar else 0.0), b=16)  # 90 px: colour bar and labels
        return margins

    @classmethod
    def tile_width(cls, count: int, style: FigureStyle, max_columns: int, colorbar: bool,
                   width_px: float | None = None) -> float:
        """A tile's side in px: a row of ``min(count, max_columns)`` tiles fits the figure's room."""
        columns = max(1, min(count, int(max_columns)))
        plot_width = style.plot_width_px(cls.margins_for(style, colorbar), width_px)
        # At least 8 px a tile: a column too narrow for the row gets a figure a little too wide, never a negative size.
        return min(480.0 if style.presentation else 340.0, max(8.0, (plot_width - (columns - 1) * cls.gap_px) / columns))

    @classmethod
    def make(cls, arrays, kernels, style: FigureStyle, max_columns: int, colorbar: bool, title_lines: int,
             width_px: float | None = None) -> _GridPlan:
        columns = max(1, min(len(arrays), int(max_columns)))
        rows = -(-len(arrays) // columns)
        tile = cls.tile_width(len(arrays), style, max_columns, colorbar, width_px)
        # Each tile row is as tall as its tallest image at the tile width.
        image_rows = [tile * max(a.shape[0] / a.shape[1] for a in arrays[r * columns:(r + 1) * columns])
                      for r in range(rows)]
        # Cells of 0.8 of a grid cell, up to 3/4 of a tile: a 2×2 kernel's "-0.23" prints at 12 px on a
        # screen and 17 px on a projector (half a tile gave 9 and 11 px).
        kernel_px = min(tile * 0.75, max(k.shape[0] for k in kernels) * 0.8 * style.cell_px) if kernels else 0.0
        return cls(len(arrays), columns, tile, image_rows, kernel_px, title_lines, style, colorbar)

    def _row_top_px(self, tile_row: int) -> float:
        """Top of a tile row's images, in px from the top of the plot area."""
        above = self.image_rows_px[:tile_row]
        return sum(above) + tile_row * (self.kernel_px + self.gap_px if self.kernel_px else 0.0) + (tile_row + 1) * self.title_px

    @property
    def plot_height(self) -> float:
        last = len(self.image_rows_px) - 1
        bottom = self._row_top_px(last) + self.image_rows_px[last]
        return bottom + (self.gap_px + self.kernel_px if self.kernel_px else 0.0)

    @property
    def plot_width(self) -> float:
        return self.columns * self.tile_px + (self.columns - 1) * self.gap_px

    def _paper_y(self, top_px: float, height_px: float) -> list[float]:
        return [1.0 - (top_px + height_px) / self.plot_height, 1.0 - top_px / self.plot_height]

    def x_domain(self, k: int) -> list[float]:
        left = (k % self.columns) * (self.tile_px + self.gap_px)
        return [left / self.plot_width, (left + self.tile_px) / self.plot_width]

    def image_y_domain(self, k: int) -> list[float]:
        row = k // self.columns
        return self._paper_y(self._row_top_px(row), self.image_rows_px[row])

    def kernel_y_domain(self, k: int) -> list[float]:
        row = k // self.columns
        return self._paper_y(self._row_top_px(row) + self.image_rows_px[row] + self.gap_px, self.kernel_px)

    def image_axes(self, k: int) -> tuple[str, str]:
        return ("x", "y") if k == 0 else (f"x{k + 1}", f"y{k + 1}")

    def kernel_axes(self, k: int) -> tuple[str, str]:
        return f"x{self.count + k + 1}", f"y{self.count + k + 1}"

    @property
    def figure_height(self) -> float:
        return self.margins["t"] + self.margins["b"] + self.plot_height

    @property
    def figure_width(self) -> float:
        return self.margins["l"] + self.margins["r"] + self.plot_width


def _kernel_heatmap(kernel: np.ndarray, height_px: float, width_px: float, style: FigureStyle) -> go.Heatmap:
    """A kernel (≤ 7×7) as an annotated heatmap: few cells, so a heatmap is fine here (no clicks needed)."""
    scale = value_scale(kernel)
    labels = np.array(_format_values(kernel)).reshape(kernel.shape)
    heatmap = go.Heatmap(z=kernel, colorscale=scale.colorscale, zmin=scale.cmin, zmax=scale.cmax, showscale=False,
                         xgap=2, ygap=2, name="kernel",
                         hovertemplate=f"kernel (%{{y}}, %{{x}}) = %{{z{_hover_format(kernel)}}}<extra></extra>")
    cell_px = min(height_px / kernel.shape[0], width_px / kernel.shape[1])
    font = _fit_font(cell_px, labels.ravel(), style.cell_font_size)
    if font:
        heatmap.update(text=labels, texttemplate="%{text}", textfont=dict(size=font))
    return heatmap


def _colorbar_carrier(value_range, colormap: str, style: FigureStyle) -> go.Scatter:
    """An invisible point whose colour bar shows the shared value range (go.Image has no colour bar)."""
    lo, hi = value_range
    scale = _GRAY_SCALE if colormap == "gray" else SEQUENTIAL_SCALE
    return go.Scatter(x=[None], y=[None], mode="markers", hoverinfo="skip", name="colour scale",
                      marker=dict(color=[lo], colorscale=scale, cmin=lo, cmax=hi if hi > lo else lo + 1, showscale=True,
                                  colorbar=dict(thickness=14, outlinewidth=0, tickfont=dict(size=style.font_size))))


def rgb_image_figure(image_hwc_uint8, title: str = "", *, style: FigureStyle = DEFAULT_STYLE,
                     width_px: float | None = None) -> go.Figure:
    """An input picture as one PNG: RGB ``(H, W, 3)``, RGBA ``(H, W, 4)`` or gray ``(H, W)`` uint8,
    shrunk to fit ``width_px`` (its column; else ``style.page_px``) and the style's size cap.

    Returns
    -------
    go.Figure
        Trace 0: a ``go.Image`` whose ``source`` is a PNG data URI; square pixels, no ticks.
    """
    image = _check_uint8_image(image_hwc_uint8)
    height, width = image.shape[:2]
    layout = base_layout(style, title, height=None)
    margins = dict(layout["margin"], l=16)
    max_h, max_w = style.max_plot_px[0], style.plot_width_px(margins, width_px)
    # Shrink big pictures to fit; enlarge tiny ones (≤ 64 px) up to 8× so their pixels can be seen.
    zoom = min(max_w / width, max_h / height, 1.0 if max(height, width) > 64 else 8.0)
    picture = go.Image(source=encode_png(image), name=title or "image", hovertemplate="(%{y}, %{x})<extra></extra>")
    layout.update(
        _square_axes("x", "y", [0.0, 1.0], [0.0, 1.0]), margin=margins,
        height=round(margins["t"] + margins["b"] + height * zoom), width=round(margins["l"] + margins["r"] + width * zoom),
    )
    return go.Figure(data=[picture], layout=layout)
