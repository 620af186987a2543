"""bench/element_cost.py's app: the floor app's slider and text, plus ``?n=`` lines of text and ``?sliders=``
sliders in the sidebar, so a slider change costs what Streamlit pays for that many elements and nothing else."""

import streamlit as st

lines, sliders = int(st.query_params.get("n", 0)), int(st.query_params.get("sliders", 0))
value = st.slider("Value", 0, 100, 50, key="value")
st.write(f"Value: {value}")
with st.sidebar:
    for i in range(sliders):
        st.slider(f"Slider {i + 1}", 0, 10, 5, key=f"slider_{i}")
for i in range(lines):
    st.markdown(f"Line {i + 1}: value {value}")
