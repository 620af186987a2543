"""figures.row.figure_row: single-panel figures side by side in one figure, checked as data."""

from __future__ import annotations

import numpy as np
import pytest

from figures import FigureStyle, grid_figure, kernel_figure
from figures.row import figure_row
from tests.app_helpers import array

GAP = 16.0


def _panels(style, slots, big=False):
    values = np.arange(64.0 * 64).reshape(64, 64) if big else np.arange(20.0).reshape(4, 5)
    return [
        grid_figure(values, title="Input X, channel 1: element (0, 0)", padding=(1, 2), highlight=((0, 0),),
                    style=style, width_px=slots[0]),
        kernel_figure(np.arange(6.0).reshape(2, 3), title="Kernel", flipped=True, style=style, width_px=slots[1]),
        grid_figure(-np.arange(9.0).reshape(3, 3), title="Running sum", box=((0, 0, 2, 2), (1, 1, 2, 2)),
                    style=style, width_px=slots[2]),
    ]


STYLES = [FigureStyle.for_mode(presentation=presenting, dark=dark) for presenting in (False, True) for dark in (False, True)]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("slots", [(263.0, 263.0, 263.0), (300.0, 200.0, 300.0)])
def test_every_panel_keeps_its_traces_in_order_on_its_own_axes(style, slots):
    panels = _panels(style, slots)
    row = figure_row(panels, slots, GAP)
    sizes = [len(panel.data) for panel in panels]
    assert list(row.layout.meta["panel_traces"]) == [0, sizes[0], sizes[0] + sizes[1]]
    assert len(row.data) == sum(sizes)
    for k, (panel, first) in enumerate(zip(panels, row.layout.meta["panel_traces"], strict=True)):
        xref, yref = ("x", "y") if k == 0 else (f"x{k + 1}", f"y{k + 1}")
        for own, moved in zip(panel.data, row.data[first:first + len(panel.data)], strict=True):
            assert (moved.xaxis, moved.yaxis) == (xref, yref)
            assert (moved.name, moved.type) == (own.name, own.type)
            assert array(moved.to_plotly_json()["x"]) == array(own.to_plotly_json()["x"])
            assert array(moved.to_plotly_json()["y"]) == array(own.to_plotly_json()["y"])
            assert moved.text == own.text and moved.marker.size == own.marker.size
        x_axis, y_axis = row.layout[f"xaxis{xref[1:]}"], row.layout[f"yaxis{yref[1:]}"]
        assert x_axis.range == panel.layout.xaxis.range and y_axis.range == panel.layout.yaxis.range
        assert (x_axis.anchor, y_axis.anchor, y_axis.scaleanchor) == (yref, xref, xref)
        assert x_axis.side == "top" and x_axis.tickvals == panel.layout.xaxis.tickvals


@pytest.mark.parametrize("style", STYLES)
def test_panels_sit_in_their_slots_left_to_right_top_aligned(style):
    slots = (300.0, 200.0, 300.0)
    panels = _panels(style, slots)
    row = figure_row(panels, slots, GAP)
    width, height = sum(slots) + 2 * GAP, max(panel.layout.height for panel in panels)
    assert (row.layout.width, row.layout.height) == (round(width), round(height))
    assert (row.layout.margin.l, row.layout.margin.r, row.layout.margin.t, row.layout.margin.b) == (0, 0, 0, 0)
    left = 0.0
    for k, (panel, slot) in enumerate(zip(panels, slots, strict=True)):
        suffix = "" if k == 0 else str(k + 1)
        x0, x1 = row.layout[f"xaxis{suffix}"].domain
        y0, y1 = row.layout[f"yaxis{suffix}"].domain
        margin = panel.layout.margin
        assert x0 == pytest.approx((left + margin.l) / width) and x1 == pytest.approx((left + slot - margin.r) / width)
        assert y1 == pytest.approx(1 - margin.t / height)  # top-aligned: each plot starts below its own title
        assert (y1 - y0) * height == pytest.approx(panel.layout.height - margin.t - margin.b)
        left += slot + GAP


def test_titles_become_bold_annotations_at_their_slots_and_stay_in_the_meta():
    style, slots = STYLES[0], (263.0, 263.0, 263.0)
    panels = _panels(style, slots)
    row = figure_row(panels, slots, GAP)
    assert row.layout.title.text is None
    assert list(row.layout.meta["panel_titles"]) == [panel.layout.title.text for panel in panels]
    notes = [note for note in row.layout.annotations if note.xref == "paper"]
    assert len(notes) == 3
    for note, panel, left in zip(notes, panels, (0.0, 263.0 + GAP, 2 * (263.0 + GAP)), strict=True):
        assert note.text == "<br>".join(f"<b>{line}</b>" for line in panel.layout.title.text.split("<br>"))
        assert note.x * row.layout.width == pytest.approx(left + panel.layout.title.pad.l, abs=1)
        assert (note.xanchor, note.yanchor, note.showarrow) == ("left", "top", False)
        assert note.font.size == style.title_size


def test_shapes_move_with_their_panel():
    slots = (263.0, 263.0, 263.0)
    panels = _panels(STYLES[0], slots)
    row = figure_row(panels, slots, GAP)
    refs = [(shape.xref, shape.yref, shape.name) for shape in row.layout.shapes]
    expected = [("x", "y", s.name) for s in panels[0].layout.shapes] + [("x3", "y3", s.name) for s in panels[2].layout.shapes]
    assert refs == expected and any(name == "box" for _, _, name in expected)
    boxes = [s for s in row.layout.shapes if s.name == "box"]
    assert [(s.x0, s.y0) for s in boxes] == [(s.x0, s.y0) for s in panels[2].layout.shapes if s.name == "box"]


def test_a_colour_bar_stays_beside_its_own_panel():
    style, slots = STYLES[0], (400.0, 120.0, 300.0)
    panels = _panels(style, slots, big=True)
    assert panels[0].data[0].type == "heatmap" and panels[0].data[0].showscale is not False
    row = figure_row(panels, slots, GAP)
    bar = row.data[0].colorbar
    x0, x1 = row.layout.xaxis.domain
    y0, y1 = row.layout.yaxis.domain
    assert (bar.xref, bar.xanchor) == ("paper", "left") and x1 < bar.x < (slots[0]) / row.layout.width
    assert bar.y == pytest.approx((y0 + y1) / 2) and bar.len == pytest.approx(y1 - y0)
    assert row.data[0].colorbar.thickness == panels[0].data[0].colorbar.thickness


def test_a_panel_wider_than_its_slot_keeps_its_width():
    style = STYLES[0]
    wide = grid_figure(np.zeros((2, 12)), title="Wide", style=style)
    narrow = kernel_figure(np.ones((2, 2)), style=style)
    assert wide.layout.width > 50.0 and narrow.layout.width < 300.0
    row = figure_row([wide, narrow], [50.0, 300.0], GAP)
    assert row.layout.width == round(wide.layout.width + 300.0 + GAP)
    assert row.layout.xaxis2.domain[0] == pytest.approx((wide.layout.width + GAP + narrow.layout.margin.l) / row.layout.width)


def test_one_slot_per_panel():
    panels = _panels(STYLES[0], (263.0, 263.0, 263.0))
    with pytest.raises(ValueError, match="one slot per panel"):
        figure_row(panels, [263.0, 263.0], GAP)
    with pytest.raises(ValueError, match="one slot per panel"):
        figure_row([], [], GAP)
