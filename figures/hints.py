"""What a student can select on a figure, said in words taken from the figures themselves."""

from __future__ import annotations

import plotly.graph_objects as go

from .grids import selects_by_box


def selection_hint(input_grid: go.Figure, output_grid: go.Figure, matrix: go.Figure) -> str:
    """The caption above the matrix page's figures: how to select an output cell, an input cell or a row of W.

    A small grid is clicked; a large one (a heatmap, see :func:`figures.grids.selects_by_box`)
    takes a small dragged box; so does W drawn as one raster image instead of points.
    """
    clicked, boxed = [], []
    for figure, target in ((output_grid, "an output cell"), (input_grid, "an input cell")):
        (boxed if selects_by_box(figure) else clicked).append(target)
    (boxed if matrix.layout.dragmode == "select" else clicked).append("a row of W")
    actions = []
    if clicked:
        actions.append("click " + _either(clicked))
    if boxed:
        actions.append("drag a small box over " + _either(boxed))
    hint = "; ".join(actions)
    hint = hint[0].upper() + hint[1:]
    hint += ": the row of W, the inputs it reads and the outputs they feed light up together."
    if boxed:
        hint += (" Figures this large are drawn as images, which take a box rather than a click; to zoom instead,"
                 " pick the magnifier in the figure's toolbar.")
    return hint


def _either(targets: list[str]) -> str:
    return targets[0] if len(targets) == 1 else ", ".join(targets[:-1]) + " or " + targets[-1]
