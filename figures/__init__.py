"""ConvLab's figures: pure functions from numpy arrays to ``plotly.graph_objects.Figure``.

Nothing here imports streamlit or torch, so every figure can be built and inspected in a test or a
notebook. Click handling: a grid's trace 0 (:data:`CELL_TRACE`) holds its cells row-major and the
matrix figure's trace 0 (:data:`MATRIX_TRACE`) holds W's entries in entry order; turn what
``st.plotly_chart(..., on_select="rerun")`` returns back into a cell or an entry with
:func:`cell_from_selection` / :func:`entry_from_selection`.

Figures set their own pixel size (markers are sized in pixels to fill their cells); grids and
images keep square cells when Streamlit stretches them, but the matrix figure is best shown with
``st.plotly_chart(fig, width="content")``.
"""

from .grids import CELL_TRACE, cell_from_selection, grid_figure, kernel_figure, selects_by_box
from .images import encode_jpeg, encode_png, image_grid_figure, rgb_image_figure, to_uint8
from .matrix import MATRIX_TRACE, TEXT_ENTRIES, entry_from_selection, matrix_figure
from .style import (
    DIVERGING_SCALE,
    SEQUENTIAL_SCALE,
    TAP_COLORS,
    FigureStyle,
    apply_layout,
    base_layout,
    readable_text_color,
    tap_colors,
    value_scale,
)

__all__ = [
    "CELL_TRACE",
    "DIVERGING_SCALE",
    "MATRIX_TRACE",
    "SEQUENTIAL_SCALE",
    "TAP_COLORS",
    "TEXT_ENTRIES",
    "FigureStyle",
    "apply_layout",
    "base_layout",
    "cell_from_selection",
    "encode_jpeg",
    "encode_png",
    "entry_from_selection",
    "grid_figure",
    "image_grid_figure",
    "kernel_figure",
    "matrix_figure",
    "readable_text_color",
    "rgb_image_figure",
    "selects_by_box",
    "tap_colors",
    "to_uint8",
    "value_scale",
]
