"""Checkerboard artifacts: uneven kernel overlap in transposed convolutions, counted and seen on a picture."""

import math

import numpy as np
import streamlit as st

from core import ConvConfigError, conv_transpose_matrix_entries
from core import checkerboard as cb
from core.explain import markdown_table
from core.images import SAMPLE_NAMES, load_sample, resize_long_side, to_grayscale
from figures import grid_figure, image_grid_figure
from figures.checkerboard import overlap_figure
from widgets import (
    Controls,
    apply_preset,
    figure_once,
    figure_style,
    run_through_dashboard,
    show_figure,
    verification_line,
)

run_through_dashboard()

PRESETS = {"Uneven: k=3, s=2": {"k": 3, "s": 2, "p": 0, "d": 1, "layers": 1},
           "Even: k=4, s=2 (DCGAN-style)": {"k": 4, "s": 2, "p": 1, "d": 1, "layers": 1},
           "Uneven, 3 layers stacked": {"k": 3, "s": 2, "p": 0, "d": 1, "layers": 3}}
METHOD_NAMES = {"transpose_uneven": "transposed, uneven", "transpose_even": "transposed, even",
                "resize_nearest_conv": "nearest resize + conv", "resize_bilinear_conv": "bilinear resize + conv",
                "pixel_shuffle": "pixel shuffle"}


@st.cache_resource(max_entries=16, show_spinner=False)
def upsampled(sample: str, factor: int):
    """The picture (gray, float in [0, 1]) and ``{method: upsampled}``, shared by every session."""
    picture = resize_long_side(to_grayscale(load_sample(sample)), 96) / 255.0  # 2× → 192 px, 4× → 384 px
    return picture, cb.upsample_comparison(picture, factor)


st.title("Checkerboard artifacts")
st.caption("Why a transposed convolution paints a checkerboard, after Odena, Dumoulin & Olah, "
           "[*Deconvolution and Checkerboard Artifacts*](https://distill.pub/2016/deconv-checkerboard/) (Distill, 2016).")
controls = Controls()
with st.sidebar:
    for label, preset in PRESETS.items():
        st.button(label, on_click=apply_preset, args=(preset,), width="stretch")
    n = controls.slider("Input size", "n", 1, 12, 6, help="The input is n×n, all ones.")
    k = controls.slider("Kernel size", "k", 1, 7, 3, help="k×k, all ones: each input stamps k×k ones.")
    s = controls.slider("Stride", "s", 1, 4, 2)
    p = controls.slider("Padding", "p", 0, 3, 0, help="A transposed convolution's padding crops the output's border.")
    d = controls.slider("Dilation", "d", 1, 3, 1)
    depth = controls.slider("Layers", "layers", 1, 3, 1, help="The same transposed convolution applied 1–3 times.")
notice, counts_area, picture_area, explanation = st.container(), st.container(), st.container(), st.container()
with picture_area:
    st.header("On a real picture")
    columns = st.columns(4)
    sample = controls.select("Picture", "img", SAMPLE_NAMES, "camera", where=columns[0])
    factor = int(controls.radio("Upsampling", "factor", ["2", "4"], where=columns[1]))
    zoom_y = controls.slider("Zoom window: row (%)", "zoom_y", 0, 100, 30, where=columns[2])
    zoom_x = controls.slider("Zoom window: column (%)", "zoom_x", 0, 100, 50, where=columns[3])
with notice:
    controls.report_url_problems()
style = figure_style()


def layers_of(c, one_row=False):
    """The stack of identical layers; ``one_row``: only the width axis (kernel 1×k) for the 1-D view."""
    pair = (lambda v, neutral: (neutral, v)) if one_row else (lambda v, neutral: (v, v))
    return [{"kernel_size": pair(c["k"], 1), "stride": pair(c["s"], 1), "padding": pair(c["p"], 0),
             "dilation": pair(c["d"], 1)}] * c["layers"]


def is_valid(c):
    try:
        return cb.stacked_overlap_counts((c["n"], c["n"]), layers_of(c)) is not None
    except ConvConfigError:
        return False


