"""ConvLab: entry point. Page config, navigation and the shared sidebar."""

import streamlit as st

st.set_page_config(page_title="ConvLab", page_icon="🔲", layout="wide")

home = st.Page("pages/home.py", title="Home", icon="🏠", url_path="home", default=True)
navigation = st.navigation({"ConvLab": [home]})
navigation.run()
