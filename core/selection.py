"""What lights up when a cell is selected: a row of W (an output element) or a column (an input element).

The selection is written as text, ``row:N`` or ``col:N`` (flat indices into vec(Y) and vec(X)),
so a page can keep it in the URL.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .matrix import ConvMatrixEntries


@dataclass(frozen=True)
class Focus:
    """Highlighted W rows and columns, and the kernel taps (flat weight indices) that join them."""

    rows: np.ndarray
    cols: np.ndarray
    taps: np.ndarray

    def output_cells(self, output_shape) -> list[tuple[int, int, int]]:
        """The highlighted output elements as ``(channel, row, col)``."""
        return [tuple(int(v) for v in cell) for cell in zip(*np.unravel_index(self.rows, output_shape), strict=True)]

    def input_cells(self, input_shape) -> list[tuple[int, int, int]]:
        """The highlighted input elements as ``(channel, row, col)``."""
        return [tuple(int(v) for v in cell) for cell in zip(*np.unravel_index(self.cols, input_shape), strict=True)]


def parse_focus(text: str | None, entries: ConvMatrixEntries) -> tuple[str, int] | None:
    """``"row:N"`` / ``"col:N"`` as ``(kind, N)`` when N is inside W; anything else is None."""
    if not text or ":" not in str(text):
        return None
    kind, _, number = str(text).partition(":")
    limit = {"row": entries.shape[0], "col": entries.shape[1]}.get(kind)
    if limit is None or not number.isdigit() or int(number) >= limit:
        return None
    return kind, int(number)


def focus(entries: ConvMatrixEntries, kind: str, index: int) -> Focus:
    """Row ``index`` of W: the output element and every input element it reads (with taps).
    Column ``index``: the input element and every output element that reads it."""
    hit = entries.rows == index if kind == "row" else entries.cols == index
    rows = np.unique(entries.rows[hit]) if kind == "col" else np.array([index])
    cols = np.unique(entries.cols[hit]) if kind == "row" else np.array([index])
    return Focus(rows=rows, cols=cols, taps=np.unique(entries.taps[hit]))
