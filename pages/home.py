"""Home: what ConvLab teaches."""

import streamlit as st

st.title("ConvLab")
st.write("Convolution and transposed convolution, made visible.")
