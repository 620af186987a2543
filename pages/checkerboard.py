"""Checkerboard artifacts: uneven kernel overlap in transposed convolutions, counted and seen on a picture."""

import streamlit as st

from core import ConvConfigError
from core import checkerboard as cb
from core.explain import markdown_table
from core.images import SAMPLE_NAMES, load_sample, resize_long_side, to_grayscale
from figures.checkerboard import UPSAMPLING_TITLES, stamp_count_figures, upsampling_figure, upsampling_zoom_figure
from widgets import (
    Controls,
    column_widths_px,
    difference_line,
    figure_style,
    preset_buttons,
    run_through_dashboard,
    show_figure,
)

run_through_dashboard()

PRESETS = {"Uneven: k=3, s=2": {"k": 3, "s": 2, "p": 0, "d": 1, "layers": 1},
           "Even: k=4, s=2 (DCGAN-style)": {"k": 4, "s": 2, "p": 1, "d": 1, "layers": 1},
           "Uneven, 3 layers stacked": {"k": 3, "s": 2, "p": 0, "d": 1, "layers": 3}}
VERDICT_ICONS = {"even": ":material/check_circle:", "holes": ":material/blur_on:", "uneven": ":material/grid_4x4:"}


@st.cache_resource(max_entries=16, show_spinner=False)
def upsampled(sample: str, factor: int):
    """The picture (gray, float in [0, 1]) and ``{method: upsampled}``, shared by every session."""
    picture = resize_long_side(to_grayscale(load_sample(sample)), 96) / 255.0  # 2× → 192 px, 4× → 384 px
    return picture, cb.upsample_comparison(picture, factor)


st.title("Checkerboard artifacts")
st.caption("Why a transposed convolution paints a checkerboard, after Odena, Dumoulin & Olah, "
           "[*Deconvolution and Checkerboard Artifacts*](https://distill.pub/2016/deconv-checkerboard/) (Distill, 2016).")
controls = Controls()
notice, counts_area, picture_area, explanation = st.container(), st.container(), st.container(), st.container()
style = figure_style()


def is_valid(c):
    try:
        layers = cb.repeated_layers(c["k"], c["s"], c["p"], c["d"], c["layers"])
        return cb.stacked_overlap_counts((c["n"], c["n"]), layers) is not None  # the counts alone: searched often
    except ConvConfigError:
        return False


@st.cache_resource(max_entries=32, show_spinner=False)
def overlap_views(n, k, s, p, d, depth, style):
    """The stack's 1-D and 2-D figures and the max |difference| from torch, shared read-only.

    Built once per configuration for every session: a 3-layer stack has a million cells to count,
    check against torch and encode. Raises ConvConfigError (not cached) for an impossible stack.
    """
    stack = cb.overlap_stack(n, k, s, p, d, depth)
    half_page_px = column_widths_px(2, style)[0]  # the two figures share a row
    return (*stamp_count_figures(stack, style, half_page_px), cb.torch_overlap_difference(stack))


@st.cache_resource(max_entries=16, show_spinner=False)
def comparison_views(sample: str, factor: int, style):
    """The five upsampled pictures as one figure, and the strength table, shared read-only."""
    picture, results = upsampled(sample, factor)
    table = markdown_table([{"method": UPSAMPLING_TITLES[method], "what it does": cb.UPSAMPLING_METHODS[method],
                             "checkerboard strength": cb.checkerboard_strength(image, factor, border=2 * factor)}
                            for method, image in results.items()], number_format="{:.4f}")
    return upsampling_figure(results, style), table


@st.cache_resource(max_entries=32, show_spinner=False)
def zoom_view(sample: str, factor: int, top: int, left: int, style):
    """The same window of every upsampled picture, side by side."""
    return upsampling_zoom_figure(upsampled(sample, factor)[1], top, left, 16 * factor, style)


# Two fragments: a control reruns only its own section. The stamp counts and the picture comparison
# share no control, and redrawing the picture figures on every kernel change made that change slower.
@st.fragment
def counts_section() -> None:
    """The layer controls (sidebar) and the stamp counts they give, checked against torch."""
    with st.sidebar:
        preset_buttons(PRESETS)
        n = controls.slider("Input size", "n", 1, 12, 6, help="The input is n×n, all ones.")
        k = controls.slider("Kernel size", "k", 1, 7, 3, help="k×k, all ones: each input stamps k×k ones.")
        s = controls.slider("Stride", "s", 1, 4, 2)
        p = controls.slider("Padding", "p", 0, 3, 0, help="A transposed convolution's padding crops the output's border.")
        d = controls.slider("Dilation", "d", 1, 3, 1)
        depth = controls.slider("Layers", "layers", 1, 3, 1, help="The same transposed convolution applied 1–3 times.")
    with counts_area:
        try:
            row_figure, grid, difference = overlap_views(n, k, s, p, d, depth, style)
        except ConvConfigError as error:
            controls.show_config_error(error, is_valid, keys=["n", "k", "s", "p", "d", "layers"])
        else:
            kind, verdict = cb.overlap_verdict(k, s, d)
            (st.success if kind == "even" else st.warning)(verdict, icon=VERDICT_ICONS[kind])
            if depth > 1:
                st.caption(f"{depth} layers: each stamps onto the previous uneven output, so the patterns multiply.")
            left, right = st.columns(2)
            with left:
                show_figure(row_figure)
                st.caption("Top: each input's kernel stamp, coloured by tap. Bottom: stamps per output position; the "
                           "shaded band is away from the borders, where the pattern repeats." if depth == 1 else
                           "Stamps per output position after every layer, for a 1-D all-ones input.")
            with right:
                show_figure(grid)
            difference_line(difference, "ConvTranspose2d")
            st.caption("Reference: `conv_transpose2d` of an all-ones input with an all-ones kernel, once per layer.")


@st.fragment
def picture_section() -> None:
    """A picture upsampled five ways, a zoom window into all of them, and how strong each one's grid is."""
    with picture_area:
        st.header("On a real picture")
        columns = st.columns(4)
        sample = controls.select("Picture", "img", SAMPLE_NAMES, "camera", where=columns[0])
        factor = int(controls.radio("Upsampling", "factor", ["2", "4"], where=columns[1]))
        zoom_y = controls.slider("Zoom window: row (%)", "zoom_y", 0, 100, 30, where=columns[2])
        zoom_x = controls.slider("Zoom window: column (%)", "zoom_x", 0, 100, 50, where=columns[3])
        picture, results = upsampled(sample, factor)
        st.caption(f"The picture, shrunk to {picture.shape[0]}×{picture.shape[1]} px in gray, upsampled {factor}× "
                   "five ways. Every method ends at the same size; only the uneven transposed convolution leaves a grid.")
        comparison, strength_table = comparison_views(sample, factor, style)
        show_figure(comparison)
        size = 16 * factor
        height, width = next(iter(results.values())).shape
        top, left = round(zoom_y / 100 * (height - size)), round(zoom_x / 100 * (width - size))
        show_figure(zoom_view(sample, factor, top, left, style))
        st.caption(f"Zoom: rows {top}–{top + size - 1}, columns {left}–{left + size - 1} of the upsampled pictures.")
        st.markdown(strength_table)
        st.caption(f"Checkerboard strength: how much the mean brightness depends on the position inside each "
                   f"{factor}×{factor} cell (0 = not at all), the outer {2 * factor} px left out.")


counts_section()
picture_section()
with notice:  # after both sections: their controls have read the URL by now
    controls.report_url_problems()
with explanation:
    st.header("The rule, and who uses what")
    st.markdown(cb.RULE_AND_USES)
