"""Private helpers shared by the grid and matrix figures: number formatting, text fitting, selections."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

# Average glyph width of a digit as a fraction of the font size (sans-serif), used to fit text in a cell.
_GLYPH_WIDTH = 0.62
# Below this size printed numbers are unreadable, so cells stay blank instead.
_MIN_CELL_FONT = 9.0


def _is_integral(values: np.ndarray) -> bool:
    finite = values[np.isfinite(values)]
    return bool(np.all(finite == np.round(finite)))


def _format_values(values) -> list[str]:
    """Cell labels: integers without decimals when every value is whole, else 2 decimals."""
    values = np.asarray(values, dtype=float).ravel()
    if _is_integral(values):
        return [str(int(v)) if np.isfinite(v) else str(v) for v in values]
    # "-0.00" would read as a sign error to a student.
    return [("0.00" if f == "-0.00" else f) for f in (f"{v:.2f}" for v in values)]


def _hover_format(values) -> str:
    """A d3 format for hover labels: whole numbers plainly, others to 4 significant digits."""
    return ":d" if _is_integral(np.asarray(values, dtype=float)) else ":.4~g"


def _fit_font(cell_px: float, labels: Iterable[str], preferred: float) -> float | None:
    """The largest font ≤ ``preferred`` whose longest label fits a cell, or None if it would be unreadable."""
    longest = max((len(label) for label in labels), default=1)
    fitting = min(0.9 * cell_px / (_GLYPH_WIDTH * max(longest, 1)), 0.62 * cell_px)
    size = min(preferred, fitting)
    return size if size >= _MIN_CELL_FONT else None


def _selection_dict(selection) -> Mapping:
    """Accept the whole ``st.plotly_chart`` event (``{"selection": {...}}``) or its selection part."""
    if not isinstance(selection, Mapping):
        return {}
    inner = selection.get("selection")
    return inner if isinstance(inner, Mapping) else selection


def _box_centres(selection, xref: str = "x", yref: str = "y") -> list[tuple[float, float]]:
    """``(x̄, ȳ)``, the mid-point of every dragged box on the axes ``xref``/``yref``, in data units.

    A box drawn over another subplot (its ``xref``/``yref`` differ) is left out; a box without them
    counts as on the main axes. Malformed boxes are skipped.
    """
    centres = []
    for box in _selection_dict(selection).get("box") or []:
        if not isinstance(box, Mapping) or box.get("xref", xref) != xref or box.get("yref", yref) != yref:
            continue
        try:
            centres.append((sum(map(float, box["x"])) / 2, sum(map(float, box["y"])) / 2))
        except (KeyError, TypeError, ValueError):
            continue
    return centres


def _point_index(point: Mapping) -> int | None:
    for key in ("point_index", "point_number", "pointIndex", "pointNumber"):
        value = point.get(key)
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return int(value)
    return None


def _curve_number(point: Mapping) -> int:
    for key in ("curve_number", "curveNumber"):
        if key in point:
            return point[key]
    return 0  # Streamlit always sends it; a hand-built point without one means the only trace.


def _selected_points(selection, trace: int) -> list[tuple[int | None, Mapping]]:
    """``(point index, point)`` for every selected point of trace ``trace``.

    Streamlit's ``point_indices`` merges the indices of all traces, so it is used only when the
    event carries no ``points`` at all (then it is taken to refer to ``trace``).
    """
    chosen = _selection_dict(selection)
    points = chosen.get("points") or []
    if points:
        return [(_point_index(p), p) for p in points if isinstance(p, Mapping) and _curve_number(p) == trace]
    indices = chosen.get("point_indices") or []
    return [(int(i), {}) for i in indices if isinstance(i, (int, np.integer)) and not isinstance(i, bool)]


def _runs(indices) -> list[tuple[int, int]]:
    """Sorted unique integers as ``(first, last)`` runs of consecutive values: one band per run."""
    unique = np.unique(np.asarray(list(indices), dtype=np.int64))
    if unique.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(unique) != 1)
    starts = np.concatenate([[unique[0]], unique[breaks + 1]])
    ends = np.concatenate([unique[breaks], [unique[-1]]])
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def _compact_ints(values) -> np.ndarray:
    """The smallest integer dtype that holds ``values``: fewer bytes in the figure's JSON."""
    values = np.asarray(values)
    if values.size == 0:
        return values.astype(np.int16)
    dtype = np.result_type(np.min_scalar_type(int(values.min())), np.min_scalar_type(int(values.max())))
    # Signed types only: plotly.js reads unsigned typed arrays fine, but negatives need a signed type.
    return values.astype(np.promote_types(dtype, np.int16))


# Tick spacings, in cells, from which an axis takes the smallest its labels fit.
_TICK_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000)


def _label_px_across(first: int, stop: int, style) -> float:
    """The room an x tick label of ``first … stop − 1`` needs across: its widest number (a minus sign
    counts) at ~0.6 em per character, and a gap."""
    return 0.6 * style.font_size * max(len(str(first)), len(str(stop - 1))) + 6.0


def _label_px_down(style) -> float:
    """The room a y tick label needs: a line of text."""
    return 1.3 * style.font_size


def _integer_ticks(first: int, stop: int, cell_px: float, label_px: float) -> dict:
    """Ticks on every ``step``-th integer from ``first`` to ``stop − 1``, with ``step`` (1, 2, 5, 10, 20, …)
    the smallest whose ticks lie at least ``label_px`` apart: labels never run into each other."""
    step = next((step for step in _TICK_STEPS if step * cell_px >= label_px or step >= stop - first), _TICK_STEPS[-1])
    return dict(tickmode="array", tickvals=[v for v in range(first, stop) if v % step == 0])
