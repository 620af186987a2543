"""ConvLab: page config, navigation and the shared sidebar."""

import streamlit as st

st.set_page_config(page_title="ConvLab", page_icon=":material/grid_view:", layout="wide", initial_sidebar_state="expanded")

PAGES = {
    "Start": [st.Page("pages/home.py", title="Home", icon=":material/home:", url_path="home", default=True)],
    "Arithmetic": [
        st.Page("pages/output_size.py", title="Output size", icon=":material/straighten:", url_path="output-size"),
    ],
    "Convolution": [
        st.Page("pages/matrix.py", title="Convolution as a matrix", icon=":material/grid_on:", url_path="matrix"),
    ],
    "Transposed convolution": [
        st.Page("pages/transposed.py", title="Transposed convolution", icon=":material/open_in_full:", url_path="transposed"),
    ],
}

navigation = st.navigation(PAGES)
with st.sidebar:
    # Shared by every page and kept in the URL, so a prepared lecture link opens in this mode.
    st.toggle("Presentation mode", key="present", bind="query-params",
              help="Bigger numbers and thicker lines for a projector. The sidebar can be collapsed; the mode stays.")
navigation.run()
