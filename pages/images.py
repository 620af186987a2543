"""Images: a picture through nn.Conv2d / nn.ConvTranspose2d, every output channel side by side."""

import hashlib

import streamlit as st

from core import ConvConfigError, images
from core import image_filters as filters
from core.kernels import make_kernel
from core.uploads import try_decode_upload
from figures import image_grid_figure, rgb_image_figure
from widgets import (
    Controls,
    figure_once,
    figure_style,
    pytorch_code_panel,
    run_through_dashboard,
    session_memo,
    show_figure,
)

run_through_dashboard()

UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff"]
COLOURS = ["red", "green", "blue"]


@st.cache_data(max_entries=64, show_spinner=False)
def sample_picture(name: str, long_side: int, gray: bool):
    """A bundled sample at the working size, uint8 gray (H, W) or RGB (H, W, 3); samples are public, so shared."""
    image = images.resize_long_side(images.load_sample(name), long_side)
    return images.to_grayscale(image) if gray else images.to_rgb(image)


def outputs(picture, spec, kernels, seed, first, shared, colour, style):
    """The output grid (every channel titled, its kernel below it) and the crop check, for one configuration."""
    x = filters.image_to_chw(picture)
    x = x[colour:colour + 1] if spec.separate else x  # separately: compute only the colour shown
    weight = filters.layer_weight(spec, kernels, seed, first)
    y = filters.filter_image(x, weight, spec)
    shown = y[0] if spec.separate else y
    names = filters.channel_presets(spec.out_channels, first) if kernels == "presets" else ["random"] * len(shown)
    titles = [f"{o + 1}: {name} · {shown.shape[-2]}×{shown.shape[-1]}" for o, name in enumerate(names)]
    figure = image_grid_figure(list(shown), titles=titles, shared_scale=shared, style=style,
                               kernels=filters.shown_kernels(spec, weight))
    return figure, filters.crop_check(x, weight, spec, y)


@st.cache_resource(max_entries=12, show_spinner=False)
def sample_outputs(key, _picture):
    """:func:`outputs` for a sample, shared by every session (key: sample, size, colours, then the configuration)."""
    return outputs(_picture, *key[1])


st.title("Filtering a picture")
controls = Controls(extra_keys={"reshape", "filter2d"})  # the teaching moments' open/closed state
with st.sidebar:
    sample = controls.select("Picture", "image", images.SAMPLE_NAMES, "astronaut")
    upload = st.file_uploader("…or upload your own", type=UPLOAD_TYPES, key="upload",
                              help="Kept in this session's memory only, never saved; at most 10 MB.")
    long_side = controls.slider("Working size (long side, px)", "size", 32, 512, 128)
    gray = controls.radio("Colours", "colour", ["RGB", "gray"]) == "gray"
    layer = controls.radio("Layer", "layer", filters.LAYERS, "ConvTranspose2d")
    separate = controls.radio("Colour channels", "channels", ["separately", "together"], help=(
        "separately: the lesson's trick, the colours in the batch axis and in_channels = 1; "
        "together: in_channels = 3 and each output sums over the colours")) == "separately"
    out_channels = controls.slider("Out channels", "c_out", 1, 8, 4)
    groups = controls.slider("Groups", "groups", 1, 3, 1, help="Must divide in_channels and out_channels.")
    kernel_size = controls.slider("Kernel size", "k", 1, 7, 2)
    stride = controls.slider("Stride", "s", 1, 4, 1)
    padding = controls.slider("Padding", "p", 0, 3, 0)
    dilation = controls.slider("Dilation", "d", 1, 3, 1)
    output_padding = controls.slider("Output padding", "op", 0, 3, 0, help="ConvTranspose2d: below stride or dilation.")
    kernels = "presets" if controls.radio("Kernels", "kernels", ["random (seeded)", "presets"]) == "presets" \
        else "random"
    seed = controls.number("Seed", "seed", 0, 9999, 0) if kernels == "random" else 0
    first = filters.IMAGE_PRESETS[0]
    if kernels == "presets":
        first = controls.select("First preset (then cycling)", "preset", filters.IMAGE_PRESETS)
    shared = controls.radio("Colour scale", "scale", ["shared", "per channel"]) == "shared"
    colour = COLOURS.index(controls.radio("Show the result of", "show", COLOURS)) if separate and not gray else 0

