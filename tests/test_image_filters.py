"""core.image_filters against torch in float64: the layer, the lesson's batch trick, permute vs reshape, cv2."""

from __future__ import annotations

import contextlib
import io
import re

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import ConvConfigError
from core.image_filters import (
    IMAGE_PRESETS,
    MAX_SHOWN_VALUES,
    ImageLayer,
    channel_presets,
    correlation_vs_convolution,
    crop_check,
    describe_layer,
    filter_image,
    image_to_chw,
    layer_weight,
    picture_code_lines,
    pytorch_image_code,
    shape_statement,
    shown_kernels,
)
from core.images import chw_to_hwc, hwc_to_chw, lesson_reshape_chw, load_sample, resize_long_side, to_grayscale, to_rgb
from core.kernels import make_kernel

torch.set_num_threads(1)


def _picture(rng, height, width, channels) -> np.ndarray:
    shape = (height, width) if channels == 1 else (height, width, 3)
    return rng.integers(0, 256, size=shape, dtype=np.uint8)


def _torch64(x_chw, weight, spec: ImageLayer) -> np.ndarray:
    """The reference: F.conv2d / F.conv_transpose2d in float64 on the same input and weights, batch as the spec says."""
    x = torch.from_numpy(np.asarray(x_chw, dtype=np.float64))
    x = x[:, None] if spec.separate else x[None]
    run = F.conv_transpose2d if spec.transposed else F.conv2d
    y = run(x, torch.from_numpy(np.asarray(weight, dtype=np.float64)), **spec.torch_kwargs()).numpy()
    return y if spec.separate else y[0]


@st.composite
def layers(draw):
    """A valid ImageLayer on a small picture, with its picture size."""
    transposed = draw(st.booleans())
    channels = draw(st.sampled_from([1, 3]))
    separate = draw(st.booleans())
    in_channels = 1 if separate else channels
    groups = draw(st.sampled_from([g for g in (1, 3) if in_channels % g == 0]))
    out_channels = draw(st.sampled_from([c for c in range(1, 9) if c % groups == 0]))
    stride, dilation = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    output_padding = draw(st.integers(0, max(stride, dilation) - 1)) if transposed else 0
    spec = ImageLayer("ConvTranspose2d" if transposed else "Conv2d", channels, out_channels, draw(st.integers(1, 7)),
                      stride, draw(st.integers(0, 3)), dilation, output_padding, groups, separate)
    height, width = draw(st.integers(1, 14)), draw(st.integers(1, 14))
    try:
        spec.output_size(height, width)
    except ConvConfigError:
        height, width = height + 20, width + 20  # big enough for any kernel, padding and dilation here
    return spec, height, width


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layers(), st.sampled_from(["random", "presets"]), st.integers(0, 50), st.sampled_from(IMAGE_PRESETS))
def test_every_output_channel_equals_torch_float64(case, kernels, seed, first):
    spec, height, width = case
    x = image_to_chw(_picture(np.random.default_rng(seed), height, width, spec.image_channels))
    weight = layer_weight(spec, kernels, seed, first)
    assert weight.shape == spec.weight_shape
    shown = filter_image(x, weight, spec)
    reference = _torch64(x, weight, spec)
    assert shown.shape == reference.shape
    assert shown.shape[-2:] == spec.output_size(height, width)
    assert np.allclose(shown, reference, rtol=1e-5, atol=1e-5 * max(1.0, np.abs(reference).max()))
    # The page's independent check (core's numpy, no torch) agrees with what is shown.
    check = crop_check(x, weight, spec, shown, size=8)
    assert check.agrees, check


def test_crop_check_catches_a_wrong_output():
    spec = ImageLayer("ConvTranspose2d", 3, 4, 3, 2, 1, groups=1)
    x = image_to_chw(_picture(np.random.default_rng(0), 20, 24, 3))
    weight = layer_weight(spec, "random", 3)
    shown = filter_image(x, weight, spec)
    assert crop_check(x, weight, spec, shown).agrees
    swapped = shown[[1, 0, 2, 3]]  # two channels' images exchanged
    assert not crop_check(x, weight, spec, swapped).agrees
    nudged = shown.copy()
    nudged[2, 5, 7] += 1e-3
    assert not crop_check(x, weight, spec, nudged).agrees


