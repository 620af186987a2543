"""Images: a picture through nn.Conv2d / nn.ConvTranspose2d, every output channel side by side."""

import dataclasses

import streamlit as st

from core import ConvConfigError, images
from core import image_filters as filters
from core.kernels import make_kernel
from figures import image_grid_figure, rgb_image_figure
from widgets import (
    PICTURE_COLOURS,
    PICTURE_LAYER_KEYS,
    Controls,
    decoded_upload,
    figure_columns,
    figure_once,
    figure_style,
    panel_width_px,
    picture_controls,
    pytorch_code_panel,
    run_through_dashboard,
    session_memo,
    show_figure,
)

run_through_dashboard()


@st.cache_data(max_entries=64, show_spinner=False)
def sample_picture(name: str, long_side: int, gray: bool):
    """A bundled sample at the working size, uint8 gray (H, W) or RGB (H, W, 3); samples are public, so shared."""
    image = images.resize_long_side(images.load_sample(name), long_side)
    return images.to_grayscale(image) if gray else images.to_rgb(image)


def outputs(picture, spec, kernels, seed, first, shared, colour, fit, style):
    """The output grid (every channel titled, its kernel below it) and the crop check, for one configuration."""
    result = filters.filter_picture(picture, spec, kernels, seed, first, colour)
    figure = image_grid_figure(result.channels, titles=result.titles, shared_scale=shared, style=style,
                               kernels=result.kernels, fit_to_tile=fit)
    return figure, result.check


@st.cache_resource(max_entries=12, show_spinner=False)
def sample_outputs(key, _picture):
    """:func:`outputs` for a sample, shared by every session (key: sample, size, colours, then the configuration)."""
    return outputs(_picture, *key[1])


st.title("Filtering a picture")
controls = Controls(extra_keys={"reshape", "filter2d"})  # the teaching moments: open or closed (Controls.panel)
with st.sidebar:
    chosen = picture_controls(controls)
spec, gray, long_side = chosen.spec, chosen.gray, chosen.long_side

notice, body = st.container(), st.container()
picture = pixels = None
if chosen.upload is not None:
    pixels, digest, upload_error = decoded_upload(chosen.upload)
    if upload_error:
        notice.error(f"**{chosen.upload.name} can't be used.** {upload_error} Showing the sample *{chosen.sample}* "
                     "instead.", icon=":material/image:")
    else:
        working = images.resize_long_side(pixels, long_side)
        rgb, source = images.to_rgb(working), ("upload", digest, long_side, gray)
        picture = images.to_grayscale(working) if gray else rgb
        notice.caption(f"Showing your upload **{chosen.upload.name}** ({pixels.shape[1]}×{pixels.shape[0]} px as "
                       "decoded). It stays in this session's memory and cannot be part of the link: a shared link "
                       "opens the sample instead.")
else:
    st.session_state.pop("_images_upload", None)
    st.session_state.pop("_images_outputs", None)
if picture is None:
    rgb, source = sample_picture(chosen.sample, long_side, False), ("sample", chosen.sample, long_side, gray)
    picture = sample_picture(chosen.sample, long_side, True) if gray else rgb
height, width = picture.shape[:2]

# Both teaching moments run only while open (their state is in the URL, so a lecture link can open one).
reshape = controls.panel("Teaching moment: `reshape` scrambles the picture, `permute` keeps it", "reshape")
if reshape.open:
    reshape.markdown(filters.RESHAPE_LESSON)
    with reshape:
        show_figure(image_grid_figure([images.hwc_to_chw(rgb)[0], images.lesson_reshape_chw(rgb)[0]], colormap="gray",
                                      titles=["permute(2, 0, 1)[0]: the red channel", "reshape(3, h, w)[0]: scrambled"],
                                      style=figure_style(), width_px=panel_width_px(figure_style())))
compare = controls.panel("Teaching moment: `cv2.filter2D` and torch both cross-correlate; a true convolution flips "
                         "the kernel", "filter2d")
if not compare.open:
    controls.extra_keys.add("cmp")  # its control is not drawn: keep a linked choice for when it opens
else:
    name = controls.select("Kernel to compare", "cmp", filters.IMAGE_PRESETS, "sobel x", where=compare)
    try:
        gray_picture = images.to_grayscale(rgb) / 255.0
        result = filters.correlation_vs_convolution(gray_picture, make_kernel(name, spec.kernel_size), name)
    except ConvConfigError as error:
        compare.info(str(error))
    else:
        compare.markdown(result["summary"])
        with compare:
            show_figure(image_grid_figure([result["torch"], result["filter2d"], result["convolution"]],
                                          titles=["F.conv2d", "cv2.filter2D", "true convolution (flipped)"],
                                          style=figure_style(), width_px=panel_width_px(figure_style())))
with notice:
    controls.report_url_problems()


def is_valid(c):
    candidate = dataclasses.replace(spec, **{field: c[key] for key, field in PICTURE_LAYER_KEYS.items()})
    return filters.fits(candidate, *images.resized_shape(height, width, c["size"]))


def image_code() -> str:
    uploaded = source[0] == "upload"
    source_shape = pixels.shape if uploaded else images.load_sample(chosen.sample).shape
    lines = filters.picture_code_lines(None if uploaded else chosen.sample, source_shape, (height, width), gray)
    return filters.pytorch_image_code(spec, lines, chosen.kernels, chosen.seed, chosen.first_preset)


with body:
    try:
        shown_h, shown_w = spec.shown_size(height, width)
    except ConvConfigError as error:
        controls.show_config_error(error, is_valid, [*PICTURE_LAYER_KEYS, "size"])
        st.stop()
    style = figure_style()
    config = (spec, chosen.kernels, chosen.seed, chosen.first_preset, chosen.shared_scale, chosen.colour, chosen.fit, style)
    if source[0] == "sample":
        figure, check = sample_outputs((source, config), picture)
    else:
        figure, check = session_memo("_images_outputs", (source, config), lambda: outputs(picture, *config))
    (left, left_px), (right, _) = figure_columns([1, 3], style, vertical_alignment="center")
    with left:
        show_figure(figure_once(rgb_image_figure, picture, "Input", style=style, width_px=left_px))
    text, formulas = filters.describe_layer(spec, height, width)
    right.markdown(text)
    for formula in formulas:
        right.latex(formula)
    if spec.batch > 1:
        st.caption(f"Showing the {PICTURE_COLOURS[chosen.colour]} picture's {spec.out_channels} outputs; each kernel "
                   "is below its image.")
    show_figure(figure, "outputs")
    drawn = figure.layout.meta["drawn_shapes"][0]
    if drawn[0] < shown_h:
        st.caption(f"Each {shown_h}×{shown_w} output is drawn at {drawn[0]}×{drawn[1]}, every screen pixel the mean "
                   "of the output pixels it covers; choose *Detail: every pixel* to zoom into single pixels.")
    (st.success if check.agrees else st.error)(check.message(spec.layer), icon=":material/check_circle:"
                                               if check.agrees else ":material/error:")
    pytorch_code_panel(image_code)