with counts_area:
    try:
        counts = cb.stacked_overlap_counts((n, n), layers_of(controls.values))
        row = cb.stacked_overlap_counts((1, n), layers_of(controls.values, one_row=True))[0]
    except ConvConfigError as error:
        controls.show_config_error(error, is_valid, keys=["n", "k", "s", "p", "d", "layers"])
    else:
        period = cb.overlap_period(k, s, d).tolist()
        if cb.is_even_overlap(k, s, d):
            st.success(f"**Even overlap.** k = {k} is a multiple of s = {s}: away from the borders every output "
                       f"position gets {k // s} stamp(s) per layer, so an even input stays even.", icon=":material/check_circle:")
        elif math.gcd(d, s) > 1:
            st.warning(f"**Holes.** Dilation {d} and stride {s} share the factor {math.gcd(d, s)}: the taps only reach "
                       f"some phases, and the stamps per phase repeat as {period}, with zeros.", icon=":material/blur_on:")
        else:
            st.warning(f"**Uneven overlap.** k = {k} is not a multiple of s = {s}: away from the borders the stamp "
                       f"count repeats as {period} every {s} positions. In 2-D that is a checkerboard.", icon=":material/grid_4x4:")
        if depth > 1:
            st.caption(f"{depth} layers: each stamps onto the previous uneven output, so the patterns multiply.")
        left, right = st.columns(2)
        with left:
            stamps = conv_transpose_matrix_entries((1, 1, n), np.ones((1, 1, 1, k)), (1, s), (0, p), 0, (1, d)) \
                if depth == 1 else None
            interior = cb.overlap_interior(n, k, s, p, 0, d) if depth == 1 else None
            show_figure(overlap_figure(row, stamps=stamps, interior=interior, style=style,
                                       title=f"1-D: {n} inputs → {row.size} outputs"))
            st.caption("Top: each input's kernel stamp, coloured by tap. Bottom: stamps per output position; the "
                       "shaded band is away from the borders, where the pattern repeats." if depth == 1 else
                       "Stamps per output position after every layer, for a 1-D all-ones input.")
        with right:
            title = f"2-D: stamps per output pixel ({counts.shape[0]}×{counts.shape[1]})"
            show_figure(grid_figure(counts, title=title, style=style) if counts.size <= 2500 else
                        image_grid_figure([counts], titles=[title], style=style))  # large stacks: one image
        from core.torch_check import torch_conv_transpose2d  # torch only once there is something to check
        reference, reference_row = np.ones((n, n)), np.ones((1, n))
        for _ in range(depth):
            reference = torch_conv_transpose2d(reference, np.ones((k, k)), s, p, 0, d)[0]
            reference_row = torch_conv_transpose2d(reference_row, np.ones((1, k)), (1, s), (0, p), 0, (1, d))[0]
        verification_line(np.concatenate([row, counts.ravel()]), np.concatenate([reference_row.ravel(),
                          reference.ravel()]), "ConvTranspose2d")
        st.caption("Reference: `conv_transpose2d` of an all-ones input with an all-ones kernel, once per layer.")

with picture_area:
    picture, results = upsampled(sample, factor)
    names = [METHOD_NAMES[method] for method in results]
    st.caption(f"The picture, shrunk to {picture.shape[0]}×{picture.shape[1]} px in gray, upsampled {factor}× "
               "five ways. Every method ends at the same size; only the uneven transposed convolution leaves a grid.")
    gray = dict(titles=tuple(names), shared_scale=False, colormap="gray", style=style)  # each at its own contrast
    show_figure(figure_once(image_grid_figure, tuple(results.values()), max_columns=3, **gray))
    size = 16 * factor
    height, width = next(iter(results.values())).shape
    top, left = round(zoom_y / 100 * (height - size)), round(zoom_x / 100 * (width - size))
    crops = [image[top:top + size, left:left + size] for image in results.values()]
    show_figure(image_grid_figure(crops, max_columns=5, **gray))
    st.caption(f"Zoom: rows {top}–{top + size - 1}, columns {left}–{left + size - 1} of the upsampled pictures.")
    st.markdown(markdown_table([{"method": METHOD_NAMES[method], "what it does": cb.UPSAMPLING_METHODS[method],
                                 "checkerboard strength": cb.checkerboard_strength(image, factor, border=2 * factor)}
                                for method, image in results.items()], number_format="{:.4f}"))
    st.caption(f"Checkerboard strength: how much the mean brightness depends on the position inside each "
               f"{factor}×{factor} cell (0 = not at all), the outer {2 * factor} px left out.")

with explanation:
    st.header("The rule, and who uses what")
    st.markdown(cb.RULE_AND_USES)