notice, body = st.container(), st.container()
picture = None
if upload is not None:
    digest = hashlib.sha256(upload.getvalue()).hexdigest()
    pixels, upload_error = session_memo("_images_upload", digest, lambda: try_decode_upload(upload.getvalue()))
    if upload_error:
        notice.error(f"**{upload.name} can't be used.** {upload_error} Showing the sample *{sample}* instead.",
                     icon=":material/image:")
    else:
        working = images.resize_long_side(pixels, long_side)
        rgb, source = images.to_rgb(working), ("upload", digest, long_side, gray)
        picture = images.to_grayscale(working) if gray else rgb
        notice.caption(f"Showing your upload **{upload.name}** ({pixels.shape[1]}×{pixels.shape[0]} px as decoded). "
                       "It stays in this session's memory and cannot be part of the link: a shared link opens the "
                       "sample instead.")
else:
    st.session_state.pop("_images_upload", None)
    st.session_state.pop("_images_outputs", None)
if picture is None:
    rgb, source = sample_picture(sample, long_side, False), ("sample", sample, long_side, gray)
    picture = sample_picture(sample, long_side, True) if gray else rgb
height, width = picture.shape[:2]
spec = filters.ImageLayer(layer, 1 if gray else 3, out_channels, kernel_size, stride, padding, dilation,
                          output_padding, groups, separate)

# Both teaching moments run only while open (their state is in the URL, so a lecture link can open one).
reshape = st.expander("Teaching moment: `reshape` scrambles the picture, `permute` keeps it", key="reshape",
                      bind="query-params")
if reshape.open:
    reshape.markdown(filters.RESHAPE_LESSON)
    with reshape:
        show_figure(image_grid_figure([images.hwc_to_chw(rgb)[0], images.lesson_reshape_chw(rgb)[0]], colormap="gray",
                                      titles=["permute(2, 0, 1)[0]: the red channel", "reshape(3, h, w)[0]: scrambled"],
                                      style=figure_style()))
compare = st.expander("Teaching moment: `cv2.filter2D` and torch both cross-correlate; a true convolution flips the "
                      "kernel", key="filter2d", bind="query-params")
if not compare.open:
    controls.extra_keys.add("cmp")  # its control is not drawn: keep a linked choice for when it opens
else:
    name = controls.select("Kernel to compare", "cmp", filters.IMAGE_PRESETS, "sobel x", where=compare)
    try:
        gray_picture = images.to_grayscale(rgb) / 255.0
        result = filters.correlation_vs_convolution(gray_picture, make_kernel(name, kernel_size), name)
    except ConvConfigError as error:
        compare.info(str(error))
    else:
        compare.markdown(result["summary"])
        with compare:
            show_figure(image_grid_figure([result["torch"], result["filter2d"], result["convolution"]],
                                          titles=["F.conv2d", "cv2.filter2D", "true convolution (flipped)"],
                                          style=figure_style()))
with notice:
    controls.report_url_problems()


def is_valid(c):
    try:
        filters.ImageLayer(layer, spec.image_channels, c["c_out"], c["k"], c["s"], c["p"], c["d"], c["op"],
                           c["groups"], separate).shown_size(*images.resized_shape(height, width, c["size"]))
        return True
    except ConvConfigError:
        return False


with body:
    try:
        spec.shown_size(height, width)
    except ConvConfigError as error:
        controls.show_config_error(error, is_valid, ["groups", "c_out", "op", "p", "d", "k", "s", "size"])
        st.stop()
    config = (spec, kernels, seed, first, shared, colour, figure_style())
    if source[0] == "sample":
        figure, check = sample_outputs((source, config), picture)
    else:
        figure, check = session_memo("_images_outputs", (source, config), lambda: outputs(picture, *config))
    left, right = st.columns([1, 3], vertical_alignment="center")
    with left:
        show_figure(figure_once(rgb_image_figure, picture, "Input", style=figure_style()))
    text, formulas = filters.describe_layer(spec, height, width)
    right.markdown(text)
    for formula in formulas:
        right.latex(formula)
    if spec.batch > 1:
        st.caption(f"Showing the {COLOURS[colour]} picture's {out_channels} outputs; each kernel is below its image.")
    show_figure(figure, "outputs")
    (st.success if check.agrees else st.error)(
        f"{'Checked live' if check.agrees else 'Mismatch'}: the top-left {check.rows}×{check.cols} of every output "
        f"shown (torch, float32) against ConvLab's own numpy `{layer}` (float64, no torch): max |difference| = "
        f"{check.difference:.1e} (tolerance {check.tolerance:.0e}).", icon=":material/check_circle:" if check.agrees else ":material/error:")


def image_code() -> str:
    uploaded = source[0] == "upload"
    source_shape = pixels.shape if uploaded else images.load_sample(sample).shape
    lines = filters.picture_code_lines(None if uploaded else sample, source_shape, (height, width), gray)
    return filters.pytorch_image_code(spec, lines, kernels, seed, first)


with body:
    pytorch_code_panel(image_code)
