"""The shared look of every ConvLab figure: sizes for a laptop or a lecture hall, colour-blind-safe colours.

Colour choices
--------------
- Kernel taps: the Okabe–Ito palette (:data:`TAP_COLORS`), eight hues chosen to stay distinct
  under the common colour-vision deficiencies, when a kernel has at most 8 taps; beyond that a
  perceptually uniform scale (cividis) sampled once per tap, so neighbouring taps get neighbouring
  shades instead of arbitrary repeated hues.
- Values ≥ 0: ``"Cividis"``, perceptually uniform and designed to read the same with and without
  red–green colour blindness.
- Signed values: ``"PuOr"`` (ColorBrewer purple–orange), centred at 0. ColorBrewer marks it
  colour-blind safe; its two arms differ along the blue–yellow axis that red–green colour-blind
  viewers keep, and its midpoint is a neutral near-white, so a zero reads as "nothing". RdBu's
  red arm darkens towards the same brown as its blue arm for protanopes, BrBG's two arms are of
  similar lightness, and Tealrose's midpoint is tinted, so a zero does not look neutral.
  In plotly's orientation negative values are orange and positive values purple.

Text printed on a coloured cell is black or white, whichever contrasts more with that cell's
colour (WCAG relative luminance), so numbers stay legible in the light and the dark theme.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import plotly.colors as pc
import plotly.graph_objects as go

# Okabe & Ito (2008), "Color Universal Design": orange, sky blue, bluish green, yellow, blue,
# vermillion, reddish purple, black.
TAP_COLORS: tuple[str, ...] = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#000000",
)
SEQUENTIAL_SCALE = "Cividis"
DIVERGING_SCALE = "PuOr"

# Okabe–Ito's black vanishes on a dark page; this grey takes its place in the dark theme.
_DARK_THEME_BLACK_TAP = "#BBBBBB"
# WCAG: black text contrasts more than white text with any colour brighter than this luminance.
_LUMINANCE_SPLIT = 0.179


@dataclass(frozen=True)
class FigureStyle:
    """Sizes and theme of a figure.

    Parameters
    ----------
    font_size : float
        Axis labels, titles and hover text, in px.
    cell_font_size : float
        Numbers printed inside grid cells, in px (shrunk only when a cell is too small to hold them).
    line_width : float
        Outlines, highlights and separators, in px.
    presentation : bool
        Projected in a lecture hall: bigger everything, pure black/white text.
    dark : bool
        Streamlit's dark theme: light text and outlines.
    page_px : float, optional
        The widest a figure is shown, margins included (the page's main column), in px. Figures
        plan their size within it, or within their own ``width_px`` (their column) when a page
        gives one: a figure planned wider is shrunk by the browser, and text sized for the planned
        width overlaps. None: only :attr:`max_plot_px` bounds a figure (a notebook).
    """

    font_size: float = 15
    cell_font_size: float = 16
    line_width: float = 1.5
    presentation: bool = False
    dark: bool = False
    page_px: float | None = None

    @classmethod
    def for_mode(cls, presentation: bool = False, dark: bool = False) -> FigureStyle:
        """The style for a screen (default) or a projector (``presentation=True``), light or dark.

        Presentation mode: fonts 22 px, cell numbers 26 px, lines 3 px and pure black/white text,
        readable from the back of a lecture hall.
        """
        if presentation:
            return cls(font_size=22, cell_font_size=26, line_width=3.0, presentation=True, dark=dark)
        return cls(dark=dark)

    def with_dark(self, dark: bool) -> FigureStyle:
        """The same sizes in the light or dark theme."""
        return replace(self, dark=dark)

    def with_page(self, page_px: float | None) -> FigureStyle:
        """The same style for a page whose main column is ``page_px`` wide."""
        return replace(self, page_px=page_px)

    def room_px(self, width_px: float | None = None) -> float | None:
        """The px a figure may take across, margins included: ``width_px`` (its column) when given,
        else :attr:`page_px`; None when neither bounds it."""
        return width_px if width_px is not None else self.page_px

    def plot_width_px(self, margins: dict, width_px: float | None = None) -> float:
        """The widest plot area a figure plans: ``max_plot_px``'s width, and no more than
        :meth:`room_px` minus the figure's left and right ``margins``."""
        room = self.room_px(width_px)
        widest = self.max_plot_px[1]
        return widest if room is None else min(widest, max(1.0, room - margins["l"] - margins["r"]))

    @property
    def title_size(self) -> float:
        """Figure titles, a little larger than the other text."""
        return round(self.font_size * 1.15)

    @property
    def text_color(self) -> str:
        """Titles, tick labels and axis lines. Presentation mode uses pure black/white for contrast."""
        if self.presentation:
            return "#FFFFFF" if self.dark else "#000000"
        return "#FAFAFA" if self.dark else "#31333F"

    @property
    def muted_color(self) -> str:
        """Secondary marks: padding outlines and their zeros."""
        return "#9A9DA6" if self.dark else "#70737C"

    @property
    def padding_fill(self) -> str:
        """Padding cells: a neutral grey that stands apart from every data colour scale."""
        return "#3C3F47" if self.dark else "#E4E4E4"

    @property
    def highlight_color(self) -> str:
        """Outline of highlighted cells, drawn over a halo of :attr:`halo_color` so it shows on any fill."""
        return "#FFFFFF" if self.dark else "#000000"

    @property
    def halo_color(self) -> str:
        """The opposite of :attr:`highlight_color`: together they contrast with every cell colour."""
        return "#000000" if self.dark else "#FFFFFF"

    @property
    def box_color(self) -> str:
        """Window outlines (kernel window, crop window): Okabe–Ito vermillion, over a halo."""
        return "#D55E00"

    @property
    def band_fill(self) -> str:
        """Translucent band behind highlighted rows/columns of a matrix."""
        return "rgba(213,94,0,0.22)" if self.dark else "rgba(213,94,0,0.16)"

    @property
    def separator_color(self) -> str:
        """Thin lines between channel blocks of a matrix."""
        alpha = 0.9 if self.presentation else 0.6
        return f"rgba(200,200,200,{alpha})" if self.dark else f"rgba(90,90,90,{alpha})"

    @property
    def group_fill(self) -> str:
        """Shading of the diagonal blocks of a grouped convolution's matrix (Okabe–Ito blue)."""
        return "rgba(86,180,233,0.16)" if self.dark else "rgba(0,114,178,0.09)"

    @property
    def cell_px(self) -> float:
        """Preferred side of a grid cell, in px, before the figure-size cap shrinks it."""
        return 76.0 if self.presentation else 52.0

    @property
    def max_plot_px(self) -> tuple[float, float]:
        """The largest plot area ``(height, width)`` a figure grows to, in px."""
        return (840.0, 1200.0) if self.presentation else (580.0, 900.0)


# The default of every builder's ``style=`` (FigureStyle is frozen, so one shared instance is safe).
DEFAULT_STYLE = FigureStyle()


def hex_colors(scale: str, count: int) -> list[str]:
    """``count`` evenly spaced colours of a plotly colour scale, as ``#rrggbb``."""
    fractions = np.linspace(0.0, 1.0, count) if count > 1 else np.zeros(1)
    return [_to_hex(rgb) for rgb in sample_rgb(scale, fractions)]


def tap_colors(tap_count: int, dark: bool = False) -> list[str]:
    """One colour per kernel tap ``a·kw + b``: Okabe–Ito up to 8 taps, else cividis sampled per tap."""
    if tap_count <= len(TAP_COLORS):
        colors = list(TAP_COLORS[:tap_count])
        return [(_DARK_THEME_BLACK_TAP if dark and c == "#000000" else c) for c in colors]
    return hex_colors(SEQUENTIAL_SCALE, tap_count)


def sample_rgb(scale: str, fractions) -> np.ndarray:
    """Colours of a plotly colour scale at ``fractions`` in [0, 1], as an ``(n, 3)`` float array 0–255."""
    stops = pc.get_colorscale(scale)
    positions = np.array([position for position, _ in stops], dtype=float)
    colors = np.array([to_rgb(color) for _, color in stops])
    fractions = np.clip(np.asarray(fractions, dtype=float).ravel(), 0.0, 1.0)
    return np.column_stack([np.interp(fractions, positions, colors[:, k]) for k in range(3)])


def to_rgb(color: str) -> tuple[float, float, float]:
    """``#rrggbb``, ``rgb(r, g, b)`` or ``rgba(…)`` → ``(r, g, b)`` on 0–255."""
    color = color.strip()
    if color.startswith("#"):
        return tuple(float(v) for v in pc.hex_to_rgb(color))
    inside = color[color.index("(") + 1 : color.index(")")]
    return tuple(float(v) for v in inside.split(",")[:3])


def readable_text_colors(rgb) -> np.ndarray:
    """For fills ``rgb`` (``(n, 3)`` on 0–255): ``"black"`` on light fills, ``"white"`` on dark ones."""
    luminance = _relative_luminance(np.asarray(rgb, dtype=float).reshape(-1, 3))
    return np.where(luminance > _LUMINANCE_SPLIT, "black", "white")


def readable_text_color(color: str) -> str:
    """``"black"`` or ``"white"``, whichever is more legible on ``color``."""
    return str(readable_text_colors([to_rgb(color)])[0])


@dataclass(frozen=True)
class ValueScale:
    """How numbers map to colours: a plotly colour scale over ``[cmin, cmax]``."""

    colorscale: str
    cmin: float
    cmax: float
    signed: bool

    def fractions(self, values) -> np.ndarray:
        """Positions of ``values`` on the scale, in [0, 1]."""
        return np.clip((np.asarray(values, dtype=float) - self.cmin) / (self.cmax - self.cmin), 0.0, 1.0)

    def rgb(self, values) -> np.ndarray:
        """Fill colours of ``values``, ``(n, 3)`` on 0–255."""
        return sample_rgb(self.colorscale, self.fractions(values))


def value_scale(values, signed: bool | None = None) -> ValueScale:
    """Cividis over ``[min, max]`` for values ≥ 0; PuOr symmetric about 0 for signed values.

    ``signed=None`` decides from the data (any negative value → signed). A constant array gets a
    range of width 1 around its value so the scale is never degenerate.
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    if signed is None:
        signed = low < 0
    if signed:
        reach = max(abs(low), abs(high)) or 1.0
        return ValueScale(DIVERGING_SCALE, -reach, reach, True)
    if high <= low:
        low, high = low - 0.5, high + 0.5
    return ValueScale(SEQUENTIAL_SCALE, low, high, False)


# The height of each extra line of a title, in title font sizes.
_TITLE_LINE_EM = 1.3


def fit_title(title: str, style: FigureStyle, width_px: float | None) -> str:
    """``title``, broken onto two lines at the space nearest its middle when it is wider than ``width_px``.

    Wider means over 0.5 em per character: bold titles measure about 0.42 em per character in the
    browser, and :func:`title_width` (0.55 em and a margin) plans figure widths more generously still.
    """
    if width_px is None or 0.5 * style.title_size * len(title) + 8 <= width_px or " " not in title:
        return title
    spaces = [i for i, char in enumerate(title) if char == " "]
    cut = min(spaces, key=lambda i: abs(i - len(title) / 2))
    return f"{title[:cut]}<br>{title[cut + 1:]}"


def title_width(title: str | None, style: FigureStyle) -> float:
    """Width a figure needs so its title is not clipped (about 0.55 em per character of its longest line)."""
    return 0.55 * style.title_size * max(len(line) for line in (title or "").split("<br>")) + 40.0


def _extra_title_lines_px(title: str | None, style: FigureStyle) -> float:
    return (title or "").count("<br>") * style.title_size * _TITLE_LINE_EM


def figure_margins(style: FigureStyle, title: str | None = None) -> dict[str, float]:
    """Margins in px around the plot area: room for the title (a line per ``<br>`` more) and for tick
    labels on the top and left."""
    title_px = style.title_size * 1.9 + _extra_title_lines_px(title, style) if title else 0.0
    return dict(l=16 + style.font_size * 2.4, r=16, t=12 + title_px + style.font_size * 1.6, b=16)


def base_layout(style: FigureStyle, title: str | None = None, height: float | None = None) -> dict:
    """The layout every ConvLab figure shares, as a dict to extend and pass to ``go.Figure(layout=…)``.

    Transparent paper and plot so Streamlit's light or dark page shows through, theme-aware fonts,
    a title on the left, no legend, margins from :func:`figure_margins`.
    """
    layout = dict(
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font=dict(size=style.font_size, color=style.text_color),
        # Plotly anchors a multi-line title's top by its last line: push it down by the lines above.
        title=dict(text=title or "", font=dict(size=style.title_size, color=style.text_color), x=0.0, xanchor="left",
                   y=1.0, yanchor="top", yref="container", pad=dict(t=8 + _extra_title_lines_px(title, style), l=4)),
        hoverlabel=dict(font=dict(size=style.font_size)),
        showlegend=False,
        margin=figure_margins(style, title),
        # No default template: every colour here is explicit, and Streamlit's template is about two
        # thirds of a small figure's JSON, sent and applied again on every rerun.
        template={},
    )
    if height is not None:
        layout["height"] = round(height)
    return layout


def apply_layout(fig: go.Figure, style: FigureStyle, title: str | None = None, height: float | None = None) -> go.Figure:
    """Give ``fig`` the shared layout of :func:`base_layout`; returns ``fig`` for chaining."""
    return fig.update_layout(base_layout(style, title, height))


def _relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2 relative luminance of sRGB colours on 0–255."""
    channel = rgb / 255.0
    linear = np.where(channel <= 0.04045, channel / 12.92, ((channel + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def _to_hex(rgb) -> str:
    r, g, b = (int(round(v)) for v in rgb)
    return f"#{r:02X}{g:02X}{b:02X}"
