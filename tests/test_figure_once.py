"""widgets.figure_once: one figure per distinct arguments and builder, shared between reruns."""

import numpy as np

from figures import grid_figure, kernel_figure
from widgets import figure_once


def test_same_arguments_share_one_figure_and_any_difference_builds_another():
    grid = np.arange(6.0).reshape(2, 3)
    first = figure_once(grid_figure, grid, title="Z")
    assert figure_once(grid_figure, grid.copy(), title="Z") is first  # equal values, not the same array
    assert figure_once(grid_figure, grid, title="Z'") is not first
    assert figure_once(grid_figure, grid + 1, title="Z") is not first
    other_builder = figure_once(kernel_figure, grid, title="Z")
    assert other_builder is not first and other_builder.to_dict() != first.to_dict()
    assert first.to_dict() == grid_figure(grid, title="Z").to_dict()
