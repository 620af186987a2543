"""Home: what ConvLab teaches, the formulas on one screen, and a link to each page."""

import streamlit as st

from widgets import Controls, run_through_dashboard

run_through_dashboard()

st.title("ConvLab")
Controls().report_url_problems()  # this page has no settings: say so for any in the link
st.markdown(
    "**Convolution and transposed convolution, made visible.** Every number on these pages is computed "
    "in numpy and checked live against PyTorch. Every setting lives in the address bar: prepare a link "
    "before class and it reopens exactly that view."
)

left, right = st.columns(2)
with left:
    st.subheader("Convolution · `nn.Conv2d`")
    st.latex(r"o = \left\lfloor \frac{i + 2p - d(k-1) - 1}{s} \right\rfloor + 1")
    st.latex(r"\operatorname{vec}(Y) = W \operatorname{vec}(X)")
    st.latex(r"W:\ C_{out} o_h o_w \times C_{in} i_h i_w")
    st.latex(r"\text{weight } (C_{out},\ C_{in}/g,\ k_h,\ k_w)")
with right:
    st.subheader("Transposed · `nn.ConvTranspose2d`")
    st.latex(r"\begin{aligned} o &= (i-1)s - 2p \\ &\quad + d(k-1) + \mathit{op} + 1 \end{aligned}")
    st.latex(r"\operatorname{vec}(Z) = W^{\top} \operatorname{vec}(Y)")
    st.latex(r"\mathit{op} = \text{output\_padding} < \max(s, d)")
    st.latex(r"\text{weight } (C_{in},\ C_{out}/g,\ k_h,\ k_w)")

st.subheader("Pages")
st.page_link("pages/output_size.py", label="Output size — every formula with your numbers, PyTorch beside Keras",
             icon=":material/straighten:")
st.page_link("pages/matrix.py", label="Convolution as a matrix — click a cell, see its row of W",
             icon=":material/grid_on:")
st.page_link("pages/transposed.py", label="Transposed convolution — scatter, zero insertion and Wᵀ",
             icon=":material/open_in_full:")
st.page_link("pages/channels.py", label="Channels and groups — weight shapes, parameter counts, W's blocks",
             icon=":material/stacks:")
st.page_link("pages/checkerboard.py", label="Checkerboard artifacts — why transposed convolutions paint grids",
             icon=":material/grid_4x4:")
st.page_link("pages/images.py", label="Filters on images — many kernels on a real picture, or yours",
             icon=":material/image:")
st.page_link("pages/quiz.py", label="Quiz — what shape comes out? One seed, the whole class", icon=":material/quiz:")
