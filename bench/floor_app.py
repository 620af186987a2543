"""The latency floor for bench/latency.py: one slider and one line of text, nothing else.

Whatever a slider change costs here (websocket round trip, script rerun, React render) every page
pays too; bench/latency.py reports each page's time as a multiple of this app's.
"""

import streamlit as st

value = st.slider("Value", 0, 100, 50, key="value")
st.write(f"Value: {value}")