@pytest.mark.parametrize("layer", ["Conv2d", "ConvTranspose2d"])
def test_colours_separately_is_the_lessons_batch_trick(layer):
    """The lesson: the 3 colours in the batch axis of nn.ConvTranspose2d(1, 4, 2); equal to a grouped layer too."""
    image = resize_long_side(load_sample("astronaut"), 24)
    spec = ImageLayer(layer, 3, 4, 2, separate=True)
    weight = layer_weight(spec, "random", 5)
    shown = filter_image(image_to_chw(image), weight, spec)

    module = getattr(torch.nn, layer)(1, 4, 2, bias=False, dtype=torch.float64)
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(weight))
        x = torch.from_numpy(image).permute(2, 0, 1).double() / 255
        lesson = module(x[:, None]).numpy()  # (3, 1, H, W) → (3, 4, H', W')
    assert shown.shape == lesson.shape == (3, 4, 25, 25) if layer == "ConvTranspose2d" else (3, 4, 23, 23)
    assert np.allclose(shown, lesson, atol=1e-5)

    # The same numbers from one grouped layer: in_channels 3, groups 3, each colour's copy of the 4 kernels.
    if layer == "Conv2d":
        grouped = F.conv2d(x[None], torch.from_numpy(np.tile(weight, (3, 1, 1, 1))), groups=3)[0]
    else:
        grouped = F.conv_transpose2d(x[None], torch.from_numpy(np.tile(weight, (3, 1, 1, 1))), groups=3)[0]
    assert np.allclose(shown.reshape(12, *shown.shape[2:]), grouped.numpy(), atol=1e-5)


def test_permute_round_trips_and_matches_torch_permute():
    image = _picture(np.random.default_rng(1), 7, 11, 3)
    chw = hwc_to_chw(image)
    assert np.array_equal(chw_to_hwc(chw), image)
    assert np.array_equal(chw, torch.from_numpy(image).permute(2, 0, 1).numpy())
    assert np.array_equal(chw[0], image[:, :, 0])  # channel 0 is the red channel
    assert np.array_equal(image_to_chw(image) * 255, chw.astype(np.float32))
    gray = image[:, :, 1]
    assert np.array_equal(chw_to_hwc(hwc_to_chw(gray)), gray)


def test_reshape_is_the_lessons_scrambled_path():
    image = resize_long_side(load_sample("astronaut"), 32)
    h, w, c = image.shape
    scrambled = lesson_reshape_chw(image)
    assert np.array_equal(scrambled, torch.reshape(torch.from_numpy(image), (c, h, w)).numpy())
    assert scrambled.shape == hwc_to_chw(image).shape
    assert not np.array_equal(scrambled[0], image[:, :, 0])
    # Its "channel 0" is the first third of memory: the top rows, R G B interleaved.
    assert np.array_equal(scrambled[0].ravel(), image.ravel()[:h * w])
    assert np.array_equal(scrambled[0, 0, :3], image[0, 0])


@pytest.mark.parametrize("name", IMAGE_PRESETS)
@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7])
def test_filter2d_equals_conv2d_on_the_valid_region_and_convolution_flips(name, size):
    gray = to_grayscale(resize_long_side(load_sample("astronaut"), 40)) / 255.0
    kernel = make_kernel(name, size)
    result = correlation_vs_convolution(gray, kernel, name)
    assert result["filter2d_vs_torch"] < 1e-12
    valid = (40 - size + 1, 40 - size + 1)
    assert result["torch"].shape == result["filter2d"].shape == result["convolution"].shape == valid
    # cv2 itself, on a flipped kernel, is a true convolution (scipy's convolve2d would agree).
    flipped = cv2.filter2D(gray, cv2.CV_64F, kernel[::-1, ::-1].copy())
    anchor = size // 2
    if size % 2:  # odd: the flipped kernel keeps its centre, so cv2's window lines up with torch's
        assert np.allclose(flipped[anchor:anchor + valid[0], anchor:anchor + valid[1]], result["convolution"])
    assert result["symmetric"] == np.array_equal(kernel, kernel[::-1, ::-1])
    assert (result["convolution_vs_torch"] < 1e-12) == result["symmetric"]
    assert ("different" in result["summary"]) != result["symmetric"]


