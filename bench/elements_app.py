"""bench/element_cost.py's app: the floor app's slider and text, plus ``?n=`` lines of text and ``?sliders=``
sliders in the sidebar, or ``?count=`` elements of one ``?kind=`` (see KINDS), so a slider change costs what
Streamlit pays for that many elements and nothing else (figures are built once and cached, as the pages' are)."""

import sys
from pathlib import Path

import numpy as np
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from figures import grid_figure  # noqa: E402


@st.cache_resource(show_spinner=False)
def grid(i: int, value: int):
    """A 4×4 grid of numbers that follow ``value``, built once per arguments as the pages build theirs:
    what is left is the browser drawing it."""
    return grid_figure(np.arange(16.0).reshape(4, 4) + value, title=f"Grid {i + 1}", width_px=260)


def chart(i: int, value: int, clickable: bool = False) -> None:
    """Grid ``i`` as a chart, clickable (``on_select``) as the pages' input and output grids are, or not."""
    if clickable:
        st.plotly_chart(grid(i, value), key=f"kind_chart_{i}", on_select=lambda: None, selection_mode="points")
    else:
        st.plotly_chart(grid(i, value), key=f"kind_chart_{i}")


# One element of each kind the dashboard's pages are made of, by the name bench/element_cost.py asks for.
KINDS = {
    "markdown": lambda i, value: st.markdown(f"Line **{i + 1}**: value `{value}`"),
    "text": lambda i, value: st.text(f"Line {i + 1}: value {value}"),
    "slider": lambda i, value: st.slider(f"Slider {i + 1}", 0, 10, 5, key=f"kind_slider_{i}"),
    "selectbox": lambda i, value: st.selectbox(f"Choice {i + 1}", ["a", "b"], key=f"kind_select_{i}"),
    "button": lambda i, value: st.button(f"Button {i + 1}", key=f"kind_button_{i}"),
    "text_input": lambda i, value: st.text_input(f"Field {i + 1}", key=f"kind_text_{i}"),
    "columns": lambda i, value: st.columns(2),
    "container": lambda i, value: st.container(),
    "expander": lambda i, value: st.expander(f"Panel {i + 1}").markdown(f"Line {i + 1}: value {value}"),
    "empty_expander": lambda i, value: st.expander(f"Panel {i + 1}"),
    "tabs": lambda i, value: st.tabs(["Scatter", "Zero insertion", "Matrix"]),
    "segmented": lambda i, value: st.segmented_control(f"View {i + 1}", ["Scatter", "Zero insertion", "Matrix"],
                                                       default="Scatter", key=f"kind_view_{i}"),
    "subheader": lambda i, value: st.subheader(f"Heading {i + 1}: value {value}"),
    "latex": lambda i, value: st.latex(rf"o = \left\lfloor \frac{{{value} + 2p - d(k-1) - 1}}{{s}} \right\rfloor + 1"),
    "latex_same": lambda i, value: st.latex(rf"o = \left\lfloor \frac{{{i} + 2p - d(k-1) - 1}}{{s}} \right\rfloor + 1"),
    "plotly": lambda i, value: chart(i, value),
    "plotly_same": lambda i, value: chart(i, 0),
    "plotly_select": lambda i, value: chart(i, value, clickable=True),
    "code": lambda i, value: st.code(f"layer = torch.nn.Conv2d(1, 1, kernel_size=3)\nlayer(x).shape  # {value}",
                                     language="python"),
}

lines, sliders = int(st.query_params.get("n", 0)), int(st.query_params.get("sliders", 0))
kind, count = st.query_params.get("kind", ""), int(st.query_params.get("count", 0))
value = st.slider("Value", 0, 100, 50, key="value")
st.write(f"Value: {value}")
with st.sidebar:
    for i in range(sliders):
        st.slider(f"Slider {i + 1}", 0, 10, 5, key=f"slider_{i}")
for i in range(lines):
    st.markdown(f"Line {i + 1}: value {value}")
for i in range(count if kind in KINDS else 0):
    KINDS[kind](i, value)
