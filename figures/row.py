"""Single-panel figures side by side in one figure: one chart for the browser to draw instead of several.

Every ``st.plotly_chart`` whose figure changes costs the browser about 8 ms per rerun, whatever it
shows; a second panel inside the same figure costs about 2 ms (``bench/element_cost.py``). So a page
that shows a row of grids (input, kernel, output) answers a slider sooner with the row drawn as one
figure, laid out as the columns would have been.

Panel ``k`` keeps its figure's pixel geometry: it takes the horizontal slot ``slots_px[k]`` (the
column it would have had; slots are ``gap_px`` apart), its plot area is the slot minus the panel's
own left and right margins, top-aligned at its own top margin. Its traces move to the axes
``x{k+1}``/``y{k+1}`` (``x``/``y`` for the first), its shapes with them, its title becomes an
annotation at the slot's left, and a colour bar stays at the right of its own plot area. The
panels' traces are concatenated in order; ``layout.meta`` says where each panel's traces start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

# Layout settings of the first panel that the row keeps (fonts, colours, hover labels).
_SHARED_LAYOUT = ("paper_bgcolor", "plot_bgcolor", "font", "hoverlabel", "showlegend", "template", "dragmode")
_COLORBAR_GAP_PX = 8.0


def _axis_names(k: int) -> tuple[str, str]:
    """Panel ``k``'s axis references: ("x", "y") for the first, ("x2", "y2") for the second, …"""
    suffix = "" if k == 0 else str(k + 1)
    return f"x{suffix}", f"y{suffix}"


def figure_row(panels: Sequence[go.Figure], slots_px: Sequence[float], gap_px: float = 16.0) -> go.Figure:
    """``panels`` drawn side by side in one figure of width ``Σ slots + gap·(n − 1)`` px.

    Parameters
    ----------
    panels : sequence of go.Figure
        Single-panel figures (axes ``x``/``y``) with their pixel ``width``, ``height`` and ``margin``
        set, as :func:`figures.grid_figure` and :func:`figures.kernel_figure` make them.
    slots_px : sequence of float
        The px across each panel may take (a panel wider than its slot keeps its own width).
    gap_px : float
        Space between slots.

    Returns
    -------
    go.Figure
        Height ``max(panel heights)``, no margins. Panel ``k``'s traces come after those of panels
        ``0 … k−1``; ``layout.meta`` has ``"panel_traces"`` (where each panel's traces start) and
        ``"panel_titles"`` (each panel's own title text).
    """
    if len(panels) != len(slots_px) or not panels:
        raise ValueError(f"figure_row needs one slot per panel, got {len(panels)} panels and {len(slots_px)} slots.")
    slots = [max(float(slot), float(panel.layout.width or 0)) for panel, slot in zip(panels, slots_px, strict=True)]
    width = sum(slots) + gap_px * (len(slots) - 1)
    height = max(float(panel.layout.height) for panel in panels)
    first = panels[0].to_plotly_json()["layout"]
    layout = {name: first[name] for name in _SHARED_LAYOUT if name in first}
    layout.update(width=round(width), height=round(height), margin=dict(l=0, r=0, t=0, b=0, pad=0),
                  annotations=[], shapes=[])
    traces, starts, titles, left = [], [], [], 0.0
    for k, (panel, slot) in enumerate(zip(panels, slots, strict=True)):
        spec = panel.to_plotly_json()
        x_domain, y_domain = _place_panel(spec["layout"], left, slot, width, height)
        xref, yref = _axis_names(k)
        starts.append(len(traces))
        for trace in spec["data"]:
            traces.append(_moved_trace(trace, xref, yref, x_domain, y_domain, width))
        layout.update(_moved_axes(spec["layout"], xref, yref, x_domain, y_domain))
        layout["shapes"] += [_moved_ref(shape, xref, yref) for shape in spec["layout"].get("shapes", [])]
        layout["annotations"] += [_moved_ref(note, xref, yref) for note in spec["layout"].get("annotations", [])]
        title = _title_annotation(spec["layout"], left, width, height)
        titles.append(((spec["layout"].get("title") or {}).get("text")) or "")
        if title:
            layout["annotations"].append(title)
        left += slot + gap_px
    layout["meta"] = {"panel_traces": starts, "panel_titles": titles}
    # One construction: every later update_* call would validate the whole figure again.
    return go.Figure(data=traces, layout=layout)


def _place_panel(layout: Mapping, left: float, slot: float, width: float, height: float):
    """Paper-fraction domains of a panel's plot area: its slot minus its margins, top-aligned."""
    margin = layout.get("margin", {})
    top, bottom = float(margin.get("t", 0)), float(margin.get("b", 0))
    plot_height = float(layout["height"]) - top - bottom
    x_domain = [(left + float(margin.get("l", 0))) / width, (left + slot - float(margin.get("r", 0))) / width]
    y_domain = [1.0 - (top + plot_height) / height, 1.0 - top / height]
    return [max(0.0, x_domain[0]), min(1.0, x_domain[1])], [max(0.0, y_domain[0]), min(1.0, y_domain[1])]


def _moved_axes(layout: Mapping, xref: str, yref: str, x_domain, y_domain) -> dict:
    """The panel's x and y axes under the row's names for them, on the panel's domains."""
    x_axis = dict(layout.get("xaxis", {}), domain=x_domain, anchor=yref)
    y_axis = dict(layout.get("yaxis", {}), domain=y_domain, anchor=xref)
    if "scaleanchor" in y_axis:
        y_axis["scaleanchor"] = xref
    return {f"xaxis{xref[1:]}": x_axis, f"yaxis{yref[1:]}": y_axis}


def _moved_ref(item: Mapping, xref: str, yref: str) -> dict:
    """A shape or annotation on the panel's data axes moved to the row's axes (paper references stay)."""
    moved = dict(item)
    if moved.get("xref", "x") == "x":
        moved["xref"] = xref
    if moved.get("yref", "y") == "y":
        moved["yref"] = yref
    return moved


def _moved_trace(trace: Mapping, xref: str, yref: str, x_domain, y_domain, width: float) -> dict:
    """A panel's trace on the row's axes; its colour bar, if any, beside the panel's plot area."""
    moved = dict(trace, xaxis=xref, yaxis=yref)
    colorbar = dict(len=y_domain[1] - y_domain[0], lenmode="fraction", y=sum(y_domain) / 2, yanchor="middle",
                    x=x_domain[1] + _COLORBAR_GAP_PX / width, xanchor="left", xref="paper", yref="paper")
    if moved.get("type") == "heatmap" and moved.get("showscale", True):
        moved["colorbar"] = dict(moved.get("colorbar", {}), **colorbar)
    marker = moved.get("marker")
    if isinstance(marker, Mapping) and marker.get("showscale"):
        moved["marker"] = dict(marker, colorbar=dict(marker.get("colorbar", {}), **colorbar))
    return moved


def _title_annotation(layout: Mapping, left: float, width: float, height: float) -> dict | None:
    """The panel's title as an annotation at the top left of its slot (where its own title sat)."""
    title = layout.get("title") or {}
    text = title.get("text")
    if not text:
        return None
    pad = title.get("pad", {})
    # Streamlit draws figure titles bold; annotations are not, unless told, line by line.
    text = "<br>".join(f"<b>{line}</b>" for line in text.split("<br>"))
    return dict(text=text, font=title.get("font", {}), showarrow=False, xref="paper", yref="paper", align="left",
                x=(left + float(pad.get("l", 0))) / width, xanchor="left",
                y=1.0 - 8.0 / height, yanchor="top")