def test_presets_cycle_and_reach_every_output_channel_whatever_the_layout():
    assert channel_presets(3, "laplacian") == ["laplacian", "emboss", "identity"]
    assert channel_presets(8) == list(IMAGE_PRESETS)
    gray = _picture(np.random.default_rng(2), 9, 10, 1)
    rgb = np.repeat(gray[:, :, None], 3, axis=2)  # R = G = B: every colour mix of a kernel k is k on the gray
    for layer in ("Conv2d", "ConvTranspose2d"):
        for groups, out_channels in ((1, 5), (3, 6)):
            spec = ImageLayer(layer, 3, out_channels, 3, 2, 1, groups=groups)
            weight = layer_weight(spec, "presets", first_preset="sobel x")
            shown = filter_image(image_to_chw(rgb), weight, spec)
            one = ImageLayer(layer, 1, 1, 3, 2, 1)
            for o, name in enumerate(channel_presets(out_channels, "sobel x")):
                expected = _torch64(image_to_chw(gray), make_kernel(name, 3)[None, None], one)[0]
                assert np.allclose(shown[o], expected, atol=1e-5), (layer, groups, o, name)
                assert np.allclose(shown_kernels(spec, weight)[o] * (3 // groups), make_kernel(name, 3))


def test_shown_kernel_is_the_one_an_impulse_on_the_first_input_channel_of_its_group_stamps():
    for layer in ("Conv2d", "ConvTranspose2d"):
        spec = ImageLayer(layer, 3, 6, 3, groups=3)
        weight = layer_weight(spec, "random", 9)
        x = np.zeros((3, 7, 7), dtype=np.float32)
        for o, kernel in enumerate(shown_kernels(spec, weight)):
            x[:] = 0
            x[(o // 2), 3, 3] = 1.0  # group o // 2's first (and only) input channel
            y = _torch64(x, weight, spec)[o]
            stamped = y[3:6, 3:6] if layer == "ConvTranspose2d" else y[1:4, 1:4][::-1, ::-1]  # conv: flipped
            assert np.allclose(stamped, kernel), (layer, o)


def test_random_weights_use_pytorchs_default_range_and_the_seed():
    spec = ImageLayer("ConvTranspose2d", 3, 8, 5)
    weight = layer_weight(spec, "random", 4)
    bound = 1 / np.sqrt(8 * 5 * 5)  # weight.shape[1]·k·k, as torch's kaiming_uniform_(a=√5) gives
    assert weight.shape == (3, 8, 5, 5) and np.abs(weight).max() <= bound and np.abs(weight).max() > 0.9 * bound
    assert np.array_equal(weight, layer_weight(spec, "random", 4))
    assert not np.array_equal(weight, layer_weight(spec, "random", 5))


@pytest.mark.parametrize("spec, message", [
    (ImageLayer("Conv2d", 3, 4, 2, groups=3), "does not divide out_channels"),
    (ImageLayer("Conv2d", 1, 3, 2, groups=3), "does not divide in_channels"),
    (ImageLayer("Conv2d", 3, 3, 2, groups=3, separate=True), "does not divide in_channels"),
    (ImageLayer("ConvTranspose2d", 3, 4, 2, stride=1, output_padding=1), "output_padding"),
    (ImageLayer("Conv2d", 3, 4, 7, dilation=3), "spans 19"),
    (ImageLayer("Conv2d", 2, 4, 2), r"1 \(gray\) or 3"),
    (ImageLayer("Conv3d", 3, 4, 2), "Unknown layer"),
])
def test_impossible_layers_are_explained(spec, message):
    with pytest.raises(ConvConfigError, match=message):
        spec.output_size(12, 12)
    with pytest.raises(ConvConfigError):
        filter_image(np.zeros((spec.image_channels if spec.image_channels in (1, 3) else 2, 12, 12)),
                     np.zeros((4, 1, 2, 2)), spec)


def test_outputs_too_big_to_draw_are_refused_with_a_size_that_fits():
    spec = ImageLayer("ConvTranspose2d", 3, 8, 2, stride=2)
    assert spec.shown_size(512, 512) == (1024, 1024)  # the page's big configuration: 8.4 million values
    big = ImageLayer("ConvTranspose2d", 3, 8, 7, stride=4, dilation=3)
    with pytest.raises(ConvConfigError, match=r"8 × 2063 × 2063 = 34\.0 million .* \(to (\d+) or less") as error:
        big.shown_size(512, 512)
    fits = int(re.search(r"to (\d+) or less", str(error.value)).group(1))
    assert big.shown_size(fits, fits) and fits < 512
    with pytest.raises(ConvConfigError):
        big.shown_size(fits + 1, fits + 1)
    assert MAX_SHOWN_VALUES == 10_000_000


def test_shape_statement_and_formula():
    spec = ImageLayer("ConvTranspose2d", 3, 8, 1, stride=2)
    assert shape_statement(spec, 512, 512) == "(1, 3, 512, 512) → (1, 8, 1023, 1023)"
    text, formulas = describe_layer(spec, 512, 512)
    assert "ConvTranspose2d(3, 8, 1)" in text and "(3, 8, 1, 1)" in text and "would be 1" in text
    assert len(formulas) == 1 and _result_of(formulas[0]) == "1023"
    lesson = ImageLayer("ConvTranspose2d", 3, 4, 2, separate=True)
    assert shape_statement(lesson, 85, 128) == "(3, 1, 85, 128) → (3, 4, 86, 129)"
    assert [_result_of(f) for f in describe_layer(lesson, 85, 128)[1]] == ["86", "129"]


def _result_of(latex: str) -> str:
    """The number after the last ``=`` of an aligned size formula: the result it ends with."""
    assert latex.endswith(r"\end{aligned}")
    return latex.removesuffix(r"\end{aligned}").rsplit("=", 1)[1].strip()


def _run_code(code: str) -> dict:
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "<pytorch_image_code>", "exec"), namespace)  # noqa: S102 — our own generated code
    return namespace


@pytest.mark.parametrize("layer, separate, kernels, groups", [
    ("ConvTranspose2d", True, "random", 1), ("ConvTranspose2d", False, "presets", 3), ("Conv2d", False, "random", 3),
    ("Conv2d", True, "presets", 1), ("ConvTranspose2d", False, "random", 1),
])
def test_the_pytorch_code_reproduces_the_page(layer, separate, kernels, groups):
    image = to_rgb(resize_long_side(load_sample("coffee"), 40))
    spec = ImageLayer(layer, 3, 6, 3, 2, 1, 1, 1 if layer == "ConvTranspose2d" else 0, groups, separate)
    code = pytorch_image_code(spec, picture_code_lines("coffee", load_sample("coffee").shape, image.shape[:2], False),
                              kernels, 7, "gaussian")
    namespace = _run_code(code)
    assert np.array_equal(namespace["image"], image)
    shown = filter_image(image_to_chw(image), layer_weight(spec, kernels, 7, "gaussian"), spec)
    assert np.allclose(namespace["y"].detach().numpy(), shown, atol=1e-5)


@pytest.mark.parametrize("sample, gray", [("astronaut", False), ("astronaut", True), ("camera", False),
                                          ("camera", True), ("logo", False), ("horse", False),
                                          ("shepp_logan_phantom", True), ("checkerboard", False)])
@pytest.mark.parametrize("long_side", [40, 512])
def test_the_picture_code_loads_the_same_picture(sample, gray, long_side):
    source = load_sample(sample)
    working = resize_long_side(source, long_side)
    expected = to_grayscale(working) if gray else to_rgb(working)
    lines = picture_code_lines(sample, source.shape, expected.shape[:2], gray)
    namespace = _run_code("\n".join(["import numpy as np", "import cv2", "from skimage import data", *lines]))
    assert namespace["image"].shape == expected.shape
    assert np.abs(namespace["image"].astype(int) - expected).max() <= 1  # skimage's float rounding may differ by 1
